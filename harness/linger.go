package harness

import (
	"context"
	"time"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/judge"
	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/wire"
)

// lingers reports whether the client reads on after obs's response: it was
// complete and leaves the connection in HTTP (not a 101, nor a 2xx to CONNECT,
// after which the bytes are the tunnel's), and the connection was not already
// ended by the FIN that completed a close-delimited body.
func lingers(obs judge.Observation) bool {
	r := obs.Response
	if obs.Ending != wire.EndComplete || !r.Complete || !r.HeadComplete || obs.Tunnel() {
		return false
	}
	return r.Framing != wire.FramingClose
}

// afterResponse keeps reading after a complete response, as a client that
// waits for its next request would: until the upstream script for request index
// has ended (bounded by the request's deadline), and then for promptly more.
// What arrives goes to obs.Response.Extra (wire.HTTP1Client.Linger) or, for an
// HTTP/2 client, to the stream's record (wire.H2Client.Linger: a frame on the
// finished stream is a protocol error), where the judge sees it; obs.After
// says how the connection then stood.
func (s *Session) afterResponse(ctx context.Context, c clientConn, obs *judge.Observation, token string, index int, deadline time.Time) {
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
	obs.After = c.linger(ctx, until, &obs.Exchange)
}

// sameUnusable says why a follow-up cannot ride the client connection the
// previous request used, or returns "": the connection ended, the response did
// not complete, or bytes came after it (a client then closes the connection:
// RFC 9112 §9.2, "the client SHOULD close the connection").
func sameUnusable(prev judge.Observation) string {
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
	case judge.Stray(prev) != "":
		return "bytes came after the previous response, and a client closes such a connection"
	}
	return ""
}
