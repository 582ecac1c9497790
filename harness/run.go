package harness

import (
	"cmp"
	"context"
	"errors"
	"sync"
	"time"

	"github.com/gatecheck/gatecheck/judge"
	"github.com/gatecheck/gatecheck/scenarios"
)

// Run opens a session on the target, runs every scenario (in parallel, exclusive
// ones alone after the rest) and closes the session. Results are in the order of
// scs. A cancelled ctx stops the run: scenarios not yet started are skipped, and
// the partial report is returned with ctx's error.
func Run(ctx context.Context, t Target, scs []*scenarios.Scenario, opts Options) (*Report, error) {
	start := time.Now()
	s, err := Open(ctx, t, opts)
	var ns *NotServed
	if errors.As(err, &ns) {
		return NotServedReport(t, scs, ns), nil
	}
	if err != nil {
		return nil, err
	}
	results := s.RunAll(ctx, scs, opts)
	rep := s.Report(results, 0)
	closeErr := s.Close(context.WithoutCancel(ctx))
	rep.ElapsedMS = time.Since(start).Milliseconds()
	return rep, errors.Join(ctx.Err(), closeErr)
}

// RunAll runs scenarios on an open session: the non-exclusive ones on
// opts.Parallel workers (capped by a Paralleled target's limit), each repetition
// of a repeated scenario on its own worker, then, one by one through Run, the
// exclusive ones and those with their own declared timeouts. Results are in
// the order of scs, graded as Run grades them.
func (s *Session) RunAll(ctx context.Context, scs []*scenarios.Scenario, opts Options) []Result {
	parallel := Parallelism(s.target, opts.Parallel)
	results := make([]Result, len(scs))
	var progress sync.Mutex
	report := func(i int, r Result) {
		results[i] = r
		if opts.Progress != nil {
			progress.Lock()
			opts.Progress(r)
			progress.Unlock()
		}
	}
	pool := s.startWorkers(ctx, parallel, report)
	for i, sc := range scs {
		if sc.Exclusive || s.retimes(sc) {
			continue
		}
		start := time.Now()
		scripts, failed, ok := s.prepare(ctx, sc)
		if !ok {
			report(i, finish(resultOf(sc), start, failed))
			continue
		}
		pool.submit(i, sc, scripts)
	}
	pool.wait()
	for i, sc := range scs {
		if sc.Exclusive || s.retimes(sc) {
			report(i, s.Run(ctx, sc))
		}
	}
	return results
}

// defaultParallel is how many scenarios run at once when neither the options nor
// the target say.
const defaultParallel = 8

// Parallelism is how many scenarios RunAll runs at once on target t when the run
// asks for asked (0: the target's own number, else the default): never more
// than a Paralleled target's number.
func Parallelism(t Target, asked int) int {
	own := 0
	if p, ok := t.(Paralleled); ok {
		own = p.Parallel()
	}
	n := asked
	if n <= 0 {
		n = cmp.Or(own, defaultParallel)
	}
	if own > 0 {
		n = min(n, own)
	}
	return n
}

// NotServed reports whether the report is of a client the target has no
// listener for (NotServedReport's).
func (r *Report) NotServed() bool { return r.NotServedReason != "" }

// NotServedReport is the report of a run over a client the target has no
// listener for: every scenario a skip that says why, never a verdict.
func NotServedReport(t Target, scs []*scenarios.Scenario, ns *NotServed) *Report {
	results := make([]Result, len(scs))
	for i, sc := range scs {
		results[i] = finish(resultOf(sc), time.Now(), judge.Unjudged(sc.ExpectFor(ns.Client), scenarios.VerdictSkip, ns.Error()))
	}
	rep := &Report{SchemaVersion: SchemaVersion, GatecheckVersion: Version, Target: t.String(), Client: ns.Client,
		Timeouts: t.Timeouts(), Results: results, Summary: Summarize(results), NotServedReason: ns.Error()}
	if v, ok := t.(Versioned); ok {
		rep.TargetVersion = v.Version()
	}
	return rep
}
