package bench

import (
	"context"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/control"
	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/targets"
)

// TestRemoteJournal loads go-stdlib as an external proxy whose fake upstream
// is reached through the control API only, as with gatecheck serve beside a
// proxy: journal reads go through the accountant's pool, and the figures
// must be as complete as with a local upstream.
func TestRemoteJournal(t *testing.T) {
	if testing.Short() {
		t.Skip("a 1s load")
	}
	up, err := fakeupstream.Start(fakeupstream.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	api, err := control.Start("127.0.0.1:0", up, fast)
	if err != nil {
		t.Fatal(err)
	}
	defer api.Close()
	proxy := targets.NewGoStdlib(fast)
	addr, err := proxy.Start(context.Background(), up.Endpoints())
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Stop(context.Background())
	ext, err := targets.NewExternal("http://"+addr, fast)
	if err != nil {
		t.Fatal(err)
	}
	tr := run(t, ext.WithControl("http://"+api.Addr()), Config{
		Mix: mustMix(t, "pass/ok=8,conn/reset-before-response=2"), Rate: 100, Duration: time.Second, Timeouts: fast})
	if tr.Completed != 100 || len(tr.ClientErrors) > 0 {
		t.Fatalf("completed %d, client errors %v; want 100, none", tr.Completed, tr.ClientErrors)
	}
	if _, ok := row(tr, "conn/reset-before-response", "502"); !ok {
		t.Errorf("outcomes %+v; want 502 for the resets", tr.Outcomes)
	}
	if u := tr.Upstream; u.Requests < 100 || u.Unseen != 0 || u.Connections == 0 {
		t.Errorf("upstream %+v; want every request seen, new connections for the resets", u)
	}
}
