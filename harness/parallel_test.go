package harness

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/scenarios"
)

// limited is a target with a parallelism limit: a plain TCP relay to the fake
// upstream's main endpoint.
type limited struct {
	limit int
	ln    net.Listener
	wg    sync.WaitGroup
}

var (
	_ Target     = (*limited)(nil)
	_ Paralleled = (*limited)(nil)
)

func (l *limited) Parallel() int                { return l.limit }
func (l *limited) Timeouts() scenarios.Timeouts { return scenarios.DefaultTimeouts() }
func (l *limited) String() string               { return fmt.Sprintf("limited to %d", l.limit) }

func (l *limited) Start(ctx context.Context, eps fakeupstream.Endpoints) (string, error) {
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	l.ln = ln
	l.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			l.wg.Go(func() { l.relay(c, eps.Main) })
		}
	})
	return ln.Addr().String(), nil
}

// relay copies both ways between the client and the upstream until either ends.
func (l *limited) relay(c net.Conn, upstream string) {
	defer c.Close()
	u, err := net.Dial("tcp", upstream)
	if err != nil {
		return
	}
	defer u.Close()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(u, c); done <- struct{}{} }()
	go func() { _, _ = io.Copy(c, u); done <- struct{}{} }()
	<-done
}

func (l *limited) Stop(context.Context) error {
	err := l.ln.Close()
	l.wg.Wait()
	return err
}

// unlimited is a target that says nothing of how many scenarios it takes.
type unlimited struct{ Target }

func (unlimited) String() string { return "unlimited" }

func TestParallelism(t *testing.T) {
	for _, c := range []struct {
		target Target
		asked  int
		want   int
	}{
		{&limited{limit: 0}, 0, defaultParallel},
		{&limited{limit: 0}, 3, 3},
		{&limited{limit: 1}, 0, 1},
		{&limited{limit: 1}, 8, 1},
		{&limited{limit: 4}, 2, 2},
		{unlimited{}, 0, defaultParallel},
		{unlimited{}, 5, 5},
	} {
		if got := Parallelism(c.target, c.asked); got != c.want {
			t.Errorf("Parallelism(%s, %d) = %d; want %d", c.target, c.asked, got, c.want)
		}
	}
}

// TestRunAllHonoursTargetParallel runs four scenarios whose upstream pauses 100ms
// each against a target limited to one at a time: the run takes at least the four
// pauses one after another, even though it asks for eight at once.
func TestRunAllHonoursTargetParallel(t *testing.T) {
	var doc strings.Builder
	for i := range 4 {
		fmt.Fprintf(&doc, `id: slow/one-%d
summary: a valid response after a pause
spec:
  section: RFC 9110 §15.6.3
  quote: x
level: may
upstream:
  - read: request
  - sleep: 100ms
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
      - write: 'HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n'
---
`, i)
	}
	scs, err := scenarios.Parse("slow.yaml", []byte(doc.String()))
	if err != nil {
		t.Fatal(err)
	}
	target := &limited{limit: 1}
	start := time.Now()
	rep, err := Run(t.Context(), target, scs, Options{Parallel: 8})
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Results {
		if r.Verdict != scenarios.VerdictPass {
			t.Errorf("%s: %s %s: %s", r.ID, r.Verdict, r.Outcome, r.Actual)
		}
	}
	if elapsed < 4*100*time.Millisecond {
		t.Errorf("four scenarios of 100ms each took %v in all: they ran at the same time", elapsed)
	}
}
