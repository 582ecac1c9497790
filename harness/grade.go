package harness

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gatecheck/gatecheck/judge"
	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/wire"
)

// firstBytesShown is how much of the client's bytes a Result keeps for reports.
const firstBytesShown = 512

// logShown is how much of a proxy's log a failing Result carries.
const logShown = 4096

// resultOf is the start of a scenario's Result: what the scenario says of itself.
func resultOf(sc *scenarios.Scenario) Result {
	return Result{ID: sc.ID, Summary: sc.Summary, Spec: sc.Spec.String(), Level: sc.Level}
}

// framesShown is how many of an HTTP/2 stream's frames a result keeps (and
// its last).
const framesShown = 64

// repetition is one run of a scenario as Run grades it: the judgement, the main
// request's observation, the tokens it used and how many stray runs it replaced.
type repetition struct {
	j   judge.Judgement   // the worst of runs
	obs judge.Observation // the main request's observation in that run
	// runs are every judged run: the first, and a rerun of an unseen one. A
	// rerun adds evidence; it never replaces a run that failed.
	runs []judged
	// reused is whether a follow-up of any run rode the main request's upstream
	// connection: the proxy pooled it.
	reused bool
	tokens []string
	voided int // runs replaced because a request went astray
	unseen int // runs run again because the upstream never saw a request
	// unforwarded say what the client got in the runs set aside because the
	// proxy answered with its own 5xx without forwarding the request, and the
	// run again reached the upstream (faultUnforwarded).
	unforwarded []string
}

// judged is one judged run of a scenario: its judgement, the main request's
// observation, and whether a follow-up rode the main request's upstream
// connection.
type judged struct {
	j      judge.Judgement
	obs    judge.Observation
	reused bool
	// unforwarded, for a run whose fault is faultUnforwarded, says which
	// request got which answer of the proxy's own.
	unforwarded string
}

// add counts one more judged run; the repetition's judgement is the worst.
func (r *repetition) add(run judged) {
	if len(r.runs) == 0 || run.j.Verdict.Worse(r.j.Verdict) {
		r.j, r.obs = run.j, run.obs
	}
	r.runs = append(r.runs, run)
	r.reused = r.reused || run.reused
}

// grade makes a scenario's Result from its repetitions, in their order. The
// verdict is the worst; the outcome, the one the repetitions with that verdict
// showed most often (ties: the first by name), so that a proxy racing between
// two outcomes of the same verdict reports the same one run after run. Expected,
// actual and first bytes come from the first repetition with that verdict and
// outcome.
//
// A repeated scenario stops at its first failing run (the verdict cannot get
// worse), so reps may be fewer than sc.Repeat; the Actual text says so.
func (s *Session) grade(ctx context.Context, sc *scenarios.Scenario, start time.Time, reps []repetition) Result {
	res := resultOf(sc)
	var tokens []string
	counts := map[scenarios.Outcome]int{}
	voided, unseen := 0, 0
	var unforwarded []string
	worstVerdict := reps[0].j.Verdict
	runs := 0
	for _, r := range reps {
		tokens = append(tokens, r.tokens...)
		voided += r.voided
		unseen += r.unseen
		unforwarded = append(unforwarded, r.unforwarded...)
		for _, run := range r.runs {
			runs++
			counts[run.j.Outcome]++
			res.UpstreamAttempts = max(res.UpstreamAttempts, run.obs.Attempts)
		}
		if r.j.Verdict.Worse(worstVerdict) {
			worstVerdict = r.j.Verdict
		}
		if r.reused {
			res.Pool = PoolReused
		}
	}
	ofWorst := map[scenarios.Outcome]int{}
	for _, r := range reps {
		for _, run := range r.runs {
			if run.j.Verdict == worstVerdict {
				ofWorst[run.j.Outcome]++
			}
		}
	}
	var outcome scenarios.Outcome
	for o, n := range ofWorst {
		if outcome == "" || n > ofWorst[outcome] || (n == ofWorst[outcome] && o < outcome) {
			outcome = o
		}
	}
	var worst judge.Judgement
find:
	for _, r := range reps {
		for _, run := range r.runs {
			if run.j.Verdict == worstVerdict && run.j.Outcome == outcome {
				worst = run.j
				res.FirstBytes = wire.FirstBytes(run.obs.Response.Raw, firstBytesShown)
				res.H2 = run.obs.H2.Trimmed(framesShown)
				break find
			}
		}
	}
	if ctx.Err() != nil {
		// Interrupted: what the client saw says nothing about the proxy.
		return finish(res, start, judge.Judgement{Outcome: scenarios.OutcomeNone, Verdict: scenarios.VerdictSkip, Expected: worst.Expected,
			Actual: "interrupted: " + context.Cause(ctx).Error()})
	}
	if n := s.repeats(sc); n < max(sc.Repeat, 1) {
		worst.Notes = append(worst.Notes, fmt.Sprintf("run %d of the scenario's %d repeats: this run caps repeats at %d", n, sc.Repeat, n))
	}
	if n := s.repeats(sc); n > 1 || runs > 1 {
		res.Outcomes = counts
		if len(reps) < n {
			worst.Actual = fmt.Sprintf("%s (%d of %d runs made: they stop once one fails, and those under way then finish: %s)", worst.Actual, len(reps), n, scenarios.CountsText(counts))
		} else {
			worst.Actual = fmt.Sprintf("%s (worst of %d runs: %s)", worst.Actual, runs, scenarios.CountsText(counts))
		}
	}
	if voided > 0 {
		worst.Notes = append(worst.Notes, rerun(voided, "the proxy had sent the request on an upstream connection that another scenario's script had already closed"))
	}
	if unseen > 0 {
		worst.Notes = append(worst.Notes, rerun(unseen, "the upstream had not seen the request (every run is graded)"))
	}
	if len(unforwarded) > 0 {
		worst.Notes = append(worst.Notes, fmt.Sprintf("%s the proxy answered with its own error without forwarding the request (the upstream saw no byte of it): %s; that run never reached this scenario's fault, and the run again that did is graded instead",
			timesWord(len(unforwarded)), strings.Join(slices.Compact(slices.Sorted(slices.Values(unforwarded))), "; ")))
	}
	if worst.Verdict == scenarios.VerdictFail || worst.Verdict == scenarios.VerdictError {
		if l, ok := s.target.(Logged); ok {
			res.Log = relevantLog(l.Log(), tokens, logShown)
		}
	}
	return finish(res, start, worst)
}

// rerun is the note on runs made again n times (n > 0), and why.
func rerun(n int, why string) string {
	return timesWord(n) + " run again: " + why
}

// timesWord is "once", or "N times" for n > 1.
func timesWord(n int) string {
	if n > 1 {
		return strconv.Itoa(n) + " times"
	}
	return "once"
}

func finish(r Result, start time.Time, j judge.Judgement) Result {
	r.Verdict, r.Outcome, r.Expected, r.Actual, r.Notes = j.Verdict, j.Outcome, j.Expected, j.Actual, j.Notes
	if r.Outcome == "" {
		r.Outcome = scenarios.OutcomeNone
	}
	r.ElapsedMS = time.Since(start).Milliseconds()
	return r
}

// relevantLog is the part of a proxy's log about this scenario: the lines that
// carry one of its run tokens (proxies log the request path, which holds it).
// When no line does, it is the log's tail, marked as such, since other scenarios
// ran at the same time.
func relevantLog(log string, tokens []string, n int) string {
	var b strings.Builder
	for line := range strings.Lines(log) {
		for _, t := range tokens {
			if strings.Contains(line, t) {
				b.WriteString(line)
				break
			}
		}
	}
	if b.Len() > 0 {
		return tail(b.String(), n)
	}
	if log == "" {
		return ""
	}
	return "(no line names this scenario's requests; the log's end, written while other scenarios ran too)\n" + tail(log, n)
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
