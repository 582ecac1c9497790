package bench

import (
	"fmt"
	"math"
	"sync"
	"time"
)

// maxSamples bounds the samples of one run; beyond it the last is replaced.
const maxSamples = 20000

// stamped is a sample and when it was taken.
type stamped struct {
	at time.Time
	s  Sample
}

// sampler reads the proxy's processes every interval in a goroutine of its
// own, from startSampler until finish.
type sampler struct {
	list  func() ([]int, error)
	every time.Duration

	mu      sync.Mutex
	samples []stamped

	stop, done chan struct{}
}

// startSampler takes a first sample at once, then one every interval.
func startSampler(list func() ([]int, error), every time.Duration) *sampler {
	s := &sampler{list: list, every: every, stop: make(chan struct{}), done: make(chan struct{})}
	s.take()
	go func() {
		defer close(s.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				s.take()
			case <-s.stop:
				return
			}
		}
	}()
	return s
}

// take reads one sample. A process list that fails (the proxy is gone) gives
// a sample of zeros.
func (s *sampler) take() {
	var smp Sample
	if pids, err := s.list(); err == nil {
		smp = readSample(pids)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := stamped{at: time.Now(), s: smp}
	if len(s.samples) >= maxSamples {
		s.samples[len(s.samples)-1] = st
		return
	}
	s.samples = append(s.samples, st)
}

// finish stops the sampling, takes a last sample and returns them all.
func (s *sampler) finish() []stamped {
	close(s.stop)
	<-s.done
	s.take()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.samples
}

// resources makes the report's Resources from the samples: times from the
// measured window's start, Before the first sample (taken before the warm-up),
// After the last (after the settle time, which follows the fake upstream's
// closing its idle connections: a proxy's pool is not counted, sockets it
// keeps after the upstream closed them are), and the suspected leaks unless
// the run was interrupted (its last sample then says nothing of a settled
// proxy).
func resources(samples []stamped, windowStart time.Time, interrupted bool) *Resources {
	r := &Resources{Samples: make([]Sample, len(samples))}
	for i, st := range samples {
		st.s.T = math.Round(st.at.Sub(windowStart).Seconds()*1000) / 1000
		r.Samples[i] = st.s
	}
	if len(r.Samples) == 0 {
		return r
	}
	r.Before, r.After = r.Samples[0], r.Samples[len(r.Samples)-1]
	if !interrupted {
		r.Leaks = leaks(r.Before, r.After)
	}
	return r
}

// leakRule is when a figure's growth from before the load to after it
// settled is reported as a suspected leak: it grew by more than abs AND by
// more than rel of its value before. Both bounds keep normal behaviour out —
// a proxy that opens its pool of upstream connections (a few files), grows
// its allocator's arenas once, or starts its thread pool.
type leakRule struct {
	name   string
	value  func(Sample) int64
	abs    int64
	rel    float64
	format func(int64) string
}

// leakRules: open files grown by more than 16 and 25%, resident memory by
// more than 32 MiB and 50%, threads by more than 8 and 50%.
var leakRules = []leakRule{
	{"open files", func(s Sample) int64 { return int64(s.FDs) }, 16, 0.25, func(n int64) string { return fmt.Sprint(n) }},
	{"resident memory", func(s Sample) int64 { return s.RSSBytes }, 32 << 20, 0.5, formatBytes},
	{"threads", func(s Sample) int64 { return int64(s.Threads) }, 8, 0.5, func(n int64) string { return fmt.Sprint(n) }},
}

// leaks lists every figure that grew beyond its leakRule, as "open files 64
// -> 412 (+348) after the load". Samples of no process (the proxy was gone)
// are not compared.
func leaks(before, after Sample) []string {
	if before.Procs == 0 || after.Procs == 0 {
		return nil
	}
	var out []string
	for _, r := range leakRules {
		b, a := r.value(before), r.value(after)
		if a-b > r.abs && float64(a) > float64(b)*(1+r.rel) {
			out = append(out, fmt.Sprintf("%s %s -> %s (+%s) after the load", r.name, r.format(b), r.format(a), r.format(a-b)))
		}
	}
	return out
}

// formatBytes writes a byte count in MiB with one decimal.
func formatBytes(n int64) string {
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}
