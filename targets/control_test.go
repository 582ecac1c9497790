package targets

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/control"
	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/scenarios"
)

// TestExternalTargetControl checks a proxy and a fake upstream that both run
// without the harness, as with `gatecheck serve` next to a proxy in compose: the
// session loads scenarios, reads journals, waits at barriers and closes idle
// connections only through the control API. Retries, connection reuse and
// follow-ups depend on the journal, so their verdicts must equal those of the
// in-process run.
func TestExternalTargetControl(t *testing.T) {
	if testing.Short() {
		t.Skip("a catalogue slice run twice over real sockets; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	to := scenarios.DefaultTimeouts()
	up, err := fakeupstream.Start(fakeupstream.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	api, err := control.Start("127.0.0.1:0", up, to)
	if err != nil {
		t.Fatal(err)
	}
	defer api.Close()
	proxy := NewGoStdlib(to)
	addr, err := proxy.Start(ctx, up.Endpoints())
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Stop(context.Background())

	ext, err := New("http://"+addr+"?control=http://"+api.Addr(), to)
	if err != nil {
		t.Fatal(err)
	}
	picked := scenarios.Select(scenarios.Builtin(), []string{"conn/*", "pass/ok", "body/*", "retry/*", "timeout/*"})
	rep, err := harness.Run(ctx, ext, picked, harness.Options{Parallel: 8})
	if err != nil {
		t.Fatal(err)
	}
	direct, err := harness.Run(ctx, NewGoStdlib(to), picked, harness.Options{Parallel: 8})
	if err != nil {
		t.Fatal(err)
	}
	retimed := 0
	for i, r := range rep.Results {
		d := direct.Results[i]
		if picked[i].Timeouts != nil {
			// A scenario with its own declared timeouts cannot run on an
			// external target, whose timeouts are fixed by whoever started
			// it: it is skipped, and says why, never passed.
			retimed++
			if r.Verdict != scenarios.VerdictSkip || !strings.Contains(r.Actual, "external target's timeouts") {
				t.Errorf("%s declares its own timeouts: through the control API got %s %s (%s); want a skip that says why", r.ID, r.Verdict, r.Outcome, r.Actual)
			}
			continue
		}
		if r.Verdict != d.Verdict || r.Outcome != d.Outcome {
			t.Errorf("%s: through the control API got %s %s; in-process got %s %s", r.ID, r.Verdict, r.Outcome, d.Verdict, d.Outcome)
		}
		if r.Verdict == scenarios.VerdictError {
			t.Errorf("%s: error: %s", r.ID, r.Actual)
		}
	}
	if retimed == 0 {
		t.Error("no scenario in the slice declares its own timeouts: the skip on an external target is untested")
	}
	t.Logf("%d scenarios through the control API in %dms", len(rep.Results), rep.ElapsedMS)
}
