package fakeupstream

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// testTimeout bounds every wait of a test.
const testTimeout = 10 * time.Second

// ok200 is a complete keep-alive response.
const ok200 = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

// TestMain fails the run when goroutines outlive the tests.
func TestMain(m *testing.M) {
	base := runtime.NumGoroutine()
	code := m.Run()
	if code == 0 {
		if err := settleGoroutines(base, 5*time.Second); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}

// settleGoroutines waits until at most base goroutines run, polling with a
// deadline (a leak check, not synchronisation).
func settleGoroutines(base int, within time.Duration) error {
	deadline := time.Now().Add(within)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			n := runtime.Stack(buf, true)
			return fmt.Errorf("goroutine leak: %d running, want at most %d:\n%s", runtime.NumGoroutine(), base, buf[:n])
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil
}

// startServer starts a fake upstream that is closed when the test ends.
func startServer(t testing.TB, cfg Config) *Server {
	t.Helper()
	s, err := Start(cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// addScript registers one script for request 0 of a fresh scenario id and returns
// the path of that request with a fresh token.
func addScript(t testing.TB, s *Server, steps ...Step) (path, token string) {
	t.Helper()
	id := "test/" + newToken(t)
	if err := s.Add(id, []Script{{Steps: steps}}); err != nil {
		t.Fatalf("Add: %v", err)
	}
	token = newToken(t)
	return requestPath(id, token, 0), token
}

var tokenSeq atomic.Int64

// newToken returns a token no other call returns.
func newToken(t testing.TB) string {
	name := strings.NewReplacer("/", "-", " ", "-").Replace(t.Name())
	return strings.ToLower(name) + "-" + strconv.FormatInt(tokenSeq.Add(1), 10)
}

// requestPath is the path of request index of scenario id with token.
func requestPath(id, token string, index int) string {
	return PathPrefix + id + "/" + token + "/" + strconv.Itoa(index)
}

// get is a GET request head for path.
func get(path string) string {
	return "GET " + path + " HTTP/1.1\r\nHost: upstream\r\n\r\n"
}

// dial connects to addr; the connection has a deadline and is closed when the test
// ends.
func dial(t testing.TB, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, testTimeout)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	_ = c.SetDeadline(time.Now().Add(testTimeout))
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// send writes s to c.
func send(t testing.TB, c net.Conn, s string) {
	t.Helper()
	if _, err := io.WriteString(c, s); err != nil {
		t.Fatalf("write request: %v", err)
	}
}

// readToError reads from r until an error and returns the bytes and the error
// (io.EOF included).
func readToError(r io.Reader) ([]byte, error) {
	var out []byte
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			return out, err
		}
	}
}

// readResponse reads one response framed by Content-Length (or with no body) and
// returns its raw bytes.
func readResponse(t testing.TB, br *bufio.Reader) string {
	t.Helper()
	var raw strings.Builder
	length := 0
	for {
		line, err := br.ReadString('\n')
		raw.WriteString(line)
		if err != nil {
			t.Fatalf("read response head: %v (so far %q)", err, raw.String())
		}
		if line == "\r\n" {
			break
		}
		if name, value, ok := strings.Cut(line, ":"); ok && strings.EqualFold(name, "Content-Length") {
			length, _ = strconv.Atoi(strings.TrimSpace(value))
		}
	}
	body := make([]byte, length)
	if _, err := io.ReadFull(br, body); err != nil {
		t.Fatalf("read response body: %v", err)
	}
	raw.Write(body)
	return raw.String()
}

// waitFor waits until cond holds for the Record of token.
func waitFor(t testing.TB, s *Server, token string, what string, cond func(Record) bool) Record {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	rec, err := s.Wait(ctx, token, cond)
	if err != nil {
		t.Fatalf("wait for %s: %v\nrecord: %+v", what, err, rec)
	}
	return rec
}

// requestDone reports whether request index of the record has ended.
func requestDone(index int) func(Record) bool {
	return func(r Record) bool {
		q, ok := r.First(index)
		return ok && !q.Done.IsZero()
	}
}

// scriptDuration is the time s spends pausing by itself: the sum of its steps'
// pauses (a Sleep's, a Drip's between its pieces). A Hang is not counted.
func scriptDuration(s Script) time.Duration {
	var d time.Duration
	for _, st := range s.Steps {
		if k := KindOf(st); k.Pause != nil {
			d += k.Pause(ArgsOf(st))
		}
	}
	return d
}

// lateFor reports whether a request with the given index arrived late: on a
// connection the upstream had already closed (see Record.Late).
func lateFor(index int) func(Record) bool {
	return func(r Record) bool {
		for _, q := range r.Late {
			if q.Index == index {
				return true
			}
		}
		return false
	}
}

// connClosed reports whether every connection of the record has ended.
func connClosed(r Record) bool {
	if len(r.Connections) == 0 {
		return false
	}
	for _, c := range r.Connections {
		if c.Closed.IsZero() {
			return false
		}
	}
	return true
}

// isReset reports whether err is a TCP reset.
func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET)
}
