package bench

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/wire"
)

// plainReadSize is the size of a plain-mode worker's read buffer.
const plainReadSize = 32 << 10

// plainConn is a plain-mode worker's connection and what it keeps across
// requests and connections: the read buffer and the reader's buffers.
type plainConn struct {
	conn net.Conn
	// stop unregisters the connection's cancel hook (see dial).
	stop func() bool
	// until is the deadline set on conn (time.Time{} for none yet).
	until time.Time
	buf   []byte
	r     plainReader
}

// plainResult is one plain-mode exchange as the outcome needs it.
type plainResult struct {
	// outcome is the status code, hung, no-response or aborted; err, when
	// set, a failure of the client itself instead (a dial, a cancelled
	// exchange, a read error that is neither a close, a reset nor a timeout).
	outcome string
	err     string
	end     time.Time
	// reused says the connection had carried a request before; idle that
	// the exchange looks like the proxy had closed it while idle (nothing
	// arrived, and the connection ended). See closedIdle.
	reused, idle bool
}

// plainRequest is worker.request in plain mode: a GET on the worker's
// connection, sent once more on a new connection when a reused one turned
// out closed while idle, then recorded. It makes the same decisions as the
// harness client and plainOutcome do, without their per-request goroutine,
// channels, context hook, deadline resets, parse of every field and body
// hash (see plainReader).
func (w *worker) plainRequest(j job) {
	e := w.e
	res := w.plainSend()
	if res.err == "" && res.reused && res.idle { // a GET is safe to send again
		e.rec.resend(j.measured)
		res = w.plainSend()
	}
	if res.err != "" {
		if e.xctx.Err() != nil { // cancelled: no evidence about the proxy
			return
		}
		e.rec.clientError(j.measured, res.err)
		return
	}
	e.rec.add(result{entry: -1, outcome: res.outcome, latency: res.end.Sub(j.start), end: res.end, measured: j.measured})
}

// plainSend sends the plain-mode request on the worker's connection,
// dialling one first when there is none, and frames the answer until it is
// complete, the connection ends, or the deadline (connect + read + 2s from
// the send) passes. The connection is closed afterwards unless the answer
// leaves it reusable.
//
// The connection's deadline is not set for every request: one set for an
// earlier request is kept while it is at least half the request deadline
// away. When it fires before this request's own deadline, the read deadline
// is moved to the request's and the read goes on, so a request times out
// exactly at its own deadline. A cancelled run (xctx) sets a deadline in the
// past on every open connection (the hook registered at dial); the context is
// checked after every deadline this code sets, so the hook cannot be
// overwritten unseen.
func (w *worker) plainSend() plainResult {
	e := w.e
	ctx := e.xctx
	p := &w.p
	if p.conn == nil {
		conn, err := (&net.Dialer{Timeout: dialTimeout}).DialContext(ctx, "tcp", e.addr)
		if err != nil {
			return plainResult{err: "connect to the proxy: " + err.Error()}
		}
		p.conn, p.until, w.used = conn, time.Time{}, false
		p.stop = context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
		if p.buf == nil {
			p.buf = make([]byte, plainReadSize)
		}
	}
	var res plainResult
	res.reused, w.used = w.used, true
	conn, r := p.conn, &p.r
	d := e.plainDeadline()
	deadline := time.Now().Add(d)
	if p.until.Before(deadline.Add(-d / 2)) {
		_ = conn.SetDeadline(deadline)
		p.until = deadline
	}
	r.reset("GET")
	ending := wire.EndComplete
	if ctx.Err() != nil {
		ending, res.err = wire.EndTimeout, "exchange cancelled: "+context.Cause(ctx).Error()
	} else {
		_, _ = conn.Write(e.plainHead) // a proxy may have answered and closed already: read on
		for {
			n, err := conn.Read(p.buf)
			if n > 0 {
				r.feed(p.buf[:n])
				if r.done() {
					break
				}
			}
			if err == nil {
				continue
			}
			if ctx.Err() == nil && errors.Is(err, os.ErrDeadlineExceeded) && time.Now().Before(deadline) {
				// An earlier request's deadline: move it to this one's.
				_ = conn.SetDeadline(deadline)
				p.until = deadline
				if ctx.Err() == nil {
					continue
				}
			}
			ending, res.err = plainEnding(ctx, err, r)
			break
		}
	}
	res.end = time.Now()
	if res.err == "" {
		res.outcome = r.outcome(ending)
		res.idle = !r.got && (ending == wire.EndTruncated || ending == wire.EndReset)
	}
	if !r.reusable() {
		w.closePlain()
	}
	return res
}

// plainEnding classifies the error that ended a read before the response was
// complete, as the harness client does.
func plainEnding(ctx context.Context, err error, r *plainReader) (wire.Ending, string) {
	switch {
	case ctx.Err() != nil:
		return wire.EndTimeout, "exchange cancelled: " + context.Cause(ctx).Error()
	case errors.Is(err, io.EOF):
		if r.closeDelimited() {
			return wire.EndComplete, ""
		}
		return wire.EndTruncated, ""
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE):
		return wire.EndReset, ""
	case errors.Is(err, os.ErrDeadlineExceeded):
		return wire.EndTimeout, ""
	}
	return wire.EndReset, "read from the proxy: " + err.Error()
}

// outcome is the plain-mode outcome of a response that ended as ending says
// (plainOutcome's decision): the status code when it is complete, else hung
// (the deadline passed), no-response (not one byte) or aborted.
func (r *plainReader) outcome(ending wire.Ending) string {
	complete := r.state == psDone || r.closeDelimited() && (ending == wire.EndComplete || ending == wire.EndTruncated)
	switch {
	case ending == wire.EndTimeout && (!r.got || !complete):
		return string(scenarios.OutcomeHung)
	case !r.got:
		return string(scenarios.OutcomeNoResponse)
	case !r.headComplete || !complete:
		return string(scenarios.OutcomeAborted)
	}
	return statusText(r.status)
}

// closePlain closes the worker's plain-mode connection, if any.
func (w *worker) closePlain() {
	p := &w.p
	if p.conn == nil {
		return
	}
	p.stop()
	_ = p.conn.Close()
	p.conn, p.stop, p.until = nil, nil, time.Time{}
}

// plainDeadline bounds one plain-mode exchange: connect + read + 2s.
func (e *engine) plainDeadline() time.Duration {
	return e.timeouts.Connect + e.timeouts.Read + 2*time.Second
}
