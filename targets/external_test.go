package targets

import (
	"context"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/scenarios"
)

// TestExternalTarget checks a proxy gatecheck did not start, the way a user's CI
// does: a fake upstream on its own, a proxy configured to route to it (here Go's
// ReverseProxy, started by the test as a user would start theirs), and a run
// against the proxy's address. The verdicts must equal those of the in-process
// target for the same proxy.
func TestExternalTarget(t *testing.T) {
	if testing.Short() {
		t.Skip("a catalogue slice run twice over real sockets; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	up, err := fakeupstream.Start(fakeupstream.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	to := scenarios.DefaultTimeouts()
	proxy := NewGoStdlib(to)
	addr, err := proxy.Start(ctx, up.Endpoints())
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Stop(context.Background())

	ext, err := New("http://"+addr, to)
	if err != nil {
		t.Fatal(err)
	}
	all := scenarios.Builtin()
	picked := scenarios.Select(all, []string{"conn/*", "pass/ok", "body/truncated-chunked", "retry/*"})
	rep, err := harness.Run(ctx, ext, picked, harness.Options{Upstream: up})
	if err != nil {
		t.Fatal(err)
	}
	direct, err := harness.Run(ctx, NewGoStdlib(to), picked, harness.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rep.Results {
		d := direct.Results[i]
		if r.Verdict != d.Verdict || r.Outcome != d.Outcome {
			t.Errorf("%s: external got %s %s; in-process got %s %s", r.ID, r.Verdict, r.Outcome, d.Verdict, d.Outcome)
		}
		if r.Verdict == scenarios.VerdictError {
			t.Errorf("%s: error: %s", r.ID, r.Actual)
		}
	}
}

// TestExternalTargetWrongRoute checks that a proxy whose routes do not reach the
// fake upstream is refused with an error naming the route, before any scenario.
func TestExternalTargetWrongRoute(t *testing.T) {
	t.Parallel() // it mostly waits out the readiness probe
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	up, err := fakeupstream.Start(fakeupstream.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	other, err := fakeupstream.Start(fakeupstream.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	proxy := NewGoStdlib(scenarios.DefaultTimeouts())
	addr, err := proxy.Start(ctx, other.Endpoints()) // routes to the wrong upstream
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Stop(context.Background())
	ext, err := New("http://"+addr, scenarios.DefaultTimeouts())
	if err != nil {
		t.Fatal(err)
	}
	_, err = harness.Run(ctx, ext, scenarios.Select(scenarios.Builtin(), []string{"pass/ok"}), harness.Options{Upstream: up})
	if err == nil {
		t.Fatal("got no error for a proxy that routes elsewhere")
	}
	t.Log(err)
}
