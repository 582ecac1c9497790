package harness

import (
	"context"

	"github.com/gatecheck/gatecheck/scenarios"
)

// PoolEvidence is what a verdict on connection reuse rests on (Result.Pool).
type PoolEvidence string

// The three kinds of evidence.
const (
	// PoolReused: a follow-up rode the main request's upstream connection and
	// was judged on it. The pass is proven against a pooled connection.
	PoolReused PoolEvidence = "reused"
	// PoolDiscarded: no follow-up rode it, but the proxy pools (the pool control
	// rode a pooled connection): it discarded the connection this scenario
	// dirtied. The pass is proven too.
	PoolDiscarded PoolEvidence = "discarded"
	// PoolUntested: no follow-up rode it and the proxy never pooled in the pool
	// control: the fault went untested, whatever the verdict says.
	PoolUntested PoolEvidence = "not-pooled"
)

// PoolControlID is the built-in scenario that shows whether the proxy pools its
// upstream connections under its configuration at all: a valid keep-alive
// response, then follow-ups on the same and on a new client connection.
const PoolControlID = "retry/pool-control"

// Untested is the words a pass of a PoolUntested result is shown with.
const Untested = "not pooled: untested for poisoning"

// checksReuse reports whether a follow-up of sc checks reuse: its verdict then
// needs pool evidence.
func checksReuse(sc *scenarios.Scenario) bool {
	for _, fu := range sc.FollowUps {
		for _, a := range append(append([]scenarios.Alternative(nil), fu.Expect.Pass...), fu.Expect.NonStrict...) {
			if a.Reuse != "" {
				return true
			}
		}
	}
	return false
}

// pooling returns the result of the session's pool control, running it once
// (sc, or the built-in one when sc is nil), and whether the proxy pooled in it.
// Later callers wait for the first and share its result; an interrupted run is
// not kept.
func (s *Session) pooling(ctx context.Context, sc *scenarios.Scenario) (Result, bool) {
	s.poolMu.Lock()
	defer s.poolMu.Unlock()
	if s.poolResult == nil {
		if sc == nil {
			sc = builtinScenario(PoolControlID)
		}
		if sc == nil {
			return Result{}, false
		}
		r := s.runHere(ctx, sc)
		switch {
		case r.Pool == PoolReused:
			r.Notes = append(r.Notes, "pooled: a follow-up rode the main request's upstream connection")
		case r.Verdict == scenarios.VerdictPass || r.Verdict == scenarios.VerdictNonStrict || r.Verdict == scenarios.VerdictFail:
			r.Pool = PoolUntested
			r.Notes = append(r.Notes, "not pooled: the proxy opened a new upstream connection for every follow-up, so the rows on pooled connections go untested")
		}
		if ctx.Err() != nil {
			return r, false
		}
		s.poolResult = &r
	}
	return *s.poolResult, s.poolResult.Pool == PoolReused
}

// withPoolEvidence says what the verdict of a scenario whose follow-ups check
// reuse rests on: its own follow-up rode the pooled connection, or the proxy
// pools and discarded this one, or it never pools and the fault went untested.
func (s *Session) withPoolEvidence(ctx context.Context, sc *scenarios.Scenario, r Result) Result {
	if !checksReuse(sc) || r.Verdict == scenarios.VerdictSkip || r.Verdict == scenarios.VerdictError {
		return r
	}
	if r.Pool == PoolReused {
		r.Notes = append(r.Notes, "pooled: a follow-up rode the main request's upstream connection and was judged on it")
		return r
	}
	ctl, pools := s.pooling(ctx, nil)
	switch {
	case pools:
		r.Pool = PoolDiscarded
		r.Notes = append(r.Notes, "the proxy pools ("+PoolControlID+" rode a pooled connection) but sent no follow-up on this one: it discarded it")
	case ctl.ID == "":
		r.Pool = PoolUntested
		r.Notes = append(r.Notes, Untested+" (no follow-up rode the main request's upstream connection, and "+PoolControlID+" is not in this catalogue)")
	case ctl.Pool != PoolUntested:
		r.Pool = PoolUntested
		r.Notes = append(r.Notes, Untested+" (no follow-up rode the main request's upstream connection, and "+PoolControlID+" could not tell: "+string(ctl.Verdict)+")")
	default:
		r.Pool = PoolUntested
		r.Notes = append(r.Notes, Untested+" ("+PoolControlID+": the proxy opened a new upstream connection for every follow-up)")
	}
	return r
}

// builtinScenario is the built-in scenario with the given id, or nil.
func builtinScenario(id string) *scenarios.Scenario {
	for _, sc := range scenarios.Builtin() {
		if sc.ID == id {
			return sc
		}
	}
	return nil
}
