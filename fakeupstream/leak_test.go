package fakeupstream

import (
	"bufio"
	"context"
	"runtime"
	"testing"
	"time"
)

// TestCloseEndsEverything leaves the server with connections in every state — idle,
// mid-sleep, hanging, half-closed, mid-head — and a Wait in progress, and checks
// that Close ends every goroutine. It does not run in parallel, so the goroutine
// count is its own.
func TestCloseEndsEverything(t *testing.T) {
	base := runtime.NumGoroutine()
	s, err := Start(Config{})
	if err != nil {
		t.Fatal(err)
	}
	idlePath, idleToken := addScript(t, s, Read{}, Write{[]byte(ok200)})
	sleepPath, sleepToken := addScript(t, s, Read{}, Sleep{D: time.Hour})
	hangPath, hangToken := addScript(t, s, Read{}, Hang{})
	halfPath, halfToken := addScript(t, s, Read{}, HalfClose{}, Read{})
	for _, path := range []string{idlePath, sleepPath, hangPath, halfPath} {
		c := dial(t, s.Endpoints().Main)
		send(t, c, get(path))
		if path == idlePath {
			readResponse(t, bufio.NewReader(c))
		}
	}
	send(t, dial(t, s.Endpoints().Main), "GET /gatecheck/partial")
	for _, token := range []string{idleToken, sleepToken, hangToken, halfToken} {
		waitFor(t, s, token, "the request", func(r Record) bool { return r.Attempts(0) == 1 })
	}
	waited := make(chan error, 1)
	go func() {
		_, err := s.Wait(context.Background(), "never", func(Record) bool { return false })
		waited <- err
	}()

	start := time.Now()
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Errorf("Close took %v; want at most 3s", elapsed)
	}
	if err := <-waited; err == nil {
		t.Errorf("Wait returned no error after Close")
	}
	for _, token := range []string{idleToken, sleepToken, hangToken, halfToken} {
		if rec := s.Journal(token); !connClosed(rec) || rec.Connections[0].ClosedBy != ClosedByUpstream {
			t.Errorf("token %s: connections %+v; want closed by the upstream", token, rec.Connections)
		}
	}
	if err := settleGoroutines(base, 5*time.Second); err != nil {
		t.Error(err)
	}
}
