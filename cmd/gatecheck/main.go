// Command gatecheck checks what an HTTP reverse proxy tells its client when the
// upstream misbehaves. It plays a scripted, misbehaving upstream, drives the proxy
// in front of it and judges what the client received against RFC 9110 and 9112.
//
// Usage:
//
//	gatecheck list [--json] [--scenarios PATH]... [--no-builtin] [--only GLOB]...
//	gatecheck run --target T [flags]
//	gatecheck lint PATH...
//	gatecheck serve [--listen ADDR] [flags]
//	gatecheck matrix [--targets all|LIST] [--from DIR] [--out DIR] [--baselines DIR]
//	gatecheck bench --target T[,T…] --mix 'ID=WEIGHT,…' (--rate R | --connections C) [flags]
//	gatecheck config NAME
//	gatecheck config NAME [--upstream ADDR] [flags]
//	gatecheck version
//
// Exit codes: 0 nothing failed at the chosen levels, 1 something failed (or changed
// from the baseline), 2 a usage error, an invalid scenario file or a scenario that
// ended in error, 130 interrupted (SIGINT or SIGTERM during run).
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/gatecheck/gatecheck/targets" // the proxies gatecheck starts itself
)

// Exit codes.
const (
	exitOK          = 0   // nothing failed at the chosen levels
	exitFindings    = 1   // a scenario failed at the chosen levels, or changed from the baseline
	exitUsage       = 2   // bad flags or input, or a scenario ended in error
	exitInterrupted = 130 // SIGINT or SIGTERM during a run
)

func main() {
	// net/http's transport writes some notices with the standard logger; they
	// belong in go-stdlib's log, not between the verdicts.
	log.SetOutput(targets.StdLog)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// command is one subcommand: it parses its own flags and returns an exit code.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

// commands are the subcommands, in the order help lists them.
var commands = []command{
	{"list", "list the scenarios (--json for a JSON array)", list},
	{"run", "run scenarios against a proxy and judge what its client got", run},
	{"lint", "check scenario files; print file:line for every problem", lint},
	{"serve", "run the fake upstream alone, for a proxy you start yourself", serve},
	{"matrix", "run the catalogue against several proxies and write the compliance matrix", matrixCmd},
	{"bench", "load proxies with a mix of upstream faults: latency per outcome, time to 502/504, leaks", benchCmd},
	{"config", "print the config a process target (nginx, haproxy…) runs with", config},
	{"version", "print gatecheck's version", version},
}

// dispatch runs the subcommand args[0] names.
func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		usage(stdout)
		return exitOK
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.name
	}
	fmt.Fprintf(stderr, "gatecheck: unknown command %q (commands: %s; gatecheck help)\n", args[0], strings.Join(names, ", "))
	return exitUsage
}

// usage lists the commands.
func usage(w io.Writer) {
	fmt.Fprintln(w, "gatecheck: does your reverse proxy tell its client the right thing when the upstream misbehaves?")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "usage: gatecheck COMMAND [flags]   (gatecheck COMMAND -h for its flags)")
	fmt.Fprintln(w)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "exit codes: 0 ok, 1 failures (or baseline changes), 2 usage or scenario errors, 130 interrupted")
}
