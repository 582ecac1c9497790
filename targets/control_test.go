package targets

import (
	"context"
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

	ext, err := harness.NewExternal("http://"+addr, to)
	if err != nil {
		t.Fatal(err)
	}
	ext.WithControl("http://" + api.Addr())
	picked := scenarios.Select(scenarios.Builtin(), []string{"conn/*", "pass/ok", "body/*", "retry/*", "timeout/*"})
	rep, err := harness.Run(ctx, ext, picked, harness.Options{Parallel: 8})
	if err != nil {
		t.Fatal(err)
	}
	direct, err := harness.Run(ctx, NewGoStdlib(to), picked, harness.Options{Parallel: 8})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rep.Results {
		d := direct.Results[i]
		if r.Verdict != d.Verdict || r.Outcome != d.Outcome {
			t.Errorf("%s: through the control API got %s %s; in-process got %s %s", r.ID, r.Verdict, r.Outcome, d.Verdict, d.Outcome)
		}
		if r.Verdict == harness.Error {
			t.Errorf("%s: error: %s", r.ID, r.Actual)
		}
	}
	t.Logf("%d scenarios through the control API in %dms", len(rep.Results), rep.ElapsedMS)
}
