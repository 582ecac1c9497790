package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"strconv"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/targets"
)

// config prints the config file(s) a run of a process target uses, rendered for a
// fake upstream at --upstream (refused and connect-timeout on the next two ports),
// so that the same proxy can be run by hand against `gatecheck serve`.
func config(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("config", "NAME [--upstream ADDR] [--container] [--connect-timeout D] [--read-timeout D] [--retries N]")
	upstream := fs.String("upstream", "127.0.0.1:8081", "the fake upstream's main `ADDR` the config routes to; refused and connect-timeout take the next two ports")
	inContainer := fs.Bool("container", false, "the config for a container: listen on 0.0.0.0:8080, work dir /gatecheck (as docker-compose.yml and --image use)")
	var tf timeoutFlags
	tf.add(fs)
	// The name comes first: gatecheck config nginx --read-timeout 2s.
	name := ""
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		name, args = args[0], args[1:]
	}
	if code := parse(fs, args, stdout, stderr); code >= 0 {
		return code
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "gatecheck config: %v\n", err)
		return exitUsage
	}
	if name == "" && fs.NArg() == 1 {
		name = fs.Arg(0)
	} else if fs.NArg() > 0 {
		return fail(fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	}
	if name == "" {
		return fail(fmt.Errorf("no target: one of %v", targets.ProcessNames()))
	}
	timeouts, err := tf.timeouts()
	if err != nil {
		return fail(err)
	}
	eps, err := endpointsAt(*upstream)
	if err != nil {
		return fail(err)
	}
	render := targets.Config
	if *inContainer {
		render = targets.ContainerConfigText
	}
	text, err := render(name, eps, timeouts)
	if err != nil {
		return fail(err)
	}
	fmt.Fprint(stdout, text)
	return exitOK
}

// endpointsAt are the fake upstream's endpoints when its main endpoint listens on
// addr with a fixed port P: refused on P+1, connect-timeout on P+2.
func endpointsAt(addr string) (fakeupstream.Endpoints, error) {
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return fakeupstream.Endpoints{}, fmt.Errorf("--upstream %q: %w", addr, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 1 || port > 65533 {
		return fakeupstream.Endpoints{}, fmt.Errorf("--upstream %q: want a fixed port from 1 to 65533", addr)
	}
	at := func(p int) string { return net.JoinHostPort(host, strconv.Itoa(p)) }
	return fakeupstream.Endpoints{Main: at(port), Refused: at(port + 1), ConnectTimeout: at(port + 2)}, nil
}
