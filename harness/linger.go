package harness

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/wire"
)

// lingers reports whether the client reads on after obs's response: it was
// complete and leaves the connection in HTTP (not a 101, nor a 2xx to CONNECT,
// after which the bytes are the tunnel's), and the connection was not already
// ended by the FIN that completed a close-delimited body.
func lingers(obs Observation) bool {
	r := obs.Response
	if obs.Ending != wire.EndComplete || !r.Complete || !r.HeadComplete || obs.Tunnel() {
		return false
	}
	return r.Framing != wire.FramingClose
}

// afterResponse keeps reading after a complete response, as a client that
// waits for its next request would: until the upstream script for request index
// has ended (bounded by the request's deadline), and then for promptly more.
// What arrives goes to obs.Response.Extra (wire.HTTP1Client.Linger), where the
// judge sees it; obs.After
// says how the connection then stood.
func (s *Session) afterResponse(ctx context.Context, c *wire.HTTP1Client, obs *Observation, token string, index int, deadline time.Time) {
	if !lingers(*obs) {
		if obs.Ending == wire.EndComplete {
			obs.After = wire.ConnClosed // the FIN completed the body
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
	obs.After = c.Linger(ctx, until, &obs.Exchange)
}

// strayWords describes the bytes that reached the client after a complete
// final response, or returns "" when there are none (or only CRLFs, which RFC
// 9112 §9.2 lets a client discard).
func strayWords(obs Observation) string {
	x := obs.Response.Extra
	if len(bytes.Trim(x, "\r\n")) == 0 || obs.Tunnel() {
		return ""
	}
	r := obs.Response
	n := strconv.Itoa(len(x)) + " bytes"
	if len(x) == 1 {
		n = "1 byte"
	}
	if len(x) >= wire.MaxRaw {
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
	look := "stray data " + wire.FirstBytes(x, 60)
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
	case prev.Ending != wire.EndComplete:
		return "the previous response did not complete (" + string(prev.Ending) + ")"
	case prev.Tunnel():
		return "the previous response turned the connection into a tunnel"
	case prev.After == wire.ConnClosed:
		return "the proxy closed the client connection after the previous response"
	case prev.After == wire.ConnReset:
		return "the proxy reset the client connection after the previous response"
	case strayWords(prev) != "":
		return "bytes came after the previous response, and a client closes such a connection"
	}
	return ""
}
