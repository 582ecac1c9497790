package bench

import (
	"context"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/targets"
)

// fast are short declared timeouts, so that stall scenarios end quickly.
var fast = scenarios.Timeouts{Connect: 200 * time.Millisecond, Read: 200 * time.Millisecond}

// mustMix parses a mix from the built-in catalogue.
func mustMix(t testing.TB, spec string) *Mix {
	t.Helper()
	m, err := ParseMix(spec, scenarios.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// run runs cfg against target with a bound on the whole run, and fails the
// test on an error.
func run(t testing.TB, target harness.Target, cfg Config) *TargetReport {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tr, err := Run(ctx, target, cfg)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return tr
}

// goStdlib is the in-process proxy with the fast timeouts.
func goStdlib() harness.Target { return targets.NewGoStdlib(fast) }

// row finds the OutcomeStats of a scenario and outcome.
func row(tr *TargetReport, scenario, outcome string) (OutcomeStats, bool) {
	for _, o := range tr.Outcomes {
		if o.Scenario == scenario && o.Outcome == outcome {
			return o, true
		}
	}
	return OutcomeStats{}, false
}

// openFDs counts this process's open descriptors.
func openFDs(t testing.TB) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	return len(entries)
}

// checkNothingLeft fails the test unless goroutines and open descriptors come
// back to what they were, within a bounded wait for closing sockets to be
// reaped.
func checkNothingLeft(t testing.TB, goroutines, fds int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		g, f := runtime.NumGoroutine(), openFDs(t)
		if g <= goroutines+2 && f <= fds {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			n := runtime.Stack(buf, true)
			t.Errorf("after the run: %d goroutines (before %d), %d open fds (before %d)\n%s", g, goroutines, f, fds, buf[:n])
			return
		}
		time.Sleep(20 * time.Millisecond) // polling the runtime's own bookkeeping
	}
}
