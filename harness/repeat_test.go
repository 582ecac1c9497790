package harness

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/judge"
	"github.com/gatecheck/gatecheck/scenarios"
)

// reps makes repetitions from "verdict outcome" words, each n times, in order.
func reps(spec ...any) []repetition {
	var out []repetition
	for i := 0; i < len(spec); i += 2 {
		v, o, _ := strings.Cut(spec[i].(string), " ")
		for k := range spec[i+1].(int) {
			var r repetition
			r.add(judged{j: judge.Judgement{Verdict: scenarios.Verdict(v), Outcome: scenarios.Outcome(o), Actual: fmt.Sprintf("%s #%d", o, k)}})
			out = append(out, r)
		}
	}
	return out
}

// TestGrade: the verdict is the worst of the repetitions; the outcome, the one
// the repetitions with that verdict showed most often, whatever order they came
// in, so a proxy racing between outcomes of one verdict reports the same one.
func TestGrade(t *testing.T) {
	s := &Session{target: &limited{}}
	sc := &scenarios.Scenario{ID: "x/y"}
	for _, c := range []struct {
		reps    []repetition
		verdict scenarios.Verdict
		outcome string
		actual  string
	}{
		{reps("pass aborted", 1), scenarios.VerdictPass, "aborted", "aborted #0"},
		{reps("pass 502", 5, "pass aborted", 45), scenarios.VerdictPass, "aborted", "aborted #0 (worst of 50 runs: aborted ×45, 502 ×5)"},
		{reps("pass aborted", 45, "pass 502", 5), scenarios.VerdictPass, "aborted", "aborted #0 (worst of 50 runs: aborted ×45, 502 ×5)"},
		{reps("fail aborted", 13, "fail 5xx", 37), scenarios.VerdictFail, "5xx", "5xx #0 (worst of 50 runs: 5xx ×37, aborted ×13)"},
		{reps("non-strict 5xx", 40, "pass aborted", 9, "fail fake-complete", 1), scenarios.VerdictFail, "fake-complete",
			"fake-complete #0 (worst of 50 runs: 5xx ×40, aborted ×9, fake-complete ×1)"},
		{reps("fail no-response", 2, "fail 5xx", 2), scenarios.VerdictFail, "5xx", "5xx #0 (worst of 4 runs: 5xx ×2, no-response ×2)"},
	} {
		r := s.grade(t.Context(), sc, time.Now(), c.reps)
		if r.Verdict != c.verdict || r.Outcome != scenarios.Outcome(c.outcome) || r.Actual != c.actual {
			t.Errorf("graded %s %s %q; want %s %s %q", r.Verdict, r.Outcome, r.Actual, c.verdict, c.outcome, c.actual)
		}
	}
}

// TestRunAllRepeatsInParallel: the four repetitions of a scenario whose upstream
// pauses 300ms run on four workers at once, not one after another, and are graded
// as one result.
func TestRunAllRepeatsInParallel(t *testing.T) {
	scs, err := scenarios.Parse("slow.yaml", []byte(`id: slow/repeated
summary: a valid response after a pause
spec:
  section: RFC 9110 §15.6.3
  quote: x
level: may
repeat: 4
upstream:
  - read: request
  - sleep: 300ms
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
`))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	rep, err := Run(t.Context(), &limited{}, scs, Options{Parallel: 4})
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	r := rep.Results[0]
	if r.Verdict != scenarios.VerdictPass || r.Outcomes["passthrough"] != 4 {
		t.Errorf("%s: %s %s %v: %s", r.ID, r.Verdict, r.Outcome, r.Outcomes, r.Actual)
	}
	if elapsed >= 4*300*time.Millisecond {
		t.Errorf("four repetitions of 300ms on four workers took %v: they ran one after another", elapsed)
	}
}

// drainCounter counts CloseIdle calls on the session's fake upstream.
type drainCounter struct {
	Upstream
	n *int
}

func (d drainCounter) CloseIdle(ctx context.Context) error {
	*d.n++
	return d.Upstream.CloseIdle(ctx)
}

// TestExclusiveRepetitionsStartDrained: every repetition of an exclusive scenario
// starts after the idle upstream connections were closed, not only the first, so
// that a connection one repetition left pooled does not carry the next one's
// requests.
func TestExclusiveRepetitionsStartDrained(t *testing.T) {
	scs, err := scenarios.Parse("pool.yaml", []byte(`id: pool/repeated
summary: a keep-alive response on a connection left open
spec:
  section: RFC 9112 §9.3
  quote: x
level: may
exclusive: true
repeat: 3
upstream:
  - read: request
  - write: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'
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
`))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(t.Context(), &limited{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close(context.Background()) }()
	drains := 0
	s.up = drainCounter{Upstream: s.up, n: &drains}
	r := s.Run(t.Context(), scs[0])
	if r.Verdict != scenarios.VerdictPass {
		t.Errorf("%s: %s %s: %s", r.ID, r.Verdict, r.Outcome, r.Actual)
	}
	if drains != 3 {
		t.Errorf("idle connections closed %d times for 3 repetitions; want 3", drains)
	}
}

// TestRepeatStopsAtFirstFailure: a repeated scenario whose first run fails is
// not run again, alone (Session.Run) or among others (RunAll with one worker):
// no later run could change its verdict, and a proxy that fails every time
// would otherwise cost its whole repeat count.
func TestRepeatStopsAtFirstFailure(t *testing.T) {
	doc := func(id string, exclusive bool) string {
		return fmt.Sprintf(`id: %s
summary: a valid response the expectation does not accept
spec:
  section: RFC 9110 §15.6.3
  quote: x
level: may
exclusive: %v
repeat: 6
upstream:
  - read: request
  - write: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok'
  - close
expect:
  pass: ["502"]
examples:
  - name: replaced
    verdict: pass
    client:
      - write: 'HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n'
  - name: relayed
    verdict: fail
    client:
      - write: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'
`, id, exclusive)
	}
	var scs []*scenarios.Scenario
	for _, d := range []string{doc("stop/alone", true), doc("stop/shared", false)} {
		sc, err := scenarios.Parse("stop.yaml", []byte(d))
		if err != nil {
			t.Fatal(err)
		}
		scs = append(scs, sc...)
	}
	rep, err := Run(t.Context(), &limited{}, scs, Options{Parallel: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Results {
		if r.Verdict != scenarios.VerdictFail || r.Outcomes["passthrough"] != 1 || !strings.Contains(r.Actual, "1 of 6 runs made: they stop once one fails, and those under way then finish: passthrough ×1") {
			t.Errorf("%s: %s %s %v: %s", r.ID, r.Verdict, r.Outcome, r.Outcomes, r.Actual)
		}
	}
}
