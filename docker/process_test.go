package docker

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/targets"
)

// processRun is one proxy's process target, run once over the catalogue and
// kept open for reruns; the container and compose tests share it.
type processRun struct {
	once    sync.Once
	session *harness.Session
	results []harness.Result
	elapsed time.Duration
	err     error
}

var (
	processMu   sync.Mutex
	processRuns = map[string]*processRun{}
)

// processResults runs the catalogue's slice (sliceGlobs) against kind's process target the first
// time it is asked for (concurrent callers wait for that run), and returns it.
// TestMain has put the static Caddy first in PATH.
func processResults(t testing.TB, kind string) *processRun {
	t.Helper()
	processMu.Lock()
	r, ok := processRuns[kind]
	if !ok {
		r = &processRun{}
		processRuns[kind] = r
	}
	processMu.Unlock()
	r.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		proc, err := targets.NewProcess(kind, scenarios.DefaultTimeouts())
		if err == nil {
			r.session, err = harness.Open(ctx, proc, harness.Options{})
		}
		if err != nil {
			r.err = err
			return
		}
		start := time.Now()
		r.results = r.session.RunAll(ctx, slice(), harness.Options{})
		r.elapsed = time.Since(start)
	})
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r
}

// closeProcesses stops every process target processResults started.
func closeProcesses() {
	processMu.Lock()
	defer processMu.Unlock()
	for _, r := range processRuns {
		if r.session != nil {
			_ = r.session.Close(context.Background())
		}
	}
}
