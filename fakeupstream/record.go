package fakeupstream

import "time"

// Record is everything the fake upstream saw for one token: the requests that
// carried it, in arrival order, and the connections they arrived on.
type Record struct {
	Token       string        `json:"token"`
	Requests    []SeenRequest `json:"requests"`
	Connections []SeenConn    `json:"connections"`
	// Late are requests with the token that arrived on a connection the upstream
	// had already closed (a Close step's FIN, or CloseIdle's) or whose script
	// only waited for the proxy to close it (Hang): the proxy reused a
	// connection it should have left, or before it noticed the FIN. No script
	// saw them, so they are not attempts, and their connections are not in
	// Connections.
	Late []SeenRequest `json:"late,omitempty"`
}

// SeenRequest is one request the fake upstream read.
type SeenRequest struct {
	// Index is the request's index from its path: 0 for a scenario's main request,
	// 1.. for its follow-ups.
	Index int `json:"index"`
	// ScenarioID is the id from the path.
	ScenarioID string `json:"scenario_id"`
	Method     string `json:"method"`
	Target     string `json:"target"`
	// Head is the raw request head, as received, up to and including the empty line.
	Head []byte `json:"head"`
	// BodyLen is how many body bytes were read (per the request's framing).
	BodyLen int64 `json:"body_len"`
	// Conn is the id of the connection the request arrived on (see SeenConn).
	Conn int64 `json:"conn"`
	// At is when the head was complete.
	At time.Time `json:"at"`
	// FirstWrite and LastWrite are when the script wrote its first and last byte
	// for this request (zero when it wrote nothing).
	FirstWrite time.Time `json:"first_write,omitzero"`
	LastWrite  time.Time `json:"last_write,omitzero"`
	// Done is when the script for this request ended (zero while it runs): its
	// last step ran, it turned to the next request on the connection, it closed or
	// reset the connection, or it began a Hang — a Hang only waits for the peer, and
	// when the connection ended is in the Record's Connections.
	Done time.Time `json:"done,omitzero"`
	// Marks are the times of the script's Mark steps, by name.
	Marks map[string]time.Time `json:"marks,omitempty"`
	// Err is why the script stopped early, if it did (the peer left, a bound was hit).
	Err string `json:"err,omitempty"`
}

// SeenConn is one accepted connection that carried at least one request with the
// token.
type SeenConn struct {
	ID     int64     `json:"id"`
	Opened time.Time `json:"opened"`
	// Closed is when the connection ended (zero while open).
	Closed time.Time `json:"closed,omitzero"`
	// ClosedBy is "upstream" when the fake upstream closed or reset it first,
	// "proxy" when the proxy closed it first, "" while open.
	ClosedBy string `json:"closed_by,omitempty"`
	// Requests is how many requests (any token) the connection carried in all.
	Requests int `json:"requests"`
}

// Attempts is how many times the upstream saw the request with the given index.
func (r Record) Attempts(index int) int {
	n := 0
	for _, q := range r.Requests {
		if q.Index == index {
			n++
		}
	}
	return n
}

// First returns the first request seen with the given index.
func (r Record) First(index int) (SeenRequest, bool) {
	for _, q := range r.Requests {
		if q.Index == index {
			return q, true
		}
	}
	return SeenRequest{}, false
}

// Last returns the last request seen with the given index: the last attempt.
func (r Record) Last(index int) (SeenRequest, bool) {
	for i := len(r.Requests) - 1; i >= 0; i-- {
		if r.Requests[i].Index == index {
			return r.Requests[i], true
		}
	}
	return SeenRequest{}, false
}
