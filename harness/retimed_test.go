package harness

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/judge"
	"github.com/gatecheck/gatecheck/scenarios"
)

var _ Retimable = (*fixture)(nil)

// DeclaredTimeouts are the fixture's timeouts: it has no proxy to round them.
func (f *fixture) DeclaredTimeouts() scenarios.Timeouts { return f.timeouts }

// WithTimeouts makes another fixture for the same scenario and example, with
// the timeouts t, which its answers' durations resolve against.
func (f *fixture) WithTimeouts(t scenarios.Timeouts) (Target, error) {
	g := newFixture(f.t, f.up, f.sc, f.ex)
	g.timeouts = t
	return g, nil
}

// retimeLog records what a retimeCounter did.
type retimeLog struct {
	mu      sync.Mutex
	made    []scenarios.Timeouts // the declared timeouts of each target made again
	stopped int                  // Stop calls, the first target's included
	broken  bool                 // targets made again fail to start
}

// retimeCounter is the fixture as a Retimable that logs the targets it makes
// again and their stops.
type retimeCounter struct {
	*fixture
	log *retimeLog
}

func (r retimeCounter) WithTimeouts(t scenarios.Timeouts) (Target, error) {
	r.log.mu.Lock()
	r.log.made = append(r.log.made, t)
	broken := r.log.broken
	r.log.mu.Unlock()
	if broken {
		return brokenTarget{t}, nil
	}
	g, err := r.fixture.WithTimeouts(t)
	return retimeCounter{g.(*fixture), r.log}, err
}

func (r retimeCounter) Stop(ctx context.Context) error {
	r.log.mu.Lock()
	r.log.stopped++
	r.log.mu.Unlock()
	return r.fixture.Stop(ctx)
}

// brokenTarget never starts.
type brokenTarget struct{ t scenarios.Timeouts }

func (b brokenTarget) Start(context.Context, fakeupstream.Endpoints) (string, error) {
	return "", errors.New("listen: no port for you")
}
func (b brokenTarget) Stop(context.Context) error           { return nil }
func (b brokenTarget) Timeouts() scenarios.Timeouts         { return b.t }
func (b brokenTarget) String() string                       { return "broken" }
func (b brokenTarget) DeclaredTimeouts() scenarios.Timeouts { return b.t }

// ownTimeoutsDoc is a scenario with the given timeouts line (none when empty):
// the upstream answers 200 after an eighth of the read timeout.
func ownTimeoutsDoc(id, timeouts string) string {
	return `id: ` + id + `
summary: the upstream answers after an eighth of the read timeout
spec: {section: RFC 9110 §15.6.5, quote: q}
level: should
` + timeouts + `
upstream:
  - read: request
  - sleep: read_timeout / 8
  - write: 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello'
expect: {pass: [passthrough]}
examples:
  - {name: relayed, verdict: pass, client: [{write: 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello'}]}
  - {name: cut short, verdict: fail, client: [{write: 'HTTP/1.1 504 Gateway Timeout\r\nContent-Length: 0\r\n\r\n'}]}
`
}

// parseScenarios parses documents, each one scenario, as t.yaml.
func parseScenarios(tb testing.TB, docs ...string) []*scenarios.Scenario {
	tb.Helper()
	scs, err := scenarios.Parse("t.yaml", []byte(strings.Join(docs, "---\n")))
	if err != nil {
		tb.Fatal(err)
	}
	return scs
}

// openFixture opens a session on a retimeCounter around a fixture that answers
// every request with the first scenario's passing example.
func openFixture(tb testing.TB, ctx context.Context, sc *scenarios.Scenario) (*Session, *retimeLog) {
	tb.Helper()
	up, err := fakeupstream.Start(fakeupstream.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { up.Close() })
	log := &retimeLog{}
	s, err := Open(ctx, retimeCounter{newFixture(quietTB{tb}, up, sc, sc.Examples[0]), log}, Options{Upstream: up})
	if err != nil {
		tb.Fatal(err)
	}
	return s, log
}

// TestRunOwnTimeouts runs scenarios with and without their own timeouts
// together: those with their own run on the target made again with them, once
// per distinct timeouts, and say so; the others run on the session's target.
func TestRunOwnTimeouts(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	scs := parseScenarios(t,
		ownTimeoutsDoc("own/a", "timeouts: {connect: 1s, read: 4s}"),
		ownTimeoutsDoc("own/b", "timeouts: {connect: 1s, read: 4s}"),
		ownTimeoutsDoc("own/c", "timeouts: {connect: 2s, read: 4s}"),
		ownTimeoutsDoc("own/same", "timeouts: {connect: 1s, read: 1s}"),
		ownTimeoutsDoc("own/none", ""),
	)
	s, log := openFixture(t, ctx, scs[0])
	start := time.Now()
	results := s.RunAll(ctx, scs, Options{Parallel: 4})
	elapsed := time.Since(start)
	if err := s.Close(context.Background()); err != nil {
		t.Errorf("close: %v", err)
	}

	note := func(own string) []string {
		return []string{"run with its own declared timeouts (" + own + "): the target was started again with them"}
	}
	want := map[string][]string{
		"own/a": note("connect 1s, read 4s"), "own/b": note("connect 1s, read 4s"), "own/c": note("connect 2s, read 4s"),
		"own/same": nil, "own/none": nil,
	}
	for _, r := range results {
		if r.Verdict != scenarios.VerdictPass {
			t.Errorf("%s: got %s (%s); want pass", r.ID, r.Verdict, r.Actual)
		}
		if !slices.Equal(r.Notes, want[r.ID]) {
			t.Errorf("%s: got notes %q; want %q", r.ID, r.Notes, want[r.ID])
		}
	}
	wantMade := []scenarios.Timeouts{{Connect: time.Second, Read: 4 * time.Second}, {Connect: 2 * time.Second, Read: 4 * time.Second}}
	if !slices.Equal(log.made, wantMade) {
		t.Errorf("targets made again: got %v; want %v", log.made, wantMade)
	}
	if log.stopped != 3 {
		t.Errorf("after Close: got %d targets stopped; want 3 (the session's and two made again)", log.stopped)
	}
	// Five scenarios of half a second at most (an eighth of 4s), three alone.
	if elapsed > 10*time.Second {
		t.Errorf("the run took %v; want well under 10s", elapsed)
	}
}

// TestRunOwnTimeoutsResolve checks that a scenario's durations resolve against
// the timeouts of the target made again: its upstream sleeps an eighth of its
// own read timeout (1s), not of the session's (125ms). A within check makes the
// run wait for the script's end, so the run takes the sleep.
func TestRunOwnTimeoutsResolve(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	doc := strings.Replace(ownTimeoutsDoc("own/slow", "timeouts: {connect: 1s, read: 8s}"),
		"expect: {pass: [passthrough]}", "expect: {pass: [{outcome: passthrough, within: 20s}]}", 1)
	sc := parseScenarios(t, doc)[0]
	s, _ := openFixture(t, ctx, sc)
	defer s.Close(context.Background())
	r := s.Run(ctx, sc)
	if r.Verdict != scenarios.VerdictPass {
		t.Fatalf("got %s (%s); want pass", r.Verdict, r.Actual)
	}
	if got := time.Duration(r.ElapsedMS) * time.Millisecond; got < time.Second || got > 10*time.Second {
		t.Errorf("the run took %v; want the script's 1s sleep, and well under 10s", got)
	}
	sub := s.retimed.subs[sc.DeclaredTimeouts(s.declared())]
	if sub == nil || sub.s == nil {
		t.Fatal("no sub-session for the scenario's timeouts")
	}
	if got, want := sub.s.Timeouts(), (scenarios.Timeouts{Connect: time.Second, Read: 8 * time.Second}); got != want {
		t.Errorf("sub-session timeouts: got %v; want %v", got, want)
	}
}

// fixedTarget is a target whose timeouts gatecheck cannot change, as an
// external proxy's.
type fixedTarget struct{ Target }

func (fixedTarget) FixedTimeouts() string { return "its timeouts are someone else's" }

// TestRunOwnTimeoutsFixed checks that a target whose timeouts gatecheck cannot
// change (Fixed) skips a scenario with its own and says why.
func TestRunOwnTimeoutsFixed(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sc := parseScenarios(t, ownTimeoutsDoc("own/a", "timeouts: {connect: 1s, read: 4s}"))[0]
	up, err := fakeupstream.Start(fakeupstream.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	fx := newFixture(quietTB{t}, up, sc, sc.Examples[0])
	s, err := Open(ctx, fixedTarget{fx}, Options{Upstream: up})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	r := s.Run(ctx, sc)
	want := "needs its own declared timeouts (connect 1s, read 4s); its timeouts are someone else's"
	if r.Verdict != scenarios.VerdictSkip || r.Actual != want {
		t.Errorf("got %s: %q; want skip: %q", r.Verdict, r.Actual, want)
	}
}

// TestRunOwnTimeoutsStartFails checks that a target made again that does not
// start gives an error naming the target and the timeouts, once: the next
// scenario with the same timeouts gets the same error without another start.
func TestRunOwnTimeoutsStartFails(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	scs := parseScenarios(t,
		ownTimeoutsDoc("own/a", "timeouts: {connect: 1s, read: 4s}"),
		ownTimeoutsDoc("own/b", "timeouts: {connect: 1s, read: 4s}"))
	s, log := openFixture(t, ctx, scs[0])
	defer s.Close(context.Background())
	log.broken = true
	want := `start target "fixture own/a / relayed" again with the scenario's own declared timeouts (connect 1s, read 4s): listen: no port for you`
	for _, sc := range scs {
		r := s.Run(ctx, sc)
		if r.Verdict != scenarios.VerdictError || r.Actual != want {
			t.Errorf("%s: got %s: %q; want error: %q", sc.ID, r.Verdict, r.Actual, want)
		}
	}
	if len(log.made) != 1 {
		t.Errorf("got %d targets made again; want 1", len(log.made))
	}
}

// TestCatalogueOwnTimeoutsExamples replays the examples of the built-in
// scenarios with their own timeouts through the fixture, as
// TestCatalogueExamplesEndToEnd does, and checks that each ran on the fixture
// made again with those timeouts.
func TestCatalogueOwnTimeoutsExamples(t *testing.T) {
	n := 0
	for _, sc := range scenarios.Builtin() {
		if sc.Timeouts == nil {
			continue
		}
		for _, ex := range sc.Examples {
			n++
			res, err := runExample(sc, ex)
			if err != nil {
				t.Errorf("%s: example %q: %v", sc.Source, ex.Name, err)
				continue
			}
			checkExample(t, sc, ex, judge.Judgement{Verdict: res.Verdict, Outcome: res.Outcome, Expected: res.Expected, Actual: res.Actual})
			if !slices.ContainsFunc(res.Notes, func(n string) bool { return strings.HasPrefix(n, "run with its own declared timeouts") }) {
				t.Errorf("%s: example %q: got notes %q; want one that says the target was started again", sc.Source, ex.Name, res.Notes)
			}
		}
	}
	if n == 0 {
		t.Error("no built-in scenario has its own timeouts")
	}
}
