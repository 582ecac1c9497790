package suites_test

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	. "github.com/onsi/ginkgo/v2"

	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/suites"
	"github.com/gatecheck/gatecheck/targets"
)

// Flags of the project's suite: go test ./suites -args -gatecheck.target=NAME.
var (
	targetFlag    = flag.String("gatecheck.target", "", "the proxies under test, comma-separated: go-stdlib, a process target (nginx…), http://HOST:PORT, or all (default $GATECHECK_TARGETS, else $GATECHECK_TARGET, else go-stdlib)")
	upstreamFlag  = flag.String("gatecheck.upstream", "", "where the fake upstream listens, for an external target (default a free loopback port)")
	connectFlag   = flag.Duration("gatecheck.connect-timeout", scenarios.DefaultTimeouts().Connect, "the target's declared upstream connect timeout")
	readFlag      = flag.Duration("gatecheck.read-timeout", scenarios.DefaultTimeouts().Read, "the target's declared upstream read timeout")
	retriesFlag   = flag.Int("gatecheck.retries", 0, "the target's declared upstream retries")
	failOnFlag    = flag.String("gatecheck.fail-on", "may", "lowest level whose failures fail a spec: must, should or may")
	parallelFlag  = flag.Int("gatecheck.parallel", 8, "how many scenarios of a target run at once (1: one spec at a time, each running its own scenario)")
	reportsFlag   = flag.String("gatecheck.reports", "", "a folder to write each target's report to, as <target>[.<client>].json, for gatecheck matrix --from (default $GATECHECK_REPORT_DIR)")
	clientsFlag   = flag.String("gatecheck.clients", "", "the clients, comma-separated: h1, h2, h2-tls or all; a target's h2 container runs over h2-tls when it serves HTTP/2 only over TLS (default $GATECHECK_CLIENTS, else h1)")
	h2TargetsFlag = flag.String("gatecheck.h2-targets", "", "of the targets, those the HTTP/2 clients run through, comma-separated, or all (default $GATECHECK_H2_TARGETS, else all); the others get one skipped spec per HTTP/2 client that says so")
	repeatFlag    = flag.Int("gatecheck.h2-max-repeat", 0, "at most this many repeats of a scenario through an HTTP/2 client, never fewer scenarios (default $GATECHECK_H2_MAX_REPEAT, else every repeat)")
)

// targetNames are the targets the suite checks: the flag, else $GATECHECK_TARGETS,
// else $GATECHECK_TARGET, else go-stdlib, as targets.Expand resolves them. "all"
// is go-stdlib and every process target; those not installed are handed to
// missing.
func targetNames(missing func(name string)) []string {
	list := cmp.Or(*targetFlag, os.Getenv("GATECHECK_TARGETS"), os.Getenv("GATECHECK_TARGET"), "go-stdlib")
	names, _ := targets.Expand(list, func(name string) error { // missing never fails
		missing(name)
		return nil
	})
	return names
}

// clientList is the clients the suite runs each target through.
func clientList() ([]scenarios.Client, error) {
	return scenarios.ParseClients(cmp.Or(*clientsFlag, os.Getenv("GATECHECK_CLIENTS"), "h1"))
}

// http2Through is the test of the targets the HTTP/2 clients run through:
// those the flag lists, else $GATECHECK_H2_TARGETS, else every target. A name
// that is neither one of the suite's targets (names) nor a target kind is an
// error naming it, so that a typo is not a column silently left out.
func http2Through(names []string) (func(name string) bool, error) {
	list := cmp.Or(*h2TargetsFlag, os.Getenv("GATECHECK_H2_TARGETS"), "all")
	var through []string
	for n := range strings.SplitSeq(list, ",") {
		switch n = strings.TrimSpace(n); {
		case n == "":
		case n == "all":
			return func(string) bool { return true }, nil
		case slices.Contains(names, n) || slices.Contains(targets.Names(), n):
			through = append(through, n)
		default:
			return nil, fmt.Errorf("HTTP/2 targets %q: %s is not a target the suite checks (%s)", list, n, strings.Join(names, ", "))
		}
	}
	return func(name string) bool { return slices.Contains(through, name) }, nil
}

// maxRepeat is the cap on an HTTP/2 client's repeats (0: none).
func maxRepeat() (int, error) {
	if *repeatFlag > 0 {
		return *repeatFlag, nil
	}
	v := os.Getenv("GATECHECK_H2_MAX_REPEAT")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("GATECHECK_H2_MAX_REPEAT=%q: want a whole number of 1 or more", v)
	}
	return n, nil
}

// projectConfig builds the suite's Config for one target and client from the
// flags and the environment, with baselines/<target>[.<client>].yaml as the
// baseline when it exists.
func projectConfig(name string, client scenarios.Client) (suites.Config, error) {
	t := scenarios.Timeouts{Connect: *connectFlag, Read: *readFlag, Retries: *retriesFlag}
	target, err := targets.New(name, t)
	if err != nil {
		return suites.Config{}, err
	}
	if client == scenarios.ClientH2 {
		client = harness.PreferredHTTP2(target) // h2-tls for a proxy whose HTTP/2 is over TLS only
	}
	opts := harness.Options{UpstreamAddr: *upstreamFlag, Client: client}
	if client.HTTP2() {
		if opts.MaxRepeat, err = maxRepeat(); err != nil {
			return suites.Config{}, err
		}
	}
	cfg := suites.Config{
		Target:   target,
		Name:     "gatecheck " + name + " " + string(client),
		FailOn:   scenarios.Level(*failOnFlag),
		Options:  opts,
		Parallel: *parallelFlag,
	}
	switch cfg.FailOn {
	case scenarios.Must, scenarios.Should, scenarios.May:
	default:
		return suites.Config{}, fmt.Errorf("-gatecheck.fail-on %q: want must, should or may", *failOnFlag)
	}
	if dir := cmp.Or(*reportsFlag, os.Getenv("GATECHECK_REPORT_DIR")); dir != "" {
		cfg.ReportPath = filepath.Join(dir, harness.ClientFileName(name, client)+".json")
	}
	path := filepath.Join("baselines", harness.ClientFileName(name, client)+".yaml")
	switch _, err := os.Stat(path); {
	case err == nil:
		if cfg.Baseline, err = harness.LoadBaseline(path); err != nil {
			return suites.Config{}, err
		}
	case !errors.Is(err, fs.ErrNotExist):
		return suites.Config{}, fmt.Errorf("baseline %s: %w", path, err)
	}
	return cfg, nil
}

// registerProject registers the built-in catalogue against every configured
// target. A process target whose proxy is not installed gets one spec that
// skips, naming the package — or fails, when GATECHECK_REQUIRE_PROXIES=all
// requires it.
func registerProject() error {
	clients, err := clientList()
	if err != nil {
		return err
	}
	names := targetNames(registerMissing)
	viaHTTP2, err := http2Through(names)
	if err != nil {
		return err
	}
	for _, name := range names {
		if targets.Unavailable(name) != nil {
			registerMissing(name)
			continue
		}
		for _, client := range clients {
			if client.HTTP2() && !viaHTTP2(name) {
				registerNotThrough(name, client)
				continue
			}
			cfg, err := projectConfig(name, client)
			if err != nil {
				return err
			}
			suites.Register(cfg)
		}
	}
	return nil
}

// registerNotThrough registers one skipped spec for a target the HTTP/2
// clients are not run through, so that the report says so.
func registerNotThrough(name string, client scenarios.Client) {
	Describe("gatecheck "+name+" "+string(client), Label("gatecheck", string(client)), func() {
		It("runs through "+string(client), func() {
			Skip(name + " is not in the targets the HTTP/2 clients run through (-gatecheck.h2-targets or GATECHECK_H2_TARGETS)")
		})
	})
}

func registerMissing(name string) {
	Describe("gatecheck "+name, Label("gatecheck"), func() {
		It("needs "+name+" installed", func() {
			err := targets.Unavailable(name)
			if errors.Is(err, targets.ErrRequired) {
				Fail(err.Error())
			}
			Skip(err.Error())
		})
	})
}
