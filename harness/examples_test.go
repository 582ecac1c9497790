package harness

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/judge"
	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/wire"
)

// exampleObservation turns an example's client steps and journal facts into the
// Observation the client would have made.
//
// An answer that does not end the connection itself is closed, as the fixture
// closes it, unless keepOpen says the next request rides the same connection.
func exampleObservation(t testing.TB, steps []scenarios.StepSpec, method string, attempts int, reused bool, after time.Duration, to scenarios.Timeouts, keepOpen bool) judge.Observation {
	t.Helper()
	script := fakeupstream.Script{Steps: scenarios.ResolveSteps(steps, to)}
	var ending wire.Ending
	switch script.Ending() {
	case "reset":
		ending = wire.EndReset
	case "hang":
		ending = wire.EndTimeout
	default: // close, half_close, and "open", which the fixture closes
		ending = wire.EndTruncated
	}
	resp := wire.ParseHTTP1Response(script.Output(), method, ending)
	var state wire.ConnState
	switch script.Ending() {
	case "reset":
		state = wire.ConnReset
	case "close", "half_close":
		state = wire.ConnClosed
	case "hang":
		state = wire.ConnOpen
	default: // the fixture keeps it open for a follow-up on it, and closes it otherwise
		state = wire.ConnClosed
		if keepOpen {
			state = wire.ConnOpen
		}
	}
	if resp.Complete {
		ending = wire.EndComplete
	}
	upMethod := ""
	if attempts > 0 {
		upMethod = method // the fixture relays the request as it came
	}
	anchor := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := anchor.Add(after)
	anchors := map[string]time.Time{"last-byte": anchor}
	return judge.Observation{
		Exchange: wire.Exchange{Response: resp, Ending: ending, Method: method, SentAt: anchor, HeadAt: at, FirstBodyAt: at, EndAt: at},
		Attempts: attempts, Reused: reused, UpstreamMethod: upMethod, After: state, Anchors: anchors,
	}
}

// judgeExample judges an example without any network: the declared bytes and
// journal facts straight into the judge.
func judgeExample(t testing.TB, sc *scenarios.Scenario, ex scenarios.Example) judge.Judgement {
	t.Helper()
	to := sc.DeclaredTimeouts(scenarios.DefaultTimeouts()) // as the fixture made again with them resolves them
	scripts, err := sc.Scripts(to)
	if err != nil {
		t.Fatalf("%s: %v", sc.Source, err)
	}
	sameNext := func(i int) bool { return i < len(sc.FollowUps) && sc.FollowUps[i].Connection == "same" }
	observed := []judge.Observation{exampleObservation(t, ex.Client, methodOf(sc.Request), ex.Attempts, false, ex.AfterUpstream, to, sameNext(0))}
	for i, fu := range ex.FollowUps {
		if i >= len(sc.FollowUps) {
			t.Fatalf("%s: example %q answers %d follow-ups, the scenario has %d", sc.Source, ex.Name, len(ex.FollowUps), len(sc.FollowUps))
		}
		if why := sameUnusable(observed[i]); sc.FollowUps[i].Connection == "same" && why != "" {
			observed = append(observed, judge.Observation{NotSent: why})
			continue
		}
		observed = append(observed, exampleObservation(t, fu.Client, methodOf(sc.FollowUps[i].Request), fu.Attempts, fu.Reused, 0, to, sameNext(i+1)))
	}
	// A within check against a mark is judged from after_upstream alone: the
	// mark stands where the last byte does.
	for _, a := range append(sc.Expect.Pass[:len(sc.Expect.Pass):len(sc.Expect.Pass)], sc.Expect.NonStrict...) {
		if a.Within != nil && a.Within.After != "" {
			observed[0].Anchors[a.Within.After] = observed[0].Anchors["last-byte"]
		}
	}
	return judge.Run(sc, scenarios.ClientH1, references(sc, scripts), observed, to)
}

// TestCatalogueExamplesJudged judges every built-in HTTP/1.1 example (client
// answer) from its declared bytes and facts: each must get the verdict (and
// outcome) it declares, and every scenario that runs over h1 needs at least one
// passing and one failing one. The h2 answers are proven end to end only
// through the HTTP/2 fixture proxy.
func TestCatalogueExamplesJudged(t *testing.T) {
	for _, sc := range scenarios.Builtin() {
		if !sc.RunsOn(scenarios.ClientH1) {
			continue
		}
		t.Run(sc.ID, func(t *testing.T) {
			var pass, fail bool
			for _, ex := range sc.Examples {
				if ex.Protocol() != scenarios.ClientH1 {
					continue
				}
				pass = pass || ex.Verdict == scenarios.VerdictPass
				fail = fail || ex.Verdict == scenarios.VerdictFail
				j := judgeExample(t, sc, ex)
				checkExample(t, sc, ex, j)
			}
			if !pass || !fail {
				t.Errorf("%s: %s needs at least one pass and one fail example (pass %v, fail %v)", sc.Source, sc.ID, pass, fail)
			}
		})
	}
}

func checkExample(t testing.TB, sc *scenarios.Scenario, ex scenarios.Example, j judge.Judgement) {
	t.Helper()
	if j.Verdict != ex.Verdict || (ex.Outcome != "" && j.Outcome != ex.Outcome) {
		t.Errorf("%s: example %q: got %s (%s); want %s%s\n  expected: %s\n    actual: %s",
			sc.Source, ex.Name, j.Verdict, j.Outcome, ex.Verdict, outcomeNote(ex.Outcome), j.Expected, j.Actual)
	}
}

func outcomeNote(o scenarios.Outcome) string {
	if o == "" {
		return ""
	}
	return " (" + string(o) + ")"
}

// TestCatalogueExamplesEndToEnd replays every built-in HTTP/1.1 example through
// a fixture proxy: the real client sends the scenario's request, the fixture relays it to a
// real fake upstream (so the journal sees it) and answers with the example's
// bytes, and the judge must give the declared verdict.
func TestCatalogueExamplesEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end examples take a few seconds; skipped with -short")
	}
	t.Parallel()
	replayExamples(t, scenarios.ClientH1)
}

// TestCatalogueH2ExamplesReplayed replays every built-in h2 example through
// the HTTP/2 fixture proxy (h2Fixture) with a session over the h2 client: the
// request goes out on a stream, the fixture relays it to a real fake upstream
// and plays the example's frames, and the judge must give the declared verdict
// and outcome.
func TestCatalogueH2ExamplesReplayed(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end examples take a few seconds; skipped with -short")
	}
	t.Parallel()
	replayExamples(t, scenarios.ClientH2)
}

// exampleJob is one example to replay.
type exampleJob struct {
	sc *scenarios.Scenario
	ex scenarios.Example
}

// replayExamples replays the built-in examples answered in the protocol of
// client, each through its fixture, and checks each verdict and outcome.
func replayExamples(t *testing.T, client scenarios.Client) {
	var jobs []exampleJob
	for _, sc := range scenarios.Builtin() {
		for _, ex := range sc.Examples {
			if ex.Protocol() == client.Protocol() {
				jobs = append(jobs, exampleJob{sc, ex})
			}
		}
	}
	check := func(j exampleJob) {
		res, err := runExample(j.sc, j.ex)
		if err != nil {
			t.Errorf("%s: example %q: %v", j.sc.Source, j.ex.Name, err)
			return
		}
		checkExample(t, j.sc, j.ex, judge.Judgement{Verdict: res.Verdict, Outcome: res.Outcome, Expected: res.Expected, Actual: res.Actual})
	}
	// The hung examples wait out their deadline, so run many at once; each has its
	// own fake upstream, so an exclusive scenario's idle-connection sweep touches
	// nothing else.
	work := make(chan exampleJob)
	var wg sync.WaitGroup
	for range 24 {
		wg.Go(func() {
			for j := range work {
				check(j)
			}
		})
	}
	// Examples judged against a time bound run afterwards, one at a time, so the
	// load of the others does not decide them.
	var timedJobs []exampleJob
	for _, j := range jobs {
		if hasWithin(j.sc, client) {
			timedJobs = append(timedJobs, j)
			continue
		}
		work <- j
	}
	close(work)
	wg.Wait()
	for _, j := range timedJobs {
		check(j)
	}
}

// hasWithin reports whether any expectation of the scenario for client has a
// time bound.
func hasWithin(sc *scenarios.Scenario, client scenarios.Client) bool {
	for i := 0; i <= len(sc.FollowUps); i++ {
		if timed(expectationOf(sc, client, i)) {
			return true
		}
	}
	return false
}

// exampleRepeat is the most repetitions an example runs.
const exampleRepeat = 3

// runExample runs the scenario once through a fixture that answers with the
// example: the HTTP/1.1 fixture for a client answer, the HTTP/2 one (and the h2
// client) for an h2 answer.
func runExample(sc *scenarios.Scenario, ex scenarios.Example) (Result, error) {
	up, err := fakeupstream.Start(fakeupstream.Config{})
	if err != nil {
		return Result{}, err
	}
	defer up.Close()
	// The fixture answers every repetition with the same bytes, so a few
	// repetitions prove what thousands would (the repeats are there to catch
	// a real proxy's rare races): the example runs at most exampleRepeat.
	if sc.Repeat > exampleRepeat {
		capped := *sc
		capped.Repeat = exampleRepeat
		sc = &capped
	}
	// Every repetition may take the scenario's deadline.
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(2*max(sc.Repeat, 1))*sc.Deadline(sc.DeclaredTimeouts(scenarios.DefaultTimeouts()))+10*time.Second)
	defer cancel()
	var fx Target = newFixture(quietTB{}, up, sc, ex)
	opts := Options{Upstream: up}
	if ex.Protocol() == scenarios.ClientH2 {
		fx, opts.Client = newH2Fixture(quietTB{}, up, sc, ex), scenarios.ClientH2
	}
	s, err := Open(ctx, fx, opts)
	if err != nil {
		return Result{}, fmt.Errorf("open: %w", err)
	}
	defer s.Close(context.Background())
	res := s.Run(ctx, sc)
	return res, nil
}

// quietTB lets the fixture log without a *testing.T shared across goroutines.
type quietTB struct{ testing.TB }

func (quietTB) Logf(string, ...any) {}
func (quietTB) Helper()             {}
