package bench

import (
	"cmp"
	"slices"
	"sync"
	"time"
)

// maxClientErrors bounds the distinct client error messages a report keeps;
// the rest are counted under otherClientErrors.
const maxClientErrors = 32

const otherClientErrors = "other client errors"

// rowKey identifies one OutcomeStats row: a mix entry (-1 in plain mode), an
// outcome and a verdict.
type rowKey struct {
	entry   int
	outcome string
	verdict string
}

// result is one request that got an outcome.
type result struct {
	entry    int
	outcome  string
	verdict  string
	latency  time.Duration
	end      time.Time
	measured bool
	// journal is what the upstream journal said of the request; nil in plain
	// mode.
	journal *journalFacts
}

// journalFacts are the journal's figures for one request.
type journalFacts struct {
	// attempts is how often the upstream saw the request; conns the ids of
	// the connections it arrived on.
	attempts int
	conns    []int64
	// unseen says the request was for the main endpoint and never arrived.
	unseen bool
}

// second is one second of the timeline.
type second struct {
	h  *hist
	by map[string]int64
}

// recorder gathers the figures of one target's run. It is safe for
// concurrent use; every method takes its lock for a few map and histogram
// updates.
type recorder struct {
	mu sync.Mutex
	// span is the run's length, for histogram ranges; windowStart is when the
	// measured window opened.
	span        time.Duration
	windowStart time.Time

	total   *hist
	rows    map[rowKey]*hist
	seconds []*second

	sent, completed int64
	outcomes        map[string]int64
	clientErrors    map[string]int64
	resent          int64

	journaled, attempts, extra, newConns, unseen int64
	seen                                         connSet
}

func newRecorder(span time.Duration, windowStart time.Time) *recorder {
	return &recorder{
		span:         span,
		windowStart:  windowStart,
		total:        newHist(span, sigDigits),
		rows:         map[rowKey]*hist{},
		outcomes:     map[string]int64{},
		clientErrors: map[string]int64{},
	}
}

// started counts a request sent.
func (r *recorder) started(measured bool) {
	if !measured {
		return
	}
	r.mu.Lock()
	r.sent++
	r.mu.Unlock()
}

// resend counts a request sent again on a fresh connection after the proxy
// had closed the idle one it went out on.
func (r *recorder) resend(measured bool) {
	if !measured {
		return
	}
	r.mu.Lock()
	r.resent++
	r.mu.Unlock()
}

// clientError counts a request the load generator itself failed.
func (r *recorder) clientError(measured bool, msg string) {
	if !measured {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.clientErrors[msg]; !ok && len(r.clientErrors) >= maxClientErrors {
		msg = otherClientErrors
	}
	r.clientErrors[msg]++
}

// add records a request's outcome. Warm-up requests only mark the upstream
// connections they used as seen, so that a connection opened in the warm-up
// and reused later is not counted as opened in the window.
func (r *recorder) add(res result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fresh := 0
	if res.journal != nil {
		for _, id := range res.journal.conns {
			if r.seen.add(id) {
				fresh++
			}
		}
	}
	if !res.measured {
		return
	}
	r.completed++
	r.outcomes[res.outcome]++
	r.total.record(res.latency)
	key := rowKey{res.entry, res.outcome, res.verdict}
	h := r.rows[key]
	if h == nil {
		h = newHist(r.span, sigDigits)
		r.rows[key] = h
	}
	h.record(res.latency)
	sec := int(max(res.end.Sub(r.windowStart), 0) / time.Second)
	for len(r.seconds) <= sec {
		r.seconds = append(r.seconds, nil)
	}
	s := r.seconds[sec]
	if s == nil {
		s = &second{h: newHist(r.span, timelineSigDigits), by: map[string]int64{}}
		r.seconds[sec] = s
	}
	s.h.record(res.latency)
	s.by[res.outcome]++
	if j := res.journal; j != nil {
		r.journaled++
		r.attempts += int64(j.attempts)
		r.extra += int64(max(j.attempts-1, 0))
		r.newConns += int64(fresh)
		if j.unseen {
			r.unseen++
		}
	}
}

// snapshot is the figures so far, for progress lines.
func (r *recorder) snapshot() (sent, completed int64, outcomes map[string]int64, p99 time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	outcomes = make(map[string]int64, len(r.outcomes))
	for k, v := range r.outcomes {
		outcomes[k] = v
	}
	return r.sent, r.completed, outcomes, r.total.valueAt(99)
}

// fill writes the figures into t. elapsed is the measured window's length;
// ids names mix entries (nil in plain mode), against gives the declared
// timeout a row is measured against, if any.
func (r *recorder) fill(t *TargetReport, elapsed time.Duration, ids []string, against func(entry int, outcome string) (string, time.Duration)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t.ElapsedMS = elapsed.Milliseconds()
	t.Sent, t.Completed = r.sent, r.completed
	secs := elapsed.Seconds()
	rate := func(n int64) float64 {
		if secs <= 0 {
			return 0
		}
		return round3(float64(n) / secs)
	}
	t.ThroughputRPS = rate(r.completed)
	t.Latency = r.total.percentiles()
	keys := make([]rowKey, 0, len(r.rows))
	for k := range r.rows {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b rowKey) int {
		return cmp.Or(cmp.Compare(a.entry, b.entry),
			cmp.Compare(r.rows[b].h.TotalCount(), r.rows[a].h.TotalCount()),
			cmp.Compare(a.outcome, b.outcome), cmp.Compare(a.verdict, b.verdict))
	})
	t.Outcomes = make([]OutcomeStats, 0, len(keys))
	for _, k := range keys {
		h := r.rows[k]
		st := OutcomeStats{Outcome: k.outcome, Verdict: k.verdict, Count: h.h.TotalCount(),
			ThroughputRPS: rate(h.h.TotalCount()), Latency: h.percentiles(), Spectrum: h.spectrum()}
		if r.completed > 0 {
			st.Share = round6(float64(st.Count) / float64(r.completed))
		}
		if k.entry >= 0 {
			st.Scenario = ids[k.entry]
			if name, d := against(k.entry, k.outcome); name != "" {
				st.Against, st.AgainstMS = name, float64(d.Microseconds())/1000
				st.OverP50MS = round3(st.Latency.P50 - st.AgainstMS)
				st.OverP99MS = round3(st.Latency.P99 - st.AgainstMS)
			}
		}
		t.Outcomes = append(t.Outcomes, st)
	}
	t.Timeline = make([]TimePoint, len(r.seconds))
	for i, s := range r.seconds {
		p := TimePoint{T: float64(i), Completed: map[string]int64{}}
		if s != nil {
			p.Completed = s.by
			pc := s.h.percentiles()
			p.P50, p.P99, p.Max = pc.P50, pc.P99, pc.Max
		}
		t.Timeline[i] = p
	}
	if ids != nil {
		u := &UpstreamStats{Requests: r.attempts, Connections: r.newConns, Unseen: r.unseen}
		if r.journaled > 0 {
			u.RetriesPerRequest = round6(float64(r.extra) / float64(r.journaled))
			u.ConnectionsPerRequest = round6(float64(r.newConns) / float64(r.journaled))
		}
		t.Upstream = u
	}
	if len(r.clientErrors) > 0 {
		t.ClientErrors = r.clientErrors
	}
	t.Resent = r.resent
}

// connSet is the set of upstream connection ids seen, as a bitset from a base
// a little below the first id seen (a fake upstream numbers its connections
// from 1 as it accepts them, so the ids of one run are dense).
type connSet struct {
	base int64
	bits []uint64
	init bool
}

// connSetSlack is how far below the first id seen the set starts: ids of
// connections opened just before it, seen later.
const connSetSlack = 1 << 16

// add adds id and reports whether it is new. An id below the base is an old
// connection, never new.
func (s *connSet) add(id int64) bool {
	if !s.init {
		s.base, s.init = max(id-connSetSlack, 0), true
	}
	if id < s.base {
		return false
	}
	off := id - s.base
	w := int(off / 64)
	for len(s.bits) <= w {
		s.bits = append(s.bits, 0)
	}
	bit := uint64(1) << (off % 64)
	if s.bits[w]&bit != 0 {
		return false
	}
	s.bits[w] |= bit
	return true
}
