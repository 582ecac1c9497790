package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/scenarios"
)

// ConnState is how the client connection stood once the client had stopped
// reading after a complete response.
type ConnState string

// The three states.
const (
	ConnOpen   ConnState = "open"   // still open when the client stopped reading
	ConnClosed ConnState = "closed" // the proxy closed it (FIN)
	ConnReset  ConnState = "reset"  // the proxy reset it (RST)
)

// Linger reads what the proxy sends after a complete response, until until, a
// FIN or a reset, or ctx ends: bytes that arrive there, before the client's
// next request, are a stray response to it (RFC 9112 §6.3, §9.2). It returns
// the bytes read (capped at MaxRaw; the bytes already read past the response
// are the caller's, in Response.Extra) and how the connection then stood.
// Bytes read past the response are never carried to the next exchange: they
// are judged here, and a request that follows on the connection starts clean.
func (c *Client) Linger(ctx context.Context, until time.Time) ([]byte, ConnState) {
	c.carry = nil
	conn := c.conn
	_ = conn.SetReadDeadline(until)
	stop := interruptOn(ctx, conn)
	defer func() {
		stop()
		_ = conn.SetDeadline(time.Time{})
	}()
	if c.buf == nil {
		c.buf = make([]byte, readSize)
	}
	var extra []byte
	for {
		n, err := conn.Read(c.buf)
		extra = appendCapped(extra, c.buf[:n], MaxRaw)
		switch {
		case err == nil:
			continue
		case errors.Is(err, io.EOF):
			return extra, ConnClosed
		case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE):
			return extra, ConnReset
		}
		return extra, ConnOpen // the deadline, or ctx
	}
}

// lingers reports whether the client reads on after obs's response: it was
// complete and leaves the connection in HTTP (not a 101, nor a 2xx to CONNECT,
// after which the bytes are the tunnel's), and the connection was not already
// ended by the FIN that completed a close-delimited body.
func lingers(obs Observation) bool {
	r := obs.Response
	if obs.Ending != EndComplete || !r.Complete || !r.HeadComplete || tunnel(obs) {
		return false
	}
	return r.Framing != FramingClose
}

// tunnel reports whether the final response turned the connection into
// something other than HTTP: a 101, or a 2xx to CONNECT (RFC 9112 §6.3 (2)).
func tunnel(obs Observation) bool {
	st := obs.Response.Final.Status
	return st == 101 || strings.EqualFold(obs.Method, "CONNECT") && st/100 == 2
}

// afterResponse keeps reading after a complete response, as a client that
// waits for its next request would: until the upstream script for request index
// has ended (bounded by the request's deadline), and then for promptly more.
// What arrives goes to obs.Response.Extra, where the judge sees it; obs.After
// says how the connection then stood.
func (s *Session) afterResponse(ctx context.Context, c *Client, obs *Observation, token string, index int, deadline time.Time) {
	if !lingers(*obs) {
		if obs.Ending == EndComplete {
			obs.After = ConnClosed // the FIN completed the body
		}
		return
	}
	wctx, cancel := context.WithDeadline(ctx, deadline)
	_, _ = s.up.Wait(wctx, token, func(r fakeupstream.Record) bool {
		q, ok := r.Last(index)
		return !ok || !q.Done.IsZero()
	})
	cancel()
	until := time.Now().Add(scenarios.MustDuration("promptly").Resolve(s.timeouts))
	extra, state := c.Linger(ctx, until)
	obs.Response.Extra = appendCapped(obs.Response.Extra, extra, MaxRaw)
	obs.After = state
}

// strayWords describes the bytes that reached the client after a complete
// final response, or returns "" when there are none (or only CRLFs, which RFC
// 9112 §9.2 lets a client discard).
func strayWords(obs Observation) string {
	x := obs.Response.Extra
	if len(bytes.Trim(x, "\r\n")) == 0 || tunnel(obs) {
		return ""
	}
	r := obs.Response
	n := strconv.Itoa(len(x)) + " bytes"
	if len(x) == 1 {
		n = "1 byte"
	}
	if len(x) >= MaxRaw {
		n = "at least " + n
	}
	var what string
	switch {
	case strings.EqualFold(obs.Method, "HEAD"):
		what = " after the response to a HEAD, which cannot have a body"
	case r.Final.Status == 204 || r.Final.Status == 304:
		what = fmt.Sprintf(" after the %d, which cannot have a body", r.Final.Status)
	default:
		what = " after the complete message"
	}
	look := "stray data " + FirstBytes(x, 60)
	if bytes.HasPrefix(bytes.TrimLeft(x, "\r\n"), []byte("HTTP/")) {
		line, _, _ := bytes.Cut(bytes.TrimLeft(x, "\r\n"), []byte("\n"))
		look = "a second status line, " + strconv.Quote(strings.TrimRight(string(line), "\r"))
	}
	return n + what + ", before the client's next request: " + look +
		" (RFC 9112 §6.3: a client MUST NOT process, cache, or forward such extra data as a separate response)"
}

// sameUnusable says why a follow-up cannot ride the client connection the
// previous request used, or returns "": the connection ended, the response did
// not complete, or bytes came after it (a client then closes the connection:
// RFC 9112 §9.2, "the client SHOULD close the connection").
func sameUnusable(prev Observation) string {
	switch {
	case prev.NotSent != "":
		return prev.NotSent
	case prev.Ending != EndComplete:
		return "the previous response did not complete (" + string(prev.Ending) + ")"
	case tunnel(prev):
		return "the previous response turned the connection into a tunnel"
	case prev.After == ConnClosed:
		return "the proxy closed the client connection after the previous response"
	case prev.After == ConnReset:
		return "the proxy reset the client connection after the previous response"
	case strayWords(prev) != "":
		return "bytes came after the previous response, and a client closes such a connection"
	}
	return ""
}
