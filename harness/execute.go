package harness

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/judge"
	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/wire"
)

// dialTimeout bounds the client's connect to the proxy under test.
const dialTimeout = 5 * time.Second

// Run runs one scenario, all its repetitions one after another, and returns its
// Result. It is safe for concurrent use: an exclusive scenario waits until
// nothing else runs, keeps everything else out while it runs, and before each
// repetition closes the fake upstream's idle connections so the proxy's pool
// starts empty.
//
// A scenario whose follow-ups check reuse gets the evidence its verdict rests
// on (Result.Pool), from its own runs or from the session's pool control. A
// scenario with its own declared timeouts runs alone on the target made again
// with them (runRetimed).
func (s *Session) Run(ctx context.Context, sc *scenarios.Scenario) Result {
	if r, skip := s.notForClient(sc); skip {
		return r
	}
	if s.retimes(sc) {
		return s.runRetimed(ctx, sc)
	}
	if sc.ID == PoolControlID {
		r, _ := s.pooling(ctx, sc)
		return r
	}
	return s.withPoolEvidence(ctx, sc, s.runHere(ctx, sc))
}

// runHere runs one scenario on this session's target; see Run.
func (s *Session) runHere(ctx context.Context, sc *scenarios.Scenario) Result {
	start := time.Now()
	scripts, failed, ok := s.prepare(ctx, sc)
	if !ok {
		return finish(resultOf(sc), start, failed)
	}
	if sc.Exclusive {
		s.exclusive.Lock()
		defer s.exclusive.Unlock()
	} else {
		s.exclusive.RLock()
		defer s.exclusive.RUnlock()
	}
	reps := make([]repetition, s.repeats(sc))
	for i := range reps {
		if sc.Exclusive {
			// Each repetition starts from an empty pool: what one left pooled
			// (the very connection the scenario is about, often) must not carry
			// the next one's requests.
			dctx, cancel := context.WithTimeout(ctx, drainTimeout)
			_ = s.up.CloseIdle(dctx) // bounded: a proxy that never notices still gets its turn
			cancel()
		}
		reps[i] = s.repetition(ctx, sc, scripts)
		if reps[i].j.Verdict == scenarios.VerdictFail {
			// The worst grade is in: later runs cannot change the verdict.
			reps = reps[:i+1]
			break
		}
	}
	return s.grade(ctx, sc, start, reps)
}

// prepare loads the scenario's scripts into the fake upstream. When it cannot
// (or ctx has ended), ok is false and failed is the judgement: skip or error.
func (s *Session) prepare(ctx context.Context, sc *scenarios.Scenario) (scripts []fakeupstream.Script, failed judge.Judgement, ok bool) {
	if why := s.clientSkip(sc); why != "" {
		return nil, judge.Unjudged(sc.Expect, scenarios.VerdictSkip, why), false
	}
	if err := ctx.Err(); err != nil {
		return nil, judge.Unjudged(sc.ExpectFor(s.client), scenarios.VerdictSkip, "not run: "+err.Error()), false
	}
	scripts, err := s.load(ctx, sc)
	if err != nil {
		return nil, judge.Unjudged(sc.ExpectFor(s.client), scenarios.VerdictError, err.Error()), false
	}
	return scripts, judge.Judgement{}, true
}

// notForClientPrefix begins the words of every skip of a scenario that does
// not run over the session's client (clientSkip), which is how a Result
// read back from a report still tells that skip from the others.
const notForClientPrefix = "runs over "

// NotForClient reports whether r is the skip of a scenario that does not run
// over the report's client (an h2-only row in an h1 run): no evidence about the
// target, so no baseline records or compares it.
func (r Result) NotForClient() bool {
	return r.Verdict == scenarios.VerdictSkip && strings.HasPrefix(r.Actual, notForClientPrefix)
}

// clientSkip says why sc does not run over the session's client, or "".
func (s *Session) clientSkip(sc *scenarios.Scenario) string {
	if sc.RunsOn(s.client) {
		return ""
	}
	return fmt.Sprintf(notForClientPrefix+"%s only (clients: [%s]), not over %s", scenarios.ClientsText(sc.Clients), scenarios.ClientsText(sc.Clients), s.client)
}

// notForClient is the skip result of a scenario that does not run over the
// session's client.
func (s *Session) notForClient(sc *scenarios.Scenario) (Result, bool) {
	why := s.clientSkip(sc)
	if why == "" {
		return Result{}, false
	}
	return finish(resultOf(sc), time.Now(), judge.Unjudged(sc.Expect, scenarios.VerdictSkip, why)), true
}

// runFault says why a run of a scenario says nothing about it.
type runFault int

const (
	faultNone runFault = iota
	// faultStray: a request reached no script of the run but arrived on a
	// connection another scenario's script had already closed.
	faultStray
	// faultUnseen: the upstream never saw a request of the run, and no journal
	// says where it went (a proxy that pooled a connection another scenario's
	// script was still reading a body or a next request on, say).
	faultUnseen
	// faultUnforwarded: as faultUnseen, and the client's answer is the proxy's
	// own 5xx (no X-Gatecheck field, which every upstream answer of the
	// catalogue carries): the proxy never forwarded the request, so the run
	// never reached the scenario's fault. Traffic Server 9.2.9 does this now
	// and then, serial or parallel, to the request after one whose upstream
	// connection it gave up on or turned into a tunnel: a capture of the
	// upstream's wire holds no byte of the request.
	faultUnforwarded
)

// unforwarded reports whether obs, for a request the upstream never saw, is
// the proxy's own error answer rather than bytes from an upstream: a complete
// final 5xx head without the X-Gatecheck field.
func unforwarded(obs judge.Observation) bool {
	r := obs.Response
	return r.HeadComplete && r.Final.Status/100 == 5 && len(r.Final.Values("X-Gatecheck")) == 0
}

// repetition runs the scenario once. A request the proxy sent on a connection
// another scenario's script had already closed reached no script of this one:
// that run says nothing about this scenario, so it is run again (a few times at
// most). A run whose request the upstream never saw at all is run again once:
// a proxy that answers without asking the upstream does so again, and is judged
// on that; both runs are graded. The one run not graded is one the proxy
// answered with its own 5xx without forwarding the request (faultUnforwarded)
// when the run again does reach the upstream: it is evidence of another fault
// than the scenario's, so it is kept, word for word, in the result's notes
// instead of in its verdict. When the run again is not forwarded either, both
// are graded.
func (s *Session) repetition(ctx context.Context, sc *scenarios.Scenario, scripts []fakeupstream.Script) repetition {
	var r repetition
	run, token, fault := s.once(ctx, sc, scripts)
	r.tokens = append(r.tokens, token)
	for retry := 0; fault == faultStray && retry < strayRetries && ctx.Err() == nil; retry++ {
		r.voided++
		run, token, fault = s.once(ctx, sc, scripts)
		r.tokens = append(r.tokens, token)
	}
	if (fault != faultUnseen && fault != faultUnforwarded) || ctx.Err() != nil {
		r.add(run)
		return r
	}
	run2, token2, fault2 := s.once(ctx, sc, scripts)
	r.tokens = append(r.tokens, token2)
	switch {
	case fault == faultUnforwarded && fault2 == faultNone:
		r.unforwarded = append(r.unforwarded, run.unforwarded)
		r.add(run2)
	case fault2 == faultStray:
		r.unseen++
		r.add(run)
	default:
		r.unseen++
		r.add(run)
		r.add(run2)
	}
	return r
}

// strayRetries bounds how often Run repeats a run whose request went astray.
const strayRetries = 3

// strayWait bounds the wait for the journal to show where a request the upstream
// never played went: the proxy can answer the client before the fake upstream's
// goroutine has journaled the request it read on a closed connection.
const strayWait = 250 * time.Millisecond

// once runs the scenario a single time: the main request, then each follow-up,
// and judges them together. The returned Observation is the main request's.
// The runFault says when the run is not this scenario's: a request reached no
// script but arrived on a connection another scenario's script had closed
// (faultStray), or the upstream never saw a request at all (faultUnseen; the
// run is judged all the same).
func (s *Session) once(ctx context.Context, sc *scenarios.Scenario, scripts []fakeupstream.Script) (judged, string, runFault) {
	// Each request may take the scenario's whole deadline; the run as a whole is
	// bounded by all of them together.
	deadline := sc.Deadline(s.timeouts)
	requests := 1 + len(sc.FollowUps)
	ctx, cancel := context.WithTimeout(ctx, time.Duration(requests)*(deadline+dialTimeout))
	defer cancel()
	token := newToken()
	defer s.up.Forget(token)

	var conn clientConn
	defer func() {
		if conn != nil {
			conn.close()
		}
	}()
	observed := make([]judge.Observation, 0, 1+len(sc.FollowUps))
	fault := faultNone
	mainConn := int64(-1)
	which := "" // the unforwarded request's answer, for faultUnforwarded
	for index := 0; index <= len(sc.FollowUps); index++ {
		req := sc.Request
		if index > 0 {
			fu := sc.FollowUps[index-1]
			req = fu.Request
			// Barrier: the previous request's script has ended, or the upstream
			// never saw that request (the client already has its answer, so it
			// never will).
			if _, err := s.up.Wait(ctx, token, func(r fakeupstream.Record) bool {
				q, ok := r.Last(index - 1)
				return !ok || !q.Done.IsZero()
			}); err != nil {
				return s.broken(sc, scripts, observed, fmt.Errorf("follow-up %d: the upstream script for the previous request did not end before the deadline", index)), token, faultNone
			}
			if fu.Connection == scenarios.ConnectionSame {
				why := sameUnusable(observed[index-1])
				if why == "" && conn != nil {
					why = conn.unusable()
				}
				if why != "" {
					// Never sent, so never a pass of its checks: the result says so.
					observed = append(observed, judge.Observation{Exchange: wire.Exchange{Method: methodOf(req)}, NotSent: why})
					continue
				}
			} else if conn != nil {
				conn.close()
				conn = nil
			}
		}
		var obs judge.Observation
		var err error
		conn, obs, err = s.exchange(ctx, conn, sc, req, token, index, deadline)
		if err != nil {
			if index > 0 {
				err = fmt.Errorf("follow-up %d: %w", index, err)
			}
			return s.broken(sc, scripts, observed, err), token, faultNone
		}
		s.afterResponse(ctx, conn, &obs, token, index, obs.SentAt.Add(deadline))
		rec, err := s.up.Journal(ctx, token)
		if err != nil {
			return s.broken(sc, scripts, append(observed, obs), fmt.Errorf("read the journal: %w", err)), token, faultNone
		}
		if rec.Attempts(index) == 0 && (index > 0 || sc.Endpoint == scenarios.EndpointMain) {
			wctx, cancel := context.WithTimeout(ctx, strayWait)
			if r, err := s.up.Wait(wctx, token, func(r fakeupstream.Record) bool {
				return r.Attempts(index) > 0 || strayed(r, index)
			}); err == nil {
				rec = r
			}
			cancel()
			if rec.Attempts(index) == 0 && strayed(rec, index) {
				return judged{obs: obs}, token, faultStray
			}
			if rec.Attempts(index) == 0 && fault == faultNone {
				fault = faultUnseen
				if unforwarded(obs) {
					fault = faultUnforwarded
					which = fmt.Sprintf("%q", obs.Response.Final.StatusLine)
					if index > 0 {
						which = fmt.Sprintf("follow-up %d got %s", index, which)
					}
				}
			}
		}
		if timed(expectationOf(sc, s.client, index)) {
			// The client can hold the upstream's last byte before the upstream's
			// goroutine has journaled writing it: wait until the script for this
			// request has ended (or never started) before timing against it.
			if r, err := s.up.Wait(ctx, token, func(r fakeupstream.Record) bool {
				q, ok := r.Last(index)
				return !ok || !q.Done.IsZero()
			}); err == nil {
				rec = r
			}
		}
		annotate(&obs, rec, index, mainConn)
		if index == 0 {
			mainConn = lastConn(rec, 0)
		}
		observed = append(observed, obs)
	}
	return judged{judge.Run(sc, s.client, references(sc, scripts), observed, s.timeouts), observed[0], anyReused(observed), which}, token, fault
}

// anyReused reports whether a follow-up rode the main request's upstream
// connection.
func anyReused(observed []judge.Observation) bool {
	for _, o := range observed[1:] {
		if o.Reused {
			return true
		}
	}
	return false
}

// strayed reports whether request index arrived late (fakeupstream.Record.Late)
// on a connection that carried none of the run's own requests: one that another
// scenario's script had closed.
func strayed(r fakeupstream.Record, index int) bool {
	own := map[int64]bool{}
	for _, c := range r.Connections {
		own[c.ID] = true
	}
	for _, q := range r.Late {
		if q.Index == index && !own[q.Conn] {
			return true
		}
	}
	return false
}

// broken is the judgement of a run the harness could not complete: error.
func (s *Session) broken(sc *scenarios.Scenario, scripts []fakeupstream.Script, observed []judge.Observation, err error) judged {
	j := judge.Unjudged(sc.ExpectFor(s.client), scenarios.VerdictError, err.Error())
	if len(observed) == 0 {
		return judged{j: j}
	}
	return judged{judge.Worst(judge.Run(sc, s.client, references(sc, scripts), observed, s.timeouts), j), observed[0], anyReused(observed), ""}
}

// exchange sends one request of the scenario over c (dialling a new connection
// when c is nil) and observes the answer. The client is returned open so a
// follow-up may use the same connection; it keeps any bytes read past the answer.
func (s *Session) exchange(ctx context.Context, c clientConn, sc *scenarios.Scenario, req scenarios.Request, token string, index int, deadline time.Duration) (clientConn, judge.Observation, error) {
	if c == nil {
		var err error
		if c, err = s.dial(ctx, sc.H2Settings); err != nil {
			return nil, judge.Observation{}, err
		}
	}
	// Only a follow-up on the same connection needs this request's whole body
	// sent after its response.
	reuse := index < len(sc.FollowUps) && sc.FollowUps[index].Connection == scenarios.ConnectionSame
	x := c.exchange(ctx, wireRequest(req, sc.RequestPath(token, index), s.addr), reuse, time.Now().Add(deadline))
	return c, judge.Observation{Exchange: x}, nil
}

// annotate adds the journal's facts about request index to an observation of
// it: how many attempts the upstream saw, the upstream's timing anchors (the
// last byte it wrote, its marks) that within checks are measured from and, for
// a follow-up (mainConn not -1), whether it rode the main request's upstream
// connection, mainConn.
func annotate(obs *judge.Observation, rec fakeupstream.Record, index int, mainConn int64) {
	obs.Attempts = rec.Attempts(index)
	q, ok := rec.Last(index)
	if !ok {
		return
	}
	obs.UpstreamMethod = q.Method
	obs.Anchors = map[string]time.Time{}
	if !q.LastWrite.IsZero() {
		obs.Anchors[scenarios.AnchorLastByte] = q.LastWrite
	}
	for name, at := range q.Marks {
		obs.Anchors[name] = at
	}
	if mainConn >= 0 {
		obs.Reused = q.Conn == mainConn
	}
}

// expectationOf is the expectation of request index for client: 0 the main
// request, 1.. the follow-ups.
func expectationOf(sc *scenarios.Scenario, client scenarios.Client, index int) scenarios.Expectation {
	if index == 0 {
		return sc.ExpectFor(client)
	}
	return sc.FollowUps[index-1].Expect
}

// timed reports whether any alternative of exp carries a within check.
func timed(exp scenarios.Expectation) bool {
	for _, a := range append(append([]scenarios.Alternative(nil), exp.Pass...), exp.NonStrict...) {
		if a.Within != nil {
			return true
		}
	}
	return false
}

// lastConn is the connection of the last attempt of request index, or -1.
func lastConn(r fakeupstream.Record, index int) int64 {
	if q, ok := r.Last(index); ok {
		return q.Conn
	}
	return -1
}
