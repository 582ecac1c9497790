package harness

import (
	"context"
	"sync"
	"time"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/scenarios"
)

// workerPool is RunAll's pool of workers for the scenarios that share the
// proxy: a fixed number of goroutines, each running one repetition at a time.
// A repeated scenario's repetitions are independent runs: spread over the
// workers they take the time of a few, not of all of them one after another.
// The last of a scenario's repetitions to finish grades them all and reports
// the scenario's Result.
type workerPool struct {
	s      *Session
	ctx    context.Context
	report func(i int, r Result)
	jobs   chan job
	wg     sync.WaitGroup
}

// job is one repetition of a scenario for a worker.
type job struct {
	p   *pending
	rep int
}

// pending is a scenario whose repetitions are in the pool: index i of the run,
// its loaded scripts, and its repetitions as they finish.
type pending struct {
	i       int
	sc      *scenarios.Scenario
	scripts []fakeupstream.Script

	mu sync.Mutex
	// start is when a worker took up the first repetition: the scenario's
	// time counts from there.
	start time.Time
	reps  []repetition
	ran   []bool
	left  int
	// failed is set once a repetition failed: those not yet started are left
	// out (ran stays false), since they cannot change the verdict.
	failed bool
}

// startWorkers starts n workers on the session; report gets each scenario's
// Result as it is graded, from the workers' goroutines.
func (s *Session) startWorkers(ctx context.Context, n int, report func(i int, r Result)) *workerPool {
	w := &workerPool{s: s, ctx: ctx, report: report, jobs: make(chan job)}
	for range n {
		w.wg.Go(w.work)
	}
	return w
}

// submit hands the pool every repetition of scenario i, whose scripts are
// loaded, blocking while all workers are busy.
func (w *workerPool) submit(i int, sc *scenarios.Scenario, scripts []fakeupstream.Script) {
	n := w.s.repeats(sc)
	p := &pending{i: i, sc: sc, scripts: scripts, reps: make([]repetition, n), ran: make([]bool, n), left: n}
	for rep := range n {
		w.jobs <- job{p, rep}
	}
}

// wait ends the submissions and returns once every submitted scenario has
// been reported.
func (w *workerPool) wait() {
	close(w.jobs)
	w.wg.Wait()
}

// work is one worker: it runs repetitions until the submissions end, under
// the session's shared lock, so that an exclusive scenario never runs beside
// one.
func (w *workerPool) work() {
	for jb := range w.jobs {
		p := jb.p
		p.mu.Lock()
		if p.start.IsZero() {
			p.start = time.Now()
		}
		skip := p.failed
		p.mu.Unlock()
		var r repetition
		if !skip {
			w.s.exclusive.RLock()
			r = w.s.repetition(w.ctx, p.sc, p.scripts)
			w.s.exclusive.RUnlock()
		}
		if done, start, last := p.finished(jb.rep, r, !skip); last {
			w.report(p.i, w.s.withPoolEvidence(w.ctx, p.sc, w.s.grade(w.ctx, p.sc, start, done)))
		}
	}
}

// finished records that repetition rep ended (with r, when it ran) and, for
// the last one to end, returns the repetitions that ran, in order, and when
// the first started.
func (p *pending) finished(rep int, r repetition, ran bool) (done []repetition, start time.Time, last bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ran {
		p.reps[rep], p.ran[rep] = r, true
		p.failed = p.failed || r.j.Verdict == scenarios.VerdictFail
	}
	p.left--
	if p.left > 0 {
		return nil, time.Time{}, false
	}
	for k, r := range p.reps {
		if p.ran[k] {
			done = append(done, r)
		}
	}
	return done, p.start, true
}
