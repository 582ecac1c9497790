package harness

import (
	"bufio"
	"cmp"
	"context"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/scenarios"
)

// pooling is a minimal proxy that keeps one upstream connection for the next
// request and never checks it before reuse: after an upstream's response and FIN,
// the next request goes out on the closed connection and gets a 502. It serves one
// GET per client connection, with Content-Length responses only.
type pooling struct {
	ln   net.Listener
	wg   sync.WaitGroup
	mu   sync.Mutex
	idle net.Conn
	main string
}

var _ Target = (*pooling)(nil)

func (p *pooling) Timeouts() scenarios.Timeouts { return scenarios.DefaultTimeouts() }
func (p *pooling) String() string               { return "pooling relay" }

func (p *pooling) Start(ctx context.Context, eps fakeupstream.Endpoints) (string, error) {
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	p.ln, p.main = ln, eps.Main
	p.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.wg.Go(func() { p.serve(c) })
		}
	})
	return ln.Addr().String(), nil
}

func (p *pooling) Stop(context.Context) error {
	err := p.ln.Close()
	p.mu.Lock()
	if p.idle != nil {
		_ = p.idle.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
	return err
}

func (p *pooling) serve(c net.Conn) {
	defer c.Close()
	head, err := readHeadTest(bufio.NewReader(c))
	if err != nil {
		return
	}
	p.mu.Lock()
	u := p.idle
	p.idle = nil
	p.mu.Unlock()
	if u == nil {
		if u, err = net.Dial("tcp", p.main); err != nil {
			return
		}
	}
	resp, err := roundTrip(u, head)
	if err != nil {
		_ = u.Close()
		_, _ = io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
		return
	}
	p.mu.Lock()
	if p.idle != nil {
		_ = p.idle.Close()
	}
	p.idle = u
	p.mu.Unlock()
	_, _ = io.WriteString(c, resp)
}

// roundTrip writes a request head on u and reads one Content-Length response.
func roundTrip(u net.Conn, head string) (string, error) {
	if _, err := io.WriteString(u, head); err != nil {
		return "", err
	}
	br := bufio.NewReader(u)
	resp, err := readHeadTest(br)
	if err != nil {
		return "", err
	}
	n := 0
	for line := range strings.SplitSeq(resp, "\r\n") {
		if name, value, ok := strings.Cut(line, ":"); ok && strings.EqualFold(name, "Content-Length") {
			n, _ = strconv.Atoi(strings.TrimSpace(value))
		}
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(br, body); err != nil {
		return "", err
	}
	return resp + string(body), nil
}

// readHeadTest reads up to and including the empty line.
func readHeadTest(br *bufio.Reader) (string, error) {
	var b strings.Builder
	for {
		line, err := br.ReadString('\n')
		b.WriteString(line)
		if err != nil {
			return "", err
		}
		if line == "\r\n" {
			return b.String(), nil
		}
	}
}

// TestStrayRequestRunsAgain: a scenario whose request the proxy sent on a pooled
// connection that the previous scenario's script had closed is run again, and
// judged on the run whose request reached its own script.
func TestStrayRequestRunsAgain(t *testing.T) {
	scs, err := scenarios.Parse("stray.yaml", []byte(`id: stray/closer
summary: a complete keep-alive response, then FIN
spec:
  section: RFC 9110 §15.6.3
  quote: x
level: may
upstream:
  - read: request
  - write: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'
  - close
expect:
  pass: [passthrough]
examples:
  - name: relayed
    verdict: pass
    client:
      - write: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'
  - name: replaced
    verdict: fail
    client:
      - write: 'HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n'
---
id: stray/victim
summary: a valid response
spec:
  section: RFC 9110 §15.6.3
  quote: x
level: may
upstream:
  - read: request
  - write: 'HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nvictim'
expect:
  pass: [passthrough]
examples:
  - name: relayed
    verdict: pass
    client:
      - write: 'HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nvictim'
  - name: replaced
    verdict: fail
    client:
      - write: 'HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n'
`))
	if err != nil {
		t.Fatal(err)
	}
	target := &pooling{}
	s, err := Open(t.Context(), target, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := s.Close(context.Background()); err != nil {
			t.Error(err)
		}
	}()
	// The readiness probe left its keep-alive connection in the pool: the
	// closer's request rides it, and the closer's script closes it after its
	// response, with the relay still holding it.
	if r := s.Run(t.Context(), scs[0]); r.Verdict != scenarios.VerdictPass {
		t.Fatalf("%s: %s %s: %s", r.ID, r.Verdict, r.Outcome, r.Actual)
	}
	r := s.Run(t.Context(), scs[1])
	if r.Verdict != scenarios.VerdictPass || r.Outcome != "passthrough" {
		t.Errorf("%s: %s %s: %s; want pass passthrough from the run again", r.ID, r.Verdict, r.Outcome, r.Actual)
	}
	if len(r.Notes) == 0 || !strings.Contains(strings.Join(r.Notes, "\n"), "once run again") {
		t.Errorf("%s: notes %q; want one saying the run was run again", r.ID, r.Notes)
	}
}

// shortcut is a relay to the fake upstream that answers the first `skip` client
// connections itself, with a 504, without asking the upstream.
type shortcut struct {
	limited
	mu     sync.Mutex
	skip   int
	answer string // a 504 of its own when empty
}

func (sh *shortcut) Start(ctx context.Context, eps fakeupstream.Endpoints) (string, error) {
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	sh.ln = ln
	sh.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			sh.mu.Lock()
			own := sh.skip > 0
			sh.skip--
			sh.mu.Unlock()
			if own {
				sh.wg.Go(func() {
					defer c.Close()
					_, _ = readHeadTest(bufio.NewReader(c))
					answer := cmp.Or(sh.answer, "HTTP/1.1 504 Gateway Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
					_, _ = io.WriteString(c, answer)
				})
				continue
			}
			sh.wg.Go(func() { sh.relay(c, eps.Main) })
		}
	})
	return ln.Addr().String(), nil
}

// TestUnseenRequestRunsAgainOnce: a run whose request the upstream never saw is
// run once more, and both runs are graded: a rerun adds evidence but never
// replaces the failing run, whether the proxy then forwards the request or
// answers by itself again. The one exception is the proxy's own 5xx (no
// X-Gatecheck field) to a request it never forwarded, followed by a run again
// that reaches the upstream: that run alone is graded, and the set-aside
// answer is in the notes word for word.
func TestUnseenRequestRunsAgainOnce(t *testing.T) {
	scs, err := scenarios.Parse("unseen.yaml", []byte(`id: unseen/ok
summary: a valid response
spec:
  section: RFC 9110 §15.6.3
  quote: x
level: may
upstream:
  - read: request
  - write: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok'
  - close
expect:
  pass: [passthrough]
examples:
  - name: relayed
    verdict: pass
    client:
      - write: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'
  - name: replaced
    verdict: fail
    client:
      - write: 'HTTP/1.1 504 Gateway Timeout\r\nContent-Length: 0\r\n\r\n'
`))
	if err != nil {
		t.Fatal(err)
	}
	// An answer that carries the upstream's X-Gatecheck field is bytes from an
	// upstream (a poisoned connection, say), not the proxy's own error.
	relayed := "HTTP/1.1 502 Bad Gateway\r\nX-Gatecheck: elsewhere\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
	own := `the proxy answered with its own error without forwarding the request (the upstream saw no byte of it): "HTTP/1.1 504 Gateway Timeout"`
	again := "once run again: the upstream had not seen the request"
	for _, c := range []struct {
		skip    int
		answer  string
		verdict scenarios.Verdict
		actual  string
		note    string
	}{
		{1, "", scenarios.VerdictPass, "200, content-length", own},
		{2, "", scenarios.VerdictFail, "worst of 2 runs: 5xx ×2", again},
		{1, relayed, scenarios.VerdictFail, "worst of 2 runs: 5xx ×1, passthrough ×1", again},
		{2, relayed, scenarios.VerdictFail, "worst of 2 runs: 5xx ×2", again},
	} {
		// The readiness probe takes the first connection.
		target := &shortcut{skip: 0, answer: c.answer}
		s, err := Open(t.Context(), target, Options{})
		if err != nil {
			t.Fatal(err)
		}
		target.mu.Lock()
		target.skip = c.skip
		target.mu.Unlock()
		r := s.Run(t.Context(), scs[0])
		_ = s.Close(context.Background())
		if r.Verdict != c.verdict || !strings.Contains(r.Actual, c.actual) {
			t.Errorf("%d answered by the proxy: %s %s: %s; want %s (…%s)", c.skip, r.Verdict, r.Outcome, r.Actual, c.verdict, c.actual)
		}
		if !strings.Contains(strings.Join(r.Notes, "\n"), c.note) {
			t.Errorf("%d answered by the proxy (%q): notes %q; want %q", c.skip, c.answer, r.Notes, c.note)
		}
	}
}
