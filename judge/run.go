package judge

import (
	"fmt"

	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/wire"
)

// Run judges the observations of one run of a scenario — the main
// request's, then each follow-up's, as far as they got — and grades the run by
// the worst. refs are the upstream's answers, parsed, in the same order;
// client is the client that made the requests (its protocol's expectation is
// the main request's).
func Run(sc *scenarios.Scenario, client scenarios.Client, refs []wire.Response, observed []Observation, t scenarios.Timeouts) Judgement {
	var j Judgement
	for i, obs := range observed {
		if i == 0 {
			j = Judge(sc.ExpectFor(client), refs[0], obs, t, false)
			continue
		}
		if obs.NotSent != "" {
			j.Notes = append(j.Notes, fmt.Sprintf("follow-up %d (same client connection) not sent: %s; its checks are untested", i, obs.NotSent))
			continue
		}
		fj := Judge(sc.FollowUps[i-1].Expect, refs[i], obs, t, true)
		j = Worst(j, prefixJudgement(fj, fmt.Sprintf("follow-up %d: ", i)))
	}
	return j
}

// Unjudged is the judgement of a request whose answer was never judged: a run
// that was not made, or that gatecheck could not complete. v is skip or error,
// and actual says why.
func Unjudged(exp scenarios.Expectation, v scenarios.Verdict, actual string) Judgement {
	return Judgement{Outcome: scenarios.OutcomeNone, Verdict: v, Expected: expectedText(exp), Actual: actual}
}

// Worst is the worse of two judgements of one run (the first when they are as
// bad), with the notes of a and then of b.
func Worst(a, b Judgement) Judgement {
	if b.Verdict.Worse(a.Verdict) {
		b.Notes = append(append([]string(nil), a.Notes...), b.Notes...)
		return b
	}
	a.Notes = append(a.Notes, b.Notes...)
	return a
}

// prefixJudgement starts every text of j with p, as "follow-up 1: ".
func prefixJudgement(j Judgement, p string) Judgement {
	j.Expected = p + j.Expected
	j.Actual = p + j.Actual
	for i, n := range j.Notes {
		j.Notes[i] = p + n
	}
	return j
}
