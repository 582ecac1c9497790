package fakeupstream

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Journal bounds.
const (
	// maxTokens is how many tokens the journal keeps; the oldest is forgotten first.
	maxTokens = 10000
	// maxStoredHead is how many bytes of a request head the journal keeps.
	maxStoredHead = 16 << 10
	// maxRequestsPerToken is how many requests the journal keeps per token.
	maxRequestsPerToken = 1000
)

// ClosedBy values of SeenConn.
const (
	ClosedByUpstream = "upstream"
	ClosedByProxy    = "proxy"
)

// errServerClosed is returned by Wait once the server is closed.
var errServerClosed = errors.New("fake upstream closed")

// journal keeps a Record per token, bounded, and wakes waiters on every change.
type journal struct {
	mu        sync.Mutex
	maxTokens int
	maxHead   int
	entries   map[string]*entry
	// oldest and newest are the ends of the entries' list, oldest token first.
	oldest, newest *entry
	waiters        map[string]*waiter
	closed         chan struct{}
}

// entry is the journal's state for one token.
type entry struct {
	token string
	reqs  []SeenRequest
	conns []*connInfo
	late  []SeenRequest
	// prev and next link the entries from the oldest token to the newest.
	prev, next *entry
	// firstReq and firstConn hold reqs and conns until a token has more than
	// one (most have one request on one connection): one allocation per token.
	firstReq  [1]SeenRequest
	firstConn [1]*connInfo
}

// connInfo is the journal's state for one connection, shared by every token it
// carried.
type connInfo struct {
	id       int64
	opened   time.Time
	closed   time.Time
	closedBy string
	requests int
}

// reqRef points at one journaled request; the zero reqRef points at none.
type reqRef struct {
	e *entry
	i int
}

// waiter is the channel Wait calls for one token block on; it is closed on the
// token's next change.
type waiter struct {
	ch chan struct{}
	n  int
}

func newJournal(tokens, head int) *journal {
	return &journal{
		maxTokens: tokens,
		maxHead:   head,
		entries:   map[string]*entry{},
		waiters:   map[string]*waiter{},
		closed:    make(chan struct{}),
	}
}

// add journals a request under token, arriving on ci, and returns a reference for
// later updates (the zero reqRef when the token already holds the most requests
// kept: the head is then not copied). It also counts the request on ci.
func (j *journal) add(token string, r SeenRequest, ci *connInfo) reqRef {
	j.mu.Lock()
	defer j.mu.Unlock()
	ci.requests++
	e := j.entryLocked(token)
	if !containsConn(e.conns, ci) {
		e.conns = append(e.conns, ci)
	}
	j.notifyConnLocked(ci)
	if len(e.reqs) >= maxRequestsPerToken {
		return reqRef{}
	}
	r.Conn = ci.id
	r.Head = append([]byte(nil), r.Head[:min(len(r.Head), j.maxHead)]...)
	e.reqs = append(e.reqs, r)
	j.notifyLocked(token)
	return reqRef{e: e, i: len(e.reqs) - 1}
}

// addLate journals a request under token that arrived on ci after the upstream
// had closed ci: not an attempt, and not a request ci carried.
func (j *journal) addLate(token string, r SeenRequest, ci *connInfo) {
	j.mu.Lock()
	defer j.mu.Unlock()
	e := j.entryLocked(token)
	if len(e.late) >= maxRequestsPerToken {
		return
	}
	r.Conn = ci.id
	r.Head = append([]byte(nil), r.Head[:min(len(r.Head), j.maxHead)]...)
	e.late = append(e.late, r)
	j.notifyLocked(token)
}

// entryLocked returns the entry for token, creating it and forgetting the oldest
// token when there are too many.
func (j *journal) entryLocked(token string) *entry {
	if e, ok := j.entries[token]; ok {
		return e
	}
	e := &entry{token: token, prev: j.newest}
	e.reqs, e.conns = e.firstReq[:0], e.firstConn[:0]
	if j.newest != nil {
		j.newest.next = e
	} else {
		j.oldest = e
	}
	j.newest = e
	j.entries[token] = e
	for len(j.entries) > j.maxTokens {
		old := j.oldest
		j.removeLocked(old)
		j.notifyLocked(old.token)
	}
	return e
}

// removeLocked drops e from the journal.
func (j *journal) removeLocked(e *entry) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		j.oldest = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		j.newest = e.prev
	}
	e.prev, e.next = nil, nil
	delete(j.entries, e.token)
}

// update changes a journaled request; the zero ref is ignored.
func (j *journal) update(ref reqRef, fn func(*SeenRequest)) {
	if ref.e == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	fn(&ref.e.reqs[ref.i])
	j.notifyLocked(ref.e.token)
}

// connEnded records that ci ended, closed first by by; only the first call counts.
func (j *journal) connEnded(ci *connInfo, by string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if !ci.closed.IsZero() {
		return
	}
	ci.closed = time.Now()
	ci.closedBy = by
	j.notifyConnLocked(ci)
}

// record returns a deep copy of the Record for token.
func (j *journal) record(token string) Record {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.recordLocked(token)
}

func (j *journal) recordLocked(token string) Record {
	rec := Record{Token: token, Requests: []SeenRequest{}, Connections: []SeenConn{}}
	e, ok := j.entries[token]
	if !ok {
		return rec
	}
	for _, r := range e.reqs {
		r.Head = append([]byte(nil), r.Head...)
		if r.Marks != nil {
			marks := make(map[string]time.Time, len(r.Marks))
			for k, v := range r.Marks {
				marks[k] = v
			}
			r.Marks = marks
		}
		rec.Requests = append(rec.Requests, r)
	}
	for _, r := range e.late {
		r.Head = append([]byte(nil), r.Head...)
		rec.Late = append(rec.Late, r)
	}
	for _, ci := range e.conns {
		rec.Connections = append(rec.Connections, SeenConn{
			ID:       ci.id,
			Opened:   ci.opened,
			Closed:   ci.closed,
			ClosedBy: ci.closedBy,
			Requests: ci.requests,
		})
	}
	return rec
}

// known reports whether the journal keeps a Record for token.
func (j *journal) known(token string) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	_, ok := j.entries[token]
	return ok
}

// forget drops the Record for token.
func (j *journal) forget(token string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if e, ok := j.entries[token]; ok {
		j.removeLocked(e)
		j.notifyLocked(token)
	}
}

// wait blocks until cond holds for the Record of token, ctx ends or the journal is
// closed. cond runs without the journal's lock held, on a copy.
func (j *journal) wait(ctx context.Context, token string, cond func(Record) bool) (Record, error) {
	for {
		j.mu.Lock()
		rec := j.recordLocked(token)
		w := j.waiters[token]
		if w == nil {
			w = &waiter{ch: make(chan struct{})}
			j.waiters[token] = w
		}
		w.n++
		j.mu.Unlock()
		if cond(rec) {
			j.leave(token, w)
			return rec, nil
		}
		select {
		case <-w.ch:
		case <-ctx.Done():
			j.leave(token, w)
			return rec, fmt.Errorf("wait for token %q: %w", token, ctx.Err())
		case <-j.closed:
			j.leave(token, w)
			return rec, fmt.Errorf("wait for token %q: %w", token, errServerClosed)
		}
	}
}

// leave unregisters one Wait call from w.
func (j *journal) leave(token string, w *waiter) {
	j.mu.Lock()
	defer j.mu.Unlock()
	w.n--
	if w.n == 0 && j.waiters[token] == w {
		delete(j.waiters, token)
	}
}

// notifyLocked wakes the waiters of token.
func (j *journal) notifyLocked(token string) {
	if w, ok := j.waiters[token]; ok {
		close(w.ch)
		delete(j.waiters, token)
	}
}

// notifyConnLocked wakes the waiters of every token whose Record lists ci.
func (j *journal) notifyConnLocked(ci *connInfo) {
	for token := range j.waiters {
		if e, ok := j.entries[token]; ok && containsConn(e.conns, ci) {
			j.notifyLocked(token)
		}
	}
}

// close wakes every waiter for good.
func (j *journal) close() {
	j.mu.Lock()
	defer j.mu.Unlock()
	select {
	case <-j.closed:
	default:
		close(j.closed)
	}
}

func containsConn(conns []*connInfo, ci *connInfo) bool {
	for _, c := range conns {
		if c == ci {
			return true
		}
	}
	return false
}
