package targets

import (
	"context"
	"errors"
	"io/fs"
	"log"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/scenarios"
)

// TestGoStdlibCatalogue runs the whole built-in catalogue against go-stdlib once
// and checks three things of that one run: every verdict and outcome matches the
// committed baseline, no scenario ends in error, and the run leaves no goroutine
// or file descriptor behind.
func TestGoStdlibCatalogue(t *testing.T) {
	if testing.Short() {
		t.Skip("the full catalogue takes a few seconds; skipped with -short")
	}
	log.SetOutput(StdLog)
	defer log.SetOutput(os.Stderr)
	goroutines, fds := runtime.NumGoroutine(), openFDs(t)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := harness.Run(ctx, NewGoStdlib(scenarios.DefaultTimeouts()), scenarios.Builtin(), harness.Options{})
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	for _, r := range rep.Results {
		if r.Verdict == scenarios.VerdictError {
			t.Errorf("%s: error: %s", r.ID, r.Actual)
		}
	}
	base, err := harness.LoadBaseline("../suites/baselines/go-stdlib.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range base.Compare(rep) {
		t.Errorf("baseline: %s", d)
	}

	// Leak check: everything the run started has ended. Goroutines of the
	// runtime and the testing package may come and go, so allow a small margin,
	// and give closing sockets a bounded moment to be reaped.
	deadline := time.Now().Add(5 * time.Second)
	for {
		g, f := runtime.NumGoroutine(), openFDs(t)
		if g <= goroutines+2 && f <= fds {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("after the run: %d goroutines (before %d), %d open fds (before %d)", g, goroutines, f, fds)
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func openFDs(t testing.TB) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	return len(entries)
}

// TestGoStdlibListeners sends a request through go-stdlib over each of its
// listeners: HTTP/1.1, h2c by prior knowledge and TLS with ALPN h2. No file
// of its certificates stays on disk, and after Stop HTTP2 says the target is
// not started.
func TestGoStdlibListeners(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	g := NewGoStdlib(scenarios.DefaultTimeouts())
	if _, err := g.HTTP2(scenarios.ClientH2); !errors.Is(err, errNotStarted) {
		t.Errorf("HTTP2 before Start: %v; want not started", err)
	}
	s, err := harness.Open(ctx, g, harness.Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkListeners(ctx, t, g, s.Addr(), s.Upstream(), scenarios.ClientH2, scenarios.ClientH2TLS)
	// h2c by prior knowledge only: an HTTP/1.1 request there is refused.
	l, err := g.HTTP2(scenarios.ClientH2)
	if err != nil {
		t.Fatal(err)
	}
	if status, _, err := h1Get(ctx, l.Addr, fakeupstream.PathPrefix+"ready"); err == nil && status < 400 {
		t.Errorf("HTTP/1.1 on the h2c listener: %d; want it refused", status)
	}
	// The certificates live in memory only: their files went at once.
	if _, err := os.Stat(g.certs.Dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("while running: certificates' dir %s still there (%v)", g.certs.Dir, err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := g.HTTP2(scenarios.ClientH2TLS); !errors.Is(err, errNotStarted) {
		t.Errorf("HTTP2 after Stop: %v; want not started", err)
	}
	if _, err := g.HTTP2(scenarios.ClientH1); err == nil {
		t.Error("HTTP2(h1): no error")
	}
}
