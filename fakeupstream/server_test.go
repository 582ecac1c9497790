package fakeupstream

import (
	"bufio"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func TestAttemptsCountRequestsWithOneToken(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	path, token := addScript(t, s, Read{}, Write{[]byte(ok200)})
	for range 2 {
		c := dial(t, s.Endpoints().Main)
		send(t, c, get(path))
		if got := readResponse(t, bufio.NewReader(c)); got != ok200 {
			t.Fatalf("got %q; want %q", got, ok200)
		}
	}
	rec := waitFor(t, s, token, "two attempts", func(r Record) bool {
		return r.Attempts(0) == 2 && !r.Requests[1].Done.IsZero()
	})
	if got := len(rec.Connections); got != 2 {
		t.Errorf("%d connections; want 2", got)
	}
	for _, q := range rec.Requests {
		if q.Method != "GET" || q.Target != path || !strings.HasPrefix(string(q.Head), "GET "+path) || q.ScenarioID == "" {
			t.Errorf("journaled request %+v; want GET %s", q, path)
		}
	}
}

func TestOpenScriptRoutesNextRequestByItsPath(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	first, token1 := addScript(t, s, Read{}, Write{[]byte(ok200)})
	second, token2 := addScript(t, s, Read{}, Write{[]byte("HTTP/1.1 204 No Content\r\n\r\n")}, Close{})
	c := dial(t, s.Endpoints().Main)
	br := bufio.NewReader(c)
	send(t, c, get(first))
	if got := readResponse(t, br); got != ok200 {
		t.Fatalf("first response %q; want %q", got, ok200)
	}
	send(t, c, get(second))
	got, err := readToError(br)
	if string(got) != "HTTP/1.1 204 No Content\r\n\r\n" || err != io.EOF {
		t.Fatalf("second response %q, %v; want the 204 and io.EOF", got, err)
	}
	r1 := s.Journal(token1)
	r2 := waitFor(t, s, token2, "the second request", connClosed)
	if len(r1.Connections) != 1 || r1.Connections[0].ID != r2.Connections[0].ID {
		t.Fatalf("connections %+v and %+v; want the same one", r1.Connections, r2.Connections)
	}
	if got := r2.Connections[0].Requests; got != 2 {
		t.Errorf("connection carried %d requests; want 2", got)
	}
}

func TestReadHeadThenBody(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	tests := []struct {
		name    string
		request string
		bodyLen int64
	}{
		{"content-length", "POST %s HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789", 10},
		{"chunked", "POST %s HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4;x=y\r\ndefg\r\n0\r\nT: v\r\n\r\n", 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path, token := addScript(t, s, Read{What: ReadHead}, Mark{Label: "head"}, Read{What: ReadBody}, Write{[]byte(ok200)})
			c := dial(t, s.Endpoints().Main)
			send(t, c, strings.Replace(tt.request, "%s", path, 1))
			br := bufio.NewReader(c)
			readResponse(t, br)
			send(t, c, get(requestPath(readyID, token, 1)))
			if got := readResponse(t, br); got != readyResponse {
				t.Errorf("next request on the connection got %q; want the ready response", got)
			}
			q, _ := waitFor(t, s, token, "the script", requestDone(0)).First(0)
			if q.BodyLen != tt.bodyLen || q.Err != "" {
				t.Errorf("body length %d, err %q; want %d, none", q.BodyLen, q.Err, tt.bodyLen)
			}
		})
	}
}

func TestExpectContinueIsLeftToTheScript(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	const cont = "HTTP/1.1 100 Continue\r\nX-Gatecheck-Interim: 1\r\n\r\n"
	path, token := addScript(t, s, Read{What: ReadHead}, Write{[]byte(cont)}, Read{What: ReadBody}, Write{[]byte(ok200)})
	c := dial(t, s.Endpoints().Main)
	send(t, c, "PUT "+path+" HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
	br := bufio.NewReader(c)
	if got := readResponse(t, br); got != cont {
		t.Fatalf("got %q; want the script's own 100", got)
	}
	send(t, c, "body")
	if got := readResponse(t, br); got != ok200 {
		t.Fatalf("got %q; want %q", got, ok200)
	}
	q, _ := waitFor(t, s, token, "the script", requestDone(0)).First(0)
	if q.BodyLen != 4 {
		t.Errorf("body length %d; want 4", q.BodyLen)
	}
}

func TestUnreadBodyIsReadBeforeTheNextRequest(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	path, token := addScript(t, s, Write{[]byte(ok200)})
	c := dial(t, s.Endpoints().Main)
	br := bufio.NewReader(c)
	send(t, c, "POST "+path+" HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"+get(requestPath(readyID, token, 1)))
	readResponse(t, br)
	if got := readResponse(t, br); got != readyResponse {
		t.Errorf("next request got %q; want the ready response", got)
	}
	q, _ := waitFor(t, s, token, "the body length", requestDone(1)).First(0)
	if q.BodyLen != 5 {
		t.Errorf("body length %d; want 5", q.BodyLen)
	}
}

func TestScriptReadsTheNextRequestItself(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	path, token := addScript(t, s, Read{}, Write{[]byte(ok200)}, Read{}, Write{[]byte("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext")}, Close{})
	c := dial(t, s.Endpoints().Main)
	br := bufio.NewReader(c)
	send(t, c, get(path))
	readResponse(t, br)
	// The barrier the harness uses: request 0 is done before request 1 is sent.
	waitFor(t, s, token, "request 0", requestDone(0))
	// The path names no script: the running script answers it anyway.
	send(t, c, get(requestPath("no/such/scenario", token, 1)))
	got, err := readToError(br)
	if string(got) != "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext" || err != io.EOF {
		t.Fatalf("got %q, %v; want the script's second response and io.EOF", got, err)
	}
	rec := waitFor(t, s, token, "request 1", requestDone(1))
	q0, _ := rec.First(0)
	q1, _ := rec.First(1)
	if q0.Conn != q1.Conn || q1.ScenarioID != "no/such/scenario" || q1.Err != "" {
		t.Errorf("requests %+v and %+v; want both on one connection, the second with its own id", q0, q1)
	}
	if q1.FirstWrite.IsZero() || q0.LastWrite.After(q1.FirstWrite) {
		t.Errorf("write times: request 0 last %v, request 1 first %v", q0.LastWrite, q1.FirstWrite)
	}
}

func TestNotFoundKeepsTheConnection(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	if err := s.Add("known", []Script{{Steps: []Step{Read{}, Write{[]byte(ok200)}}}}); err != nil {
		t.Fatal(err)
	}
	token := newToken(t)
	c := dial(t, s.Endpoints().Main)
	br := bufio.NewReader(c)
	for _, tt := range []struct{ path, reason string }{
		{requestPath("unknown", token, 0), `no scenario "unknown"`},
		{requestPath("known", token, 1), `scenario "known" has no script for request 1`},
		{"/elsewhere", "does not start with"},
		{PathPrefix + "known/0", "want <id>/<token>/<index>"},
	} {
		send(t, c, "POST "+tt.path+" HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc")
		got := readResponse(t, br)
		if !strings.HasPrefix(got, "HTTP/1.1 404 Not Found\r\n") || !strings.Contains(got, tt.reason) {
			t.Errorf("%s: got %q; want a 404 saying %q", tt.path, got, tt.reason)
		}
	}
	send(t, c, get(requestPath("known", token, 0)))
	if got := readResponse(t, br); got != ok200 {
		t.Errorf("after the 404s got %q; want %q", got, ok200)
	}
	rec := waitFor(t, s, token, "request 0", requestDone(0))
	if rec.Attempts(0) != 2 || rec.Attempts(1) != 1 || !strings.Contains(rec.Requests[0].Err, "no scenario") {
		t.Errorf("journal %+v; want two attempts of 0 (the first with an error) and one of 1", rec.Requests)
	}
	if bad := s.Journal(""); bad.Attempts(-1) != 2 {
		t.Errorf("requests without a token: %d; want 2 under the empty token", bad.Attempts(-1))
	}
}

func TestReadyProbe(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	c := dial(t, s.Endpoints().Main)
	br := bufio.NewReader(c)
	for _, path := range []string{PathPrefix + "ready", RefusedPrefix + "ready/tok/0", PathPrefix + "ready/" + newToken(t) + "/0"} {
		send(t, c, get(path))
		if got := readResponse(t, br); got != readyResponse {
			t.Errorf("%s: got %q; want %q", path, got, readyResponse)
		}
	}
	if err := s.Add(readyID, nil); err == nil {
		t.Errorf("Add(%q) succeeded; want an error", readyID)
	}
}

func TestHeadTooLarge(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{MaxHeadBytes: 1024})
	path, token := addScript(t, s, Read{}, Write{[]byte(ok200)})
	c := dial(t, s.Endpoints().Main)
	send(t, c, "GET "+path+" HTTP/1.1\r\nX-Big: "+strings.Repeat("a", 2048)+"\r\n\r\n")
	got, err := readToError(c)
	if !strings.HasPrefix(string(got), "HTTP/1.1 431 ") || err != io.EOF {
		t.Errorf("got %q, %v; want a 431 and io.EOF", got, err)
	}
	q, _ := waitFor(t, s, token, "the refused head", requestDone(0)).First(0)
	if !strings.Contains(q.Err, "too large") {
		t.Errorf("Err = %q; want it to say the head is too large", q.Err)
	}
}

func TestBodyTooLarge(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{MaxBodyBytes: 10})
	path, token := addScript(t, s, Read{}, Write{[]byte(ok200)})
	c := dial(t, s.Endpoints().Main)
	send(t, c, "POST "+path+" HTTP/1.1\r\nContent-Length: 11\r\n\r\n01234567890")
	got, _ := readToError(c)
	if len(got) != 0 {
		t.Errorf("got %q; want nothing", got)
	}
	q, _ := waitFor(t, s, token, "the script to stop", requestDone(0)).First(0)
	if !strings.Contains(q.Err, "exceeds 10 bytes") {
		t.Errorf("Err = %q; want it to name the bound", q.Err)
	}
}

func TestScriptStopsWhenThePeerLeaves(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	path, token := addScript(t, s, Read{}, Write{[]byte("x")}, Read{}, Write{[]byte("y")})
	c := dial(t, s.Endpoints().Main)
	send(t, c, get(path))
	if _, err := io.ReadFull(c, make([]byte, 1)); err != nil {
		t.Fatal(err)
	}
	_ = c.Close()
	rec := waitFor(t, s, token, "the script to stop", func(r Record) bool { return requestDone(0)(r) && connClosed(r) })
	if q, _ := rec.First(0); q.Err == "" {
		t.Errorf("Err empty; want why the script stopped")
	}
	if by := rec.Connections[0].ClosedBy; by != ClosedByProxy {
		t.Errorf("closed by %q; want %q", by, ClosedByProxy)
	}
}

func TestAddAndReplace(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	if err := s.Add("x", nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Add("x", nil); !errors.Is(err, ErrAlreadyAdded) || err.Error() != `add scenario "x": already added` {
		t.Errorf("Add(x) again: got %v; want ErrAlreadyAdded", err)
	}
	for _, id := range []string{"", readyID, "a b"} {
		if err := s.Add(id, nil); err == nil || errors.Is(err, ErrAlreadyAdded) {
			t.Errorf("Add(%q): got %v; want an error that it cannot name a scenario", id, err)
		}
	}
	s.Replace("x", []Script{{Steps: []Step{Read{}, Write{[]byte(ok200)}}}})
	c := dial(t, s.Endpoints().Main)
	send(t, c, get(requestPath("x", newToken(t), 0)))
	if got := readResponse(t, bufio.NewReader(c)); got != ok200 {
		t.Errorf("after Replace got %q; want %q", got, ok200)
	}
}

func TestConnLifetime(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{MaxConnLifetime: 100 * time.Millisecond})
	c := dial(t, s.Endpoints().Main)
	start := time.Now()
	got, err := readToError(c)
	if len(got) != 0 || (err != io.EOF && !isReset(err)) {
		t.Errorf("got %q, %v; want the connection closed", got, err)
	}
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Errorf("closed after %v; want within 3s of the 100ms lifetime", elapsed)
	}
}

func TestCloseIdle(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	path, token := addScript(t, s, Read{}, Write{[]byte(ok200)})
	busyPath, busyToken := addScript(t, s, Read{}, Hang{})
	idle := dial(t, s.Endpoints().Main)
	send(t, idle, get(path))
	readResponse(t, bufio.NewReader(idle))
	waitFor(t, s, token, "the script to end", requestDone(0))
	busy := dial(t, s.Endpoints().Main)
	send(t, busy, get(busyPath))
	waitFor(t, s, busyToken, "the hang to start", func(r Record) bool { return r.Attempts(0) == 1 })

	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		done <- s.CloseIdle(ctx)
	}()
	// The idle connection gets a FIN; the proxy (here the client) closes in turn.
	if got, err := readToError(idle); len(got) != 0 || err != io.EOF {
		t.Fatalf("idle connection: got %q, %v; want io.EOF", got, err)
	}
	_ = idle.Close()
	if err := <-done; err != nil {
		t.Fatalf("CloseIdle: %v", err)
	}
	if by := s.Journal(token).Connections[0].ClosedBy; by != ClosedByUpstream {
		t.Errorf("idle connection closed by %q; want %q", by, ClosedByUpstream)
	}
	if rec := s.Journal(busyToken); !rec.Connections[0].Closed.IsZero() {
		t.Errorf("CloseIdle closed a connection playing a script")
	}
}

func TestCloseIdleGivesUpAtTheDeadline(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	path, token := addScript(t, s, Read{}, Write{[]byte(ok200)})
	c := dial(t, s.Endpoints().Main)
	send(t, c, get(path))
	readResponse(t, bufio.NewReader(c))
	waitFor(t, s, token, "the script to end", requestDone(0))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := s.CloseIdle(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "1 of 1") {
		t.Errorf("CloseIdle = %v; want 1 of 1 still open and the deadline", err)
	}
	waitFor(t, s, token, "the connection to end", connClosed)
}

func TestWaitEndsWhenTheServerCloses(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	done := make(chan error, 1)
	go func() {
		_, err := s.Wait(context.Background(), "never", func(Record) bool { return false })
		done <- err
	}()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, errServerClosed) {
		t.Errorf("Wait = %v; want the server-closed error", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v; want nil", err)
	}
}
