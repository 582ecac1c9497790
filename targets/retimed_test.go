package targets

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/scenarios"
)

// lateHead is a scenario whose upstream answers after 2s: past go-stdlib's
// default read timeout (1s), within a read timeout of 4s. timeouts is its
// timeouts line, or "" for none.
func lateHead(id, timeouts string) string {
	return `id: ` + id + `
summary: the upstream answers after 2s
spec: {section: RFC 9110 §15.6.5, quote: q}
level: should
` + timeouts + `
upstream:
  - read: request
  - sleep: 2s
  - write: 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello'
expect: {pass: [passthrough]}
examples:
  - {name: relayed, verdict: pass, client: [{write: 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello'}]}
  - {name: cut short, verdict: fail, client: [{write: 'HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n'}]}
`
}

// TestGoStdlibOwnTimeouts runs, on go-stdlib declared with the default
// timeouts, a late answer with a read timeout of its own and the same without:
// only the first passes, so it really ran on a go-stdlib started with 4s.
func TestGoStdlibOwnTimeouts(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	scs, err := scenarios.Parse("t.yaml", []byte(lateHead("late/own", "timeouts: {connect: 1s, read: 4s}")+"---\n"+lateHead("late/default", "")))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := harness.Run(ctx, NewGoStdlib(scenarios.DefaultTimeouts()), scs, harness.Options{})
	if err != nil {
		t.Fatal(err)
	}
	own, def := rep.Results[0], rep.Results[1]
	if own.Verdict != scenarios.VerdictPass {
		t.Errorf("%s: got %s (%s: %s); want pass on go-stdlib started with read 4s", own.ID, own.Verdict, own.Outcome, own.Actual)
	}
	note := "run with its own declared timeouts (connect 1s, read 4s): the target was started again with them"
	if !slices.Contains(own.Notes, note) {
		t.Errorf("%s: got notes %q; want %q", own.ID, own.Notes, note)
	}
	if elapsed := time.Duration(own.ElapsedMS) * time.Millisecond; elapsed > 10*time.Second {
		t.Errorf("%s: took %v; want the 2s answer and a start, well under 10s", own.ID, elapsed)
	}
	if def.Verdict != scenarios.VerdictFail || !strings.HasPrefix(string(def.Outcome), "5") {
		t.Errorf("%s: got %s (%s); want fail with a 5xx at go-stdlib's 1s read timeout", def.ID, def.Verdict, def.Outcome)
	}
	if len(def.Notes) != 0 {
		t.Errorf("%s: got notes %q; want none", def.ID, def.Notes)
	}
}

// TestWithTimeouts checks that each kind of target made again has the new
// declared timeouts, and what its proxy makes of them.
func TestWithTimeouts(t *testing.T) {
	want := scenarios.Timeouts{Connect: time.Second, Read: 4 * time.Second, Retries: 1}
	tests := []struct {
		name string
		from harness.Retimable
		used scenarios.Timeouts
	}{
		{"go-stdlib", NewGoStdlib(scenarios.DefaultTimeouts()), scenarios.Timeouts{Connect: time.Second, Read: 4 * time.Second}},
		{"haproxy", must(NewProcess("haproxy", scenarios.DefaultTimeouts())), want},
		{"lighttpd", must(NewProcess("lighttpd", scenarios.DefaultTimeouts())), scenarios.Timeouts{Connect: 3 * time.Second, Read: 6 * time.Second}},
		{"h2o", must(NewProcess("h2o", scenarios.DefaultTimeouts())), scenarios.Timeouts{Connect: 4 * time.Second, Read: 4 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.from.WithTimeouts(want)
			if err != nil {
				t.Fatal(err)
			}
			if d := got.(harness.Retimable).DeclaredTimeouts(); d != want {
				t.Errorf("declared: got %v; want %v", d, want)
			}
			if u := got.Timeouts(); u != tt.used {
				t.Errorf("used: got %v; want %v", u, tt.used)
			}
			if tt.from.DeclaredTimeouts() != scenarios.DefaultTimeouts() {
				t.Errorf("the first target's declared timeouts changed: %v", tt.from.DeclaredTimeouts())
			}
		})
	}
}

// TestContainerWithTimeoutsNeedsStart checks that a container target is made
// again only once it has a network.
func TestContainerWithTimeoutsNeedsStart(t *testing.T) {
	c, err := NewContainer(ContainerConfig{Kind: "nginx", Image: "nginx:1.27-alpine", Timeouts: scenarios.DefaultTimeouts()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WithTimeouts(scenarios.DefaultTimeouts()); err == nil || !strings.Contains(err.Error(), "not started") {
		t.Errorf("got %v; want an error saying it has not started", err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
