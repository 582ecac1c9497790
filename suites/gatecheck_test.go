package suites_test

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"

	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/suites"
	_ "github.com/gatecheck/gatecheck/targets"
)

// Flags of the project's suite: go test ./suites -args -gatecheck.target=NAME.
var (
	targetFlag   = flag.String("gatecheck.target", "", "the proxy under test: go-stdlib or http://HOST:PORT (default $GATECHECK_TARGET, else go-stdlib)")
	upstreamFlag = flag.String("gatecheck.upstream", "", "where the fake upstream listens, for an external target (default a free loopback port)")
	connectFlag  = flag.Duration("gatecheck.connect-timeout", scenarios.DefaultTimeouts().Connect, "the target's declared upstream connect timeout")
	readFlag     = flag.Duration("gatecheck.read-timeout", scenarios.DefaultTimeouts().Read, "the target's declared upstream read timeout")
	retriesFlag  = flag.Int("gatecheck.retries", 0, "the target's declared upstream retries")
	failOnFlag   = flag.String("gatecheck.fail-on", "may", "lowest level whose failures fail a spec: must, should or may")
)

// projectConfig builds the suite's Config from the flags and the environment,
// with baselines/<target>.yaml as the baseline when it exists.
func projectConfig() (suites.Config, error) {
	name := *targetFlag
	if name == "" {
		name = os.Getenv("GATECHECK_TARGET")
	}
	if name == "" {
		name = "go-stdlib"
	}
	t := scenarios.Timeouts{Connect: *connectFlag, Read: *readFlag, Retries: *retriesFlag}
	target, err := harness.NewTarget(name, t)
	if err != nil {
		return suites.Config{}, err
	}
	cfg := suites.Config{
		Target:  target,
		FailOn:  scenarios.Level(*failOnFlag),
		Options: harness.Options{UpstreamAddr: *upstreamFlag},
	}
	switch cfg.FailOn {
	case scenarios.Must, scenarios.Should, scenarios.May:
	default:
		return suites.Config{}, fmt.Errorf("-gatecheck.fail-on %q: want must, should or may", *failOnFlag)
	}
	path := baselinePath(name)
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

// baselinePath is baselines/<target>.yaml, with anything but letters, digits,
// dots and dashes in the target's name replaced by "-" (http://127.0.0.1:8080
// becomes http-127.0.0.1-8080).
func baselinePath(target string) string {
	name := regexp.MustCompile(`[^A-Za-z0-9.-]+`).ReplaceAllString(target, "-")
	return filepath.Join("baselines", name+".yaml")
}

// registerProject registers the built-in catalogue against the configured target.
func registerProject(cfg suites.Config) {
	suites.Register(cfg)
}
