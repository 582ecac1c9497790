package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/gatecheck/gatecheck/scenarios"
)

// stringList is a repeatable string flag: every use appends.
type stringList []string

var _ flag.Value = (*stringList)(nil)

func (l *stringList) String() string { return strings.Join(*l, ",") }

// Set appends v.
func (l *stringList) Set(v string) error {
	if v == "" {
		return errors.New("empty value")
	}
	*l = append(*l, v)
	return nil
}

// newFlagSet returns a FlagSet for a subcommand that reports errors itself (one
// line, see parse) instead of printing the whole usage.
func newFlagSet(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet("gatecheck "+name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: gatecheck %s %s\n\nflags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args. On -h it prints the usage to stdout and returns exitOK; on a
// bad flag it prints one line to stderr and returns exitUsage; otherwise -1.
func parse(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) int {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	switch {
	case err == nil:
		return -1
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(stdout)
		fs.Usage()
		return exitOK
	}
	fmt.Fprintf(stderr, "%s: %v (%s -h for help)\n", fs.Name(), err, fs.Name())
	return exitUsage
}

// timeoutFlags are the declared upstream timeouts of the proxy under test.
type timeoutFlags struct {
	connect, read time.Duration
	retries       int
}

// add registers --connect-timeout, --read-timeout and --retries on fs.
func (t *timeoutFlags) add(fs *flag.FlagSet) {
	d := scenarios.DefaultTimeouts()
	fs.DurationVar(&t.connect, "connect-timeout", d.Connect, "the proxy's declared upstream connect `timeout`")
	fs.DurationVar(&t.read, "read-timeout", d.Read, "the proxy's declared upstream read `timeout` (for the head, and between body reads)")
	fs.IntVar(&t.retries, "retries", d.Retries, "how many times the proxy may retry a failed upstream request (declared)")
}

// timeouts checks the flags and returns them as scenarios.Timeouts.
func (t *timeoutFlags) timeouts() (scenarios.Timeouts, error) {
	switch {
	case t.connect <= 0:
		return scenarios.Timeouts{}, fmt.Errorf("--connect-timeout %v: want a positive duration", t.connect)
	case t.read <= 0:
		return scenarios.Timeouts{}, fmt.Errorf("--read-timeout %v: want a positive duration", t.read)
	case t.retries < 0 || t.retries > 10:
		return scenarios.Timeouts{}, fmt.Errorf("--retries %d: want 0 to 10", t.retries)
	}
	return scenarios.Timeouts{Connect: t.connect, Read: t.read, Retries: t.retries}, nil
}

// scenarioFlags choose the scenarios: the built-in catalogue (unless --no-builtin),
// plus files and folders given with --scenarios, narrowed by --only.
type scenarioFlags struct {
	paths     stringList
	only      stringList
	noBuiltin bool
}

// add registers --scenarios, --no-builtin and --only on fs.
func (s *scenarioFlags) add(fs *flag.FlagSet) {
	fs.Var(&s.paths, "scenarios", "add the scenarios of a YAML `file or folder` to the built-in catalogue (repeatable)")
	fs.BoolVar(&s.noBuiltin, "no-builtin", false, "leave out the built-in catalogue: only the --scenarios files")
	fs.Var(&s.only, "only", "run only scenarios whose id matches the `glob`, as 'body/*' (repeatable)")
}

// load returns the chosen scenarios in catalogue order: built-in first, then the
// given files. Any problem is an error: an unreadable or invalid file, an id
// defined twice, a glob that matches nothing.
func (s *scenarioFlags) load() ([]*scenarios.Scenario, error) {
	var all []*scenarios.Scenario
	if !s.noBuiltin {
		if err := scenarios.BuiltinErr(); err != nil {
			return nil, fmt.Errorf("built-in catalogue: %w", err)
		}
		all = append(all, scenarios.Builtin()...)
	}
	if len(s.paths) > 0 {
		own, err := scenarios.Load(s.paths...)
		if err != nil {
			return nil, err
		}
		all = append(all, own...)
	}
	if len(all) == 0 {
		return nil, errors.New("no scenarios: --no-builtin needs --scenarios PATH")
	}
	seen := map[string]*scenarios.Scenario{}
	for _, sc := range all {
		if prev, ok := seen[sc.ID]; ok {
			return nil, fmt.Errorf("%s: scenario id %q already defined at %s", sc.Source, sc.ID, prev.Source)
		}
		seen[sc.ID] = sc
	}
	if len(s.only) == 0 {
		return all, nil
	}
	for _, g := range s.only {
		if _, err := path.Match(g, ""); err != nil {
			return nil, fmt.Errorf("--only %q: %w", g, err)
		}
		if len(scenarios.Select(all, []string{g})) == 0 {
			return nil, fmt.Errorf("--only %q matches no scenario (gatecheck list shows the ids)", g)
		}
	}
	return scenarios.Select(all, s.only), nil
}
