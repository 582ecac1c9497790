package bench

import (
	"context"
	"sync"
	"time"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/wire"
)

// Bounds of the journal reads.
const (
	// journalTimeout bounds one read of the journal (a remote one is an HTTP
	// request to the control API).
	journalTimeout = 10 * time.Second
	// timedWait bounds the wait for a script's end before a within check.
	timedWait = time.Second
	// journalWorkers and journalQueue size the pool that reads a remote
	// journal: the requests waiting for it are at most journalQueue, then the
	// load waits (in open-loop mode, as latency of the requests it delays).
	journalWorkers = 32
	journalQueue   = 8192
	// journalDrain bounds the wait for the pool to finish after the load.
	journalDrain = 30 * time.Second
)

// sent is one request as its connection left it: the observation, or the
// dial's error.
type sent struct {
	entry    int // mix entry; -1 in plain mode
	token    string
	obs      wire.Exchange
	err      error
	start    time.Time
	measured bool
}

// finish reads the journal for a request, forgets its token, judges the
// answer and records the outcome. A request whose exchange was cancelled (the
// run was interrupted, or its drain ran out) says nothing about the proxy: it
// counts as sent but not completed.
func (e *engine) finish(s sent) {
	if s.err != nil || s.obs.Err != "" {
		if s.token != "" {
			e.forget(s.token)
		}
		if e.xctx.Err() != nil {
			return
		}
		msg := s.obs.Err
		if s.err != nil {
			msg = s.err.Error()
		}
		e.rec.clientError(s.measured, msg)
		return
	}
	res := result{entry: s.entry, latency: s.obs.EndAt.Sub(s.start), end: s.obs.EndAt, measured: s.measured}
	if e.up == nil {
		res.outcome = plainOutcome(s.obs)
		e.rec.add(res)
		return
	}
	p := &e.plans[s.entry]
	rec, err := e.journal(p, s.token)
	e.forget(s.token)
	if err != nil {
		if e.xctx.Err() == nil {
			e.rec.clientError(s.measured, "read the fake upstream's journal: "+err.Error())
		}
		return
	}
	j := p.prep.Judge(s.obs, rec)
	res.outcome, res.verdict = string(j.Outcome), string(j.Verdict)
	attempts := rec.Attempts(0)
	res.journal = &journalFacts{attempts: attempts, unseen: attempts == 0 && (p.sc.Endpoint == "" || p.sc.Endpoint == scenarios.EndpointMain)}
	for _, c := range rec.Connections {
		res.journal.conns = append(res.journal.conns, c.ID)
	}
	e.rec.add(res)
}

// journal reads the Record of a request's token; for a scenario with a within
// check, once the script for it has ended (bounded by timedWait), as the
// harness does, since the client can hold the last byte before the upstream
// journals writing it.
func (e *engine) journal(p *plan, token string) (fakeupstream.Record, error) {
	ctx, cancel := context.WithTimeout(e.xctx, journalTimeout)
	defer cancel()
	rec, err := e.up.Journal(ctx, token)
	if err != nil {
		return rec, err
	}
	if p.prep.Timed() {
		wctx, cancel := context.WithTimeout(ctx, timedWait)
		defer cancel()
		if r, err := e.up.Wait(wctx, token, func(r fakeupstream.Record) bool {
			q, ok := r.Last(0)
			return !ok || !q.Done.IsZero()
		}); err == nil {
			rec = r
		}
	}
	return rec, nil
}

// forget drops a token's Record.
func (e *engine) forget(token string) { e.up.Forget(token) }

// accountant finishes requests off the load's goroutines, for a remote fake
// upstream whose journal is a round trip away: a fixed pool of workers reads
// a bounded queue, so a slow control API delays the figures, not the load —
// until journalQueue requests wait, when the load waits for it.
type accountant struct {
	queue chan sent
	wg    sync.WaitGroup
}

func startAccountant(finish func(sent)) *accountant {
	a := &accountant{queue: make(chan sent, journalQueue)}
	for range journalWorkers {
		a.wg.Add(1)
		go func() {
			defer a.wg.Done()
			for s := range a.queue {
				finish(s)
			}
		}()
	}
	return a
}

// submit queues s, unless ctx ends first (the request then goes unjudged, as
// one cancelled).
func (a *accountant) submit(ctx context.Context, s sent) {
	select {
	case a.queue <- s:
	case <-ctx.Done():
	}
}

// close ends the queue; the returned channel is closed once every queued
// request is finished.
func (a *accountant) close() <-chan struct{} {
	close(a.queue)
	done := make(chan struct{})
	go func() {
		a.wg.Wait()
		close(done)
	}()
	return done
}
