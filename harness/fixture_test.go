package harness

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/scenarios"
)

// fixture is a scripted stand-in for a proxy: it relays each request to the fake
// upstream as often as the example's journal facts say (so the journal really sees
// it) and then answers the client with the example's bytes. It proves, end to end
// through the real client, fake upstream and judge, that a scenario can pass and
// can fail.
type fixture struct {
	t        testing.TB
	sc       *scenarios.Scenario
	ex       scenarios.Example
	timeouts scenarios.Timeouts

	up   *fakeupstream.Server
	eps  fakeupstream.Endpoints
	ln   net.Listener
	wg   sync.WaitGroup
	mu   sync.Mutex
	main map[string]net.Conn // token -> the main request's upstream connection
	all  []net.Conn
}

var _ Target = (*fixture)(nil)

func newFixture(t testing.TB, up *fakeupstream.Server, sc *scenarios.Scenario, ex scenarios.Example) *fixture {
	return &fixture{t: t, sc: sc, ex: ex, up: up, timeouts: scenarios.DefaultTimeouts(), main: map[string]net.Conn{}}
}

func (f *fixture) Start(ctx context.Context, eps fakeupstream.Endpoints) (string, error) {
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	f.ln, f.eps = ln, eps
	f.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			f.track(c)
			f.wg.Go(func() { f.serve(c) })
		}
	})
	return ln.Addr().String(), nil
}

func (f *fixture) Stop(context.Context) error {
	err := f.ln.Close()
	f.mu.Lock()
	for _, c := range f.all {
		_ = c.Close()
	}
	f.mu.Unlock()
	f.wg.Wait()
	return err
}

func (f *fixture) Timeouts() scenarios.Timeouts { return f.timeouts }
func (f *fixture) String() string               { return "fixture " + f.sc.ID + " / " + f.ex.Name }

func (f *fixture) track(c net.Conn) {
	f.mu.Lock()
	f.all = append(f.all, c)
	f.mu.Unlock()
}

// serve answers the requests of one client connection.
func (f *fixture) serve(c net.Conn) {
	defer c.Close()
	br := bufio.NewReader(c)
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		open, err := f.answer(c, req)
		if err != nil {
			f.t.Logf("fixture %s: %v", f.sc.ID, err)
			return
		}
		if !open {
			return
		}
	}
}

// answer relays one request and plays the example's answer to it. It reports
// whether the client connection stays open.
func (f *fixture) answer(c net.Conn, req *http.Request) (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), f.sc.Deadline(f.timeouts)+5*time.Second)
	defer cancel()
	id, token, index, err := splitPath(req.URL.Path)
	if err != nil {
		return false, err
	}
	if id == "ready" {
		f.relay(ctx, req, nil, token, 0, 1, nil)
		_, err := io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nready")
		return err == nil, err
	}
	steps, attempts, reused := f.ex.Client, f.ex.Attempts, false
	if index > 0 {
		if index > len(f.ex.FollowUps) {
			return false, fmt.Errorf("example %q has no answer for follow-up %d", f.ex.Name, index)
		}
		fu := f.ex.FollowUps[index-1]
		steps, attempts, reused = fu.Client, fu.Attempts, fu.Reused
	}
	var body []byte
	if req.Body != nil && (attempts > 1 || !strings.EqualFold(req.Header.Get("Expect"), "100-continue")) {
		if body, err = io.ReadAll(io.LimitReader(req.Body, 64<<20)); err != nil {
			return false, err
		}
	}
	if strings.HasPrefix(req.URL.Path, fakeupstream.PathPrefix) && attempts > 0 {
		var via net.Conn
		if reused {
			f.mu.Lock()
			via = f.main[token]
			f.mu.Unlock()
		}
		if err := f.relay(ctx, req, body, token, index, attempts, via); err != nil {
			return false, err
		}
	}
	if f.ex.AfterUpstream > 0 && index == 0 {
		if err := f.waitAnchor(ctx, token); err != nil {
			return false, err
		}
	}
	resolved := scenarios.ResolveSteps(steps, f.timeouts)
	keepOpen := len(resolved) == 0 || !terminal(resolved[len(resolved)-1])
	if keepOpen && !f.nextOnSameConnection(index) {
		resolved = append(resolved, fakeupstream.Close{})
		keepOpen = false
	}
	return keepOpen, fakeupstream.Play(ctx, c, resolved)
}

// relay sends the request to the fake upstream `attempts` times and waits until
// the journal has seen each one. via, when set, carries the first attempt (a
// reused upstream connection).
func (f *fixture) relay(ctx context.Context, req *http.Request, body []byte, token string, index, attempts int, via net.Conn) error {
	for a := range attempts {
		conn := via
		if a > 0 || conn == nil {
			var err error
			if conn, err = (&net.Dialer{}).DialContext(ctx, "tcp", f.eps.Main); err != nil {
				return fmt.Errorf("relay: %w", err)
			}
			f.track(conn)
		}
		if index == 0 && a == 0 {
			f.mu.Lock()
			f.main[token] = conn
			f.mu.Unlock()
		}
		out := req.Clone(ctx)
		out.RequestURI = ""
		out.URL.Scheme, out.URL.Host = "http", f.eps.Main
		if body != nil || req.Body == nil {
			out.Body = io.NopCloser(bytes.NewReader(body))
			out.ContentLength = int64(len(body))
		}
		// Drain whatever the upstream answers, so its script never blocks on a
		// full send buffer.
		go func(c net.Conn) { _, _ = io.Copy(io.Discard, c) }(conn)
		go func(c net.Conn) { _ = out.Write(c) }(conn)
		want := a + 1
		if _, err := f.up.Wait(ctx, token, func(r fakeupstream.Record) bool { return r.Attempts(index) >= want }); err != nil {
			return fmt.Errorf("relay: attempt %d of request %d never reached the fake upstream", want, index)
		}
	}
	return nil
}

// waitAnchor waits until the anchor of the within check of the main request's
// expectation for the example's protocol exists — a mark, or for "last-byte"
// the end of the main request's script — and then until the example's
// AfterUpstream has passed since it: a deliberately slow proxy.
func (f *fixture) waitAnchor(ctx context.Context, token string) error {
	mark := ""
	exp := f.sc.ExpectFor(f.ex.Protocol())
	for _, a := range append(append([]scenarios.Alternative(nil), exp.Pass...), exp.NonStrict...) {
		if a.Within != nil && a.Within.After != "" && a.Within.After != "last-byte" {
			mark = a.Within.After
		}
	}
	anchor := func(q fakeupstream.SeenRequest) (time.Time, bool) {
		if mark != "" {
			at, ok := q.Marks[mark]
			return at, ok
		}
		return q.LastWrite, !q.Done.IsZero()
	}
	rec, err := f.up.Wait(ctx, token, func(r fakeupstream.Record) bool {
		q, ok := r.Last(0)
		if !ok {
			return false
		}
		_, ok = anchor(q)
		return ok
	})
	if err != nil {
		return errors.New("the upstream anchor of the within check never came")
	}
	q, _ := rec.Last(0)
	at, _ := anchor(q)
	select {
	case <-time.After(time.Until(at.Add(f.ex.AfterUpstream))):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (f *fixture) nextOnSameConnection(index int) bool {
	return index < len(f.sc.FollowUps) && f.sc.FollowUps[index].Connection == "same"
}

func terminal(s fakeupstream.Step) bool {
	switch s.(type) {
	case fakeupstream.Close, fakeupstream.Reset, fakeupstream.Hang:
		return true
	}
	return false
}

// splitPath takes PREFIX + id + "/" + token + "/" + index apart.
func splitPath(p string) (id, token string, index int, err error) {
	for _, prefix := range []string{fakeupstream.RefusedPrefix, fakeupstream.ConnectTimeoutPrefix, fakeupstream.PathPrefix} {
		if rest, ok := strings.CutPrefix(p, prefix); ok {
			parts := strings.Split(rest, "/")
			if len(parts) < 3 {
				break
			}
			n, err := strconv.Atoi(parts[len(parts)-1])
			if err != nil {
				break
			}
			return strings.Join(parts[:len(parts)-2], "/"), parts[len(parts)-2], n, nil
		}
	}
	return "", "", 0, fmt.Errorf("fixture: unexpected path %q", p)
}
