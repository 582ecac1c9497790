package wire

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"time"
)

// ContinueWait is how long a request with Expect: 100-continue holds its body
// back when neither a 100 nor a final response arrives (RFC 9110 §10.1.1 lets a
// client send the body without waiting any longer).
const ContinueWait = time.Second

// writeGrace is how long a request body still being written may go on once the
// response has ended; then the write is cut.
const writeGrace = time.Second

// readSize is the size of one read from the connection.
const readSize = 64 << 10

// HTTP1Client is gatecheck's raw HTTP/1.x client on one connection to the proxy. It
// writes exact bytes and records exactly what comes back, without repairing,
// merging or rejecting anything. Bytes that arrive after one response are kept
// and read as the start of the next, so several exchanges may share the
// connection.
type HTTP1Client struct {
	// Reuse says the connection may carry another request after the next
	// exchange: a body write still under way when its response has ended then
	// gets writeGrace to finish, so that the next request starts after the
	// whole body. Otherwise the write is cut as soon as the response ends: the
	// rest of the body can no longer change what the client got, and a proxy
	// that stops reading it (Go's servers wait half a second before closing)
	// would only hold the client up.
	Reuse bool
	conn  net.Conn
	carry []byte
	// buf is the read buffer, kept for the connection's next exchange: the
	// parser copies what it keeps, and a load run makes thousands of exchanges.
	buf []byte
}

// NewHTTP1Client returns an HTTP1Client on conn. The caller keeps ownership of conn.
func NewHTTP1Client(conn net.Conn) *HTTP1Client { return &HTTP1Client{conn: conn} }

// Close closes the client's connection; a nil client is already closed.
func (c *HTTP1Client) Close() {
	if c != nil {
		_ = c.conn.Close()
	}
}

// Exchange writes the request head and then the body — at once, or with
// expectContinue only after a 100, after a final head, or after ContinueWait —
// while it reads the response (so a proxy that answers before reading the body is
// observed, not deadlocked). Reading stops when the response is complete per
// ParseHTTP1Response for method (it does not wait for more), at a FIN (EndTruncated,
// or EndComplete when the FIN completes a close-delimited body), at a TCP reset
// (EndReset), or at the deadline (EndTimeout). It never blocks past the deadline;
// a body write still under way when the response has ended is cut then, or with
// c.Reuse gets at most writeGrace more.
//
// A cancelled ctx ends the exchange at once with Err set: the exchange is then
// no evidence about the proxy.
func (c *HTTP1Client) Exchange(ctx context.Context, head, body []byte, method string, expectContinue bool, deadline time.Time) Exchange {
	conn := c.conn
	_ = conn.SetDeadline(deadline)
	defer interruptOn(ctx, conn)()

	obs := Exchange{Method: method}
	var writeErr error
	if _, err := conn.Write(head); err != nil {
		writeErr = err // the proxy may have answered and closed already: read on
	}
	obs.SentAt = time.Now()

	release, quit := make(chan struct{}), make(chan struct{})
	writerDone := make(chan struct{})
	var sent atomic.Int64
	if len(body) == 0 || writeErr != nil {
		close(writerDone) // nothing to write: no writer
	} else {
		go c.writeBody(body, expectContinue, release, quit, writerDone, &sent)
	}

	p := newParser(method)
	released := !expectContinue
	feed := func(b []byte) {
		now := time.Now()
		if obs.FirstByte == 0 {
			obs.FirstByte = max(now.Sub(obs.SentAt), 1)
		}
		p.feed(b)
		if obs.HeadAt.IsZero() && p.res.HeadComplete {
			obs.HeadAt = now
		}
		if obs.FirstBodyAt.IsZero() && p.res.BodyLen > 0 {
			obs.FirstBodyAt = now
		}
		if !released && (p.res.HeadComplete || sawContinue(p.res.Interim)) {
			released = true
			close(release)
		}
	}
	if len(c.carry) > 0 {
		feed(c.carry)
		c.carry = nil
	}
	obs.Ending = EndComplete
	if c.buf == nil {
		c.buf = make([]byte, readSize)
	}
	buf := c.buf
	for !p.done() {
		n, err := conn.Read(buf)
		if n > 0 {
			feed(buf[:n])
		}
		if err != nil && !p.done() {
			obs.Ending, obs.Err = c.ending(ctx, err, p)
			break
		}
	}
	obs.EndAt = time.Now()
	obs.End = obs.EndAt.Sub(obs.SentAt)
	close(quit)
	grace := time.Now()
	if c.Reuse {
		grace = grace.Add(writeGrace)
		if deadline.Before(grace) {
			grace = deadline
		}
	}
	_ = conn.SetWriteDeadline(grace)
	<-writerDone
	_ = conn.SetDeadline(time.Time{})

	obs.Response = p.result(obs.Ending)
	c.carry = bytes.Clone(obs.Response.Extra)
	obs.BodySent = sent.Load()
	return obs
}

// writeBody writes the request body — with expectContinue only once release is
// closed (a 100 or a final head arrived) or after ContinueWait, and not at all
// when quit closes first — and stores how many bytes went out. It closes done.
func (c *HTTP1Client) writeBody(body []byte, expectContinue bool, release, quit <-chan struct{}, done chan<- struct{}, sent *atomic.Int64) {
	defer close(done)
	if expectContinue {
		t := time.NewTimer(ContinueWait)
		defer t.Stop()
		select {
		case <-release:
		case <-t.C:
		case <-quit:
			select {
			case <-release: // released and ended at once: the release wins
			default:
				return
			}
		}
	}
	n, _ := c.conn.Write(body)
	sent.Store(int64(n))
}

// ending classifies the error that ended a read before the response was complete.
func (c *HTTP1Client) ending(ctx context.Context, err error, p *parser) (Ending, string) {
	switch {
	case ctx.Err() != nil:
		return EndTimeout, "exchange cancelled: " + context.Cause(ctx).Error()
	case errors.Is(err, io.EOF):
		if p.closeDelimited() {
			return EndComplete, ""
		}
		return EndTruncated, ""
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE):
		return EndReset, ""
	case errors.Is(err, os.ErrDeadlineExceeded):
		return EndTimeout, ""
	}
	return EndReset, "read from the proxy: " + err.Error()
}

// sawContinue reports whether a 100 (Continue) is among the interim heads.
func sawContinue(interim []Head) bool {
	for _, h := range interim {
		if h.Status == 100 {
			return true
		}
	}
	return false
}

// interruptOn makes the end of ctx cut the connection's reads and writes at
// once. The returned function undoes that, waiting for the cut when ctx ended
// already, so no deadline set afterwards is overwritten by it.
func interruptOn(ctx context.Context, conn net.Conn) (stop func()) {
	cancelled := make(chan struct{})
	unhook := context.AfterFunc(ctx, func() {
		_ = conn.SetDeadline(time.Unix(1, 0))
		close(cancelled)
	})
	return func() {
		if !unhook() {
			<-cancelled
		}
	}
}
