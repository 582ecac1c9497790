package bench

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// job is one request for a connection to send: its index and its start (the
// intended one in open-loop mode), and whether it is in the measured window.
type job struct {
	i        int64
	start    time.Time
	measured bool
}

// load sends the requests of the warm-up and the measured window, then waits
// for those in flight (bounded), and returns when the load stopped being sent
// and, in open-loop mode, how many due requests of the window were never sent
// for want of a free connection.
func (e *engine) load(ctx context.Context) (stopped time.Time, backlog int64) {
	var wg sync.WaitGroup
	if e.cfg.Rate > 0 {
		stopped, backlog = e.openLoop(ctx, &wg)
	} else {
		stopped = e.closedLoop(ctx, &wg)
	}
	e.phase.Store(phaseDrain)
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	e.await(ctx, done, e.drainBound())
	if e.acct != nil {
		e.await(ctx, e.acct.close(), journalDrain)
	}
	return stopped, backlog
}

// await waits until done is closed, for at most bound, or after ctx ends for
// at most interruptGrace more; then it cancels every exchange, dial and
// journal read left (they end at once) and waits for done.
func (e *engine) await(ctx context.Context, done <-chan struct{}, bound time.Duration) {
	t := time.NewTimer(bound)
	defer t.Stop()
	select {
	case <-done:
		return
	case <-t.C:
	case <-ctx.Done():
		g := time.NewTimer(interruptGrace)
		select {
		case <-done:
		case <-g.C:
		case <-t.C:
		}
		g.Stop()
	}
	e.cancelX()
	<-done
}

// openLoop schedules request i at t0 + i/rate, and hands each, when due, to
// the connection that became free last (as HTTP clients pick a pooled
// connection, so a light load keeps few connections busy), or to a new one
// while fewer than Connections are open. A request that finds them all busy
// waits; its latency still runs from its intended start, so a proxy that
// stalls its connections cannot hide the requests it delayed (coordinated
// omission). Scheduling stops at the window's end, at MaxRequests, or when
// ctx ends.
func (e *engine) openLoop(ctx context.Context, wg *sync.WaitGroup) (time.Time, int64) {
	p := &pool{e: e, wg: wg, freed: make(chan struct{}, 1)}
	defer p.close()
	interval := float64(time.Second) / e.cfg.Rate
	at := func(i int64) time.Time { return e.t0.Add(time.Duration(float64(i) * interval)) }
	// due is how many requests the window's end makes due; first, the index
	// of the window's first request.
	due := min(int64(math.Ceil(float64(e.cfg.Warmup+e.cfg.Duration)/interval)), e.cfg.MaxRequests)
	first := int64(math.Ceil(float64(e.cfg.Warmup) / interval))
	wait := time.NewTimer(time.Hour)
	wait.Stop()
	end := time.NewTimer(time.Until(e.windowEnd))
	defer end.Stop()
	for i := int64(0); i < due; i++ {
		start := at(i)
		if d := time.Until(start); d > 0 {
			wait.Reset(d)
			select {
			case <-wait.C:
			case <-ctx.Done():
				wait.Stop()
				return time.Now(), 0
			}
		}
		for {
			if w := p.get(); w != nil {
				w.jobs <- job{i: i, start: start, measured: i >= first}
				break
			}
			select {
			case <-p.freed:
			case <-ctx.Done():
				return time.Now(), 0
			case <-end.C: // every connection busy until the window closed
				return e.windowEnd, due - max(i, first)
			}
		}
	}
	if due == e.cfg.MaxRequests {
		return time.Now(), 0
	}
	return e.windowEnd, 0
}

// pool is open-loop mode's connections: a worker goroutine each, started
// when needed up to Connections, and a stack of the idle ones.
type pool struct {
	e     *engine
	wg    *sync.WaitGroup
	mu    sync.Mutex
	idle  []*poolWorker
	all   []*poolWorker
	freed chan struct{} // a worker became idle
}

// poolWorker is a worker and the channel its next job comes on.
type poolWorker struct {
	worker
	jobs chan job
}

// get returns the worker idle for the shortest time, a new one while there
// are fewer than Connections, or nil.
func (p *pool) get() *poolWorker {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.idle); n > 0 {
		w := p.idle[n-1]
		p.idle = p.idle[:n-1]
		return w
	}
	if len(p.all) == p.e.cfg.Connections {
		return nil
	}
	w := &poolWorker{worker: worker{e: p.e}, jobs: make(chan job, 1)}
	p.all = append(p.all, w)
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer w.close()
		for j := range w.jobs {
			w.request(j)
			p.put(w)
		}
	}()
	return w
}

// put makes w idle again and wakes a scheduler waiting for one.
func (p *pool) put(w *poolWorker) {
	p.mu.Lock()
	p.idle = append(p.idle, w)
	p.mu.Unlock()
	select {
	case p.freed <- struct{}{}:
	default:
	}
}

// close ends every worker once its job, if any, is done.
func (p *pool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, w := range p.all {
		close(w.jobs)
	}
}

// closedLoop runs Connections workers, each sending its next request as soon
// as its previous one ended, until the window's end, MaxRequests, or ctx
// ends. Request indexes are handed out in order, so the mix's picks are the
// same as in open-loop mode.
func (e *engine) closedLoop(ctx context.Context, wg *sync.WaitGroup) time.Time {
	var next atomic.Int64
	var capped atomic.Int64 // when MaxRequests was reached, in UnixNano
	all := make(chan struct{})
	var workers sync.WaitGroup
	for range e.cfg.Connections {
		wg.Add(1)
		workers.Add(1)
		go func() {
			defer wg.Done()
			defer workers.Done()
			w := &worker{e: e}
			defer w.close()
			for ctx.Err() == nil {
				now := time.Now()
				if !now.Before(e.windowEnd) {
					return
				}
				i := next.Add(1) - 1
				if i >= e.cfg.MaxRequests {
					capped.CompareAndSwap(0, now.UnixNano())
					return
				}
				w.request(job{i: i, start: now, measured: !now.Before(e.windowStart)})
			}
		}()
	}
	go func() {
		workers.Wait()
		close(all)
	}()
	end := time.NewTimer(time.Until(e.windowEnd))
	defer end.Stop()
	select {
	case <-end.C:
		return e.windowEnd
	case <-ctx.Done():
		return time.Now()
	case <-all: // MaxRequests reached and every worker done
		if c := capped.Load(); c != 0 {
			return time.Unix(0, c)
		}
		return time.Now()
	}
}
