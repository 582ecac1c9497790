package harness

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/scenarios"
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

// BuildRequest renders a scenario's request as it goes on the wire: the request
// line (method, path, version), Host unless r.Headers carry one, r.Headers in
// order, then Content-Length (or, with r.Chunked, Transfer-Encoding: chunked) for a
// body unless r.Headers carry one, and Expect: 100-continue for r.ExpectContinue
// unless r.Headers carry an Expect. The body is r.Body, or r.BodyBytes bytes of
// fakeupstream.Pattern, chunked in pieces of 16 KiB and ended by the last-chunk
// when r.Chunked.
func BuildRequest(r scenarios.Request, path, host string) (head, body []byte) {
	method, version := r.Method, r.Version
	if method == "" {
		method = "GET"
	}
	if version == "" {
		version = "HTTP/1.1"
	}
	body = r.Body
	if len(body) == 0 && r.BodyBytes > 0 {
		body = patternBody(r.BodyBytes)
	}
	var b bytes.Buffer
	b.WriteString(method + " " + path + " " + version + "\r\n")
	if !hasHeader(r.Headers, "Host") {
		b.WriteString("Host: " + host + "\r\n")
	}
	for _, h := range r.Headers {
		b.WriteString(h + "\r\n")
	}
	switch {
	case r.Chunked:
		if !hasHeader(r.Headers, "Transfer-Encoding") {
			b.WriteString("Transfer-Encoding: chunked\r\n")
		}
		body = chunkBody(body, 16<<10)
	case len(body) > 0 && !hasHeader(r.Headers, "Content-Length"):
		b.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n")
	}
	if r.ExpectContinue && !hasHeader(r.Headers, "Expect") {
		b.WriteString("Expect: 100-continue\r\n")
	}
	b.WriteString("\r\n")
	return b.Bytes(), body
}

// maxCachedBodies bounds how many generated request bodies patternBody keeps:
// a catalogue uses a handful of sizes.
const maxCachedBodies = 16

var (
	bodiesMu sync.Mutex
	bodies   = map[int64][]byte{}
)

// patternBody is n bytes of fakeupstream.Pattern from offset 0, shared: a
// repeated scenario with a 1 MiB upload sends it thousands of times, and
// generating it afresh each time cost more CPU than the exchange. Callers
// only read it (Client.Exchange writes it to the connection).
func patternBody(n int64) []byte {
	bodiesMu.Lock()
	defer bodiesMu.Unlock()
	if b, ok := bodies[n]; ok {
		return b
	}
	b := fakeupstream.Pattern(0, n)
	if len(bodies) < maxCachedBodies {
		bodies[n] = b
	}
	return b
}

// hasHeader reports whether a list of "Name: value" lines has one named name.
func hasHeader(lines []string, name string) bool {
	for _, l := range lines {
		if n, _, ok := strings.Cut(l, ":"); ok && strings.EqualFold(strings.TrimSpace(n), name) {
			return true
		}
	}
	return false
}

// chunkBody encodes body with the chunked transfer coding, in chunks of at most
// size bytes, with the last-chunk and an empty trailer section.
func chunkBody(body []byte, size int) []byte {
	var out []byte
	for len(body) > 0 {
		n := min(size, len(body))
		out = strconv.AppendInt(out, int64(n), 16)
		out = append(out, "\r\n"...)
		out = append(out, body[:n]...)
		out = append(out, "\r\n"...)
		body = body[n:]
	}
	return append(out, "0\r\n\r\n"...)
}

// Client is the harness's raw HTTP/1.x client on one connection to the proxy. It
// writes exact bytes and records exactly what comes back, without repairing,
// merging or rejecting anything. Bytes that arrive after one response are kept
// and read as the start of the next, so several exchanges may share the
// connection.
type Client struct {
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

// NewClient returns a Client on conn. The caller keeps ownership of conn.
func NewClient(conn net.Conn) *Client { return &Client{conn: conn} }

// Exchange sends one request on conn and observes the response; see
// Client.Exchange. Bytes read past the response are lost, so exchanges that share
// a connection use one Client instead.
func Exchange(ctx context.Context, conn net.Conn, head, body []byte, method string, expectContinue bool, deadline time.Time) Observation {
	return NewClient(conn).Exchange(ctx, head, body, method, expectContinue, deadline)
}

// Exchange writes the request head and then the body — at once, or with
// expectContinue only after a 100, after a final head, or after ContinueWait —
// while it reads the response (so a proxy that answers before reading the body is
// observed, not deadlocked). Reading stops when the response is complete per
// ParseResponse for method (it does not wait for more), at a FIN (EndTruncated,
// or EndComplete when the FIN completes a close-delimited body), at a TCP reset
// (EndReset), or at the deadline (EndTimeout). It never blocks past the deadline;
// a body write still under way when the response has ended is cut then, or with
// c.Reuse gets at most writeGrace more.
//
// A cancelled ctx ends the exchange at once with Err set: the observation is then
// no evidence about the proxy. Attempts, Reused and Anchors are the journal's and
// left for the caller.
func (c *Client) Exchange(ctx context.Context, head, body []byte, method string, expectContinue bool, deadline time.Time) Observation {
	conn := c.conn
	_ = conn.SetDeadline(deadline)
	defer interruptOn(ctx, conn)()

	var obs Observation
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
func (c *Client) writeBody(body []byte, expectContinue bool, release, quit <-chan struct{}, done chan<- struct{}, sent *atomic.Int64) {
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
func (c *Client) ending(ctx context.Context, err error, p *parser) (Ending, string) {
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
