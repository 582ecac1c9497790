package fakeupstream

import (
	"bufio"
	"context"
	"io"
	"testing"
)

// A request that a proxy sends on a connection after the script closed it (the
// FIN is on its way or already there) reaches no script: it is journaled as late
// under its own token, and is not an attempt.
func TestLateRequestAfterClose(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	path, token := addScript(t, s, Read{}, Write{[]byte(ok200)}, Close{})
	victimPath, victimToken := addScript(t, s, Read{}, Write{[]byte(ok200)})
	c := dial(t, s.Endpoints().Main)
	br := bufio.NewReader(c)
	send(t, c, get(path))
	readResponse(t, br)
	waitFor(t, s, token, "the script to close", requestDone(0))
	// The proxy has not noticed the FIN yet and reuses the connection.
	send(t, c, get(victimPath))
	rec := waitFor(t, s, victimToken, "the late request", lateFor(0))
	if n := rec.Attempts(0); n != 0 {
		t.Errorf("late request counted as %d attempts; want 0", n)
	}
	if len(rec.Connections) != 0 {
		t.Errorf("late request lists connections %+v; want none", rec.Connections)
	}
	if q := rec.Late[0]; q.Method != "GET" || q.Target != victimPath || q.ScenarioID == "" {
		t.Errorf("late request journaled as %+v", q)
	}
	if got, err := readToError(br); len(got) != 0 || err != io.EOF {
		t.Errorf("after the late request: got %q, %v; want nothing, then io.EOF", got, err)
	}
	if rec := s.Journal(token); rec.Attempts(0) != 1 || len(rec.Late) != 0 {
		t.Errorf("the closing script's record: %+v", rec)
	}
}

// A request sent on an idle connection that CloseIdle is draining is late too.
func TestLateRequestWhileDraining(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	path, token := addScript(t, s, Read{}, Write{[]byte(ok200)})
	victimPath, victimToken := addScript(t, s, Read{}, Write{[]byte(ok200)})
	c := dial(t, s.Endpoints().Main)
	br := bufio.NewReader(c)
	send(t, c, get(path))
	readResponse(t, br)
	waitFor(t, s, token, "the script to end", requestDone(0))
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		done <- s.CloseIdle(ctx)
	}()
	if got, err := readToError(br); len(got) != 0 || err != io.EOF {
		t.Fatalf("idle connection: got %q, %v; want io.EOF", got, err)
	}
	send(t, c, get(victimPath))
	rec := waitFor(t, s, victimToken, "the late request", lateFor(0))
	if n := rec.Attempts(0); n != 0 {
		t.Errorf("late request counted as %d attempts; want 0", n)
	}
	_ = c.Close()
	if err := <-done; err != nil {
		t.Fatalf("CloseIdle: %v", err)
	}
}

// A request sent on a connection whose script only waits for the peer to close
// (a Hang after a 'Connection: close' response, say) is late too, and the hang
// still sees the peer close first.
func TestLateRequestDuringHang(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	resp := "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"
	path, token := addScript(t, s, Read{}, Write{[]byte(resp)}, Hang{})
	victimPath, victimToken := addScript(t, s, Read{}, Write{[]byte(ok200)})
	c := dial(t, s.Endpoints().Main)
	br := bufio.NewReader(c)
	send(t, c, get(path))
	readResponse(t, br)
	waitFor(t, s, token, "the hang to start", requestDone(0))
	send(t, c, get(victimPath))
	rec := waitFor(t, s, victimToken, "the late request", lateFor(0))
	if n := rec.Attempts(0); n != 0 {
		t.Errorf("late request counted as %d attempts; want 0", n)
	}
	_ = c.Close()
	rec = waitFor(t, s, token, "the connection to end", connClosed)
	if by := rec.Connections[0].ClosedBy; by != ClosedByProxy {
		t.Errorf("closed by %q; want %q", by, ClosedByProxy)
	}
}

// Forget ends the scripts its token started: a script left waiting for a next
// request on its connection (the run is over, the proxy sent its follow-up
// elsewhere) closes its connection instead of answering another run's request.
func TestForgetEndsItsScripts(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	path, token := addScript(t, s, Read{}, Write{[]byte(ok200)}, Read{What: ReadRequest}, Close{})
	otherPath, otherToken := addScript(t, s, Read{}, Write{[]byte(ok200)})
	c := dial(t, s.Endpoints().Main)
	br := bufio.NewReader(c)
	send(t, c, get(path))
	readResponse(t, br)
	waitFor(t, s, token, "the first request", func(r Record) bool { return r.Attempts(0) == 1 })
	s.Forget(token)
	if got, err := readToError(br); len(got) != 0 || (err != io.EOF && !isReset(err)) {
		t.Fatalf("after Forget: got %q, %v; want the connection closed", got, err)
	}
	// Another run's request on a new connection is served as usual.
	c2 := dial(t, s.Endpoints().Main)
	send(t, c2, get(otherPath))
	if got := readResponse(t, bufio.NewReader(c2)); got != ok200 {
		t.Errorf("other run: got %q", got)
	}
	if n := s.Journal(otherToken).Attempts(0); n != 1 {
		t.Errorf("other run: %d attempts; want 1", n)
	}
}

// Forget also ends a script waiting for the rest of a body the proxy abandoned:
// another run's request sent on that connection would be read as body bytes.
func TestForgetEndsABodyWait(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	early := "HTTP/1.1 413 Content Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
	path, token := addScript(t, s, Read{What: ReadHead}, Write{[]byte(early)}, Read{What: ReadBody}, Close{})
	c := dial(t, s.Endpoints().Main)
	br := bufio.NewReader(c)
	send(t, c, "POST "+path+" HTTP/1.1\r\nHost: upstream\r\nContent-Length: 1000\r\n\r\npart of the body")
	readResponse(t, br)
	waitFor(t, s, token, "the request", func(r Record) bool { return r.Attempts(0) == 1 })
	s.Forget(token)
	if got, err := readToError(br); len(got) != 0 || (err != io.EOF && !isReset(err)) {
		t.Fatalf("after Forget: got %q, %v; want the connection closed", got, err)
	}
}
