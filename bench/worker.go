package bench

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/wire"
)

// worker is one client connection of the load: it sends one request at a
// time, keeps the connection open between requests when the answer allows,
// and dials a new one when the proxy (or the outcome) closed it.
type worker struct {
	e *engine
	c *wire.HTTP1Client
	// used says the current connection has carried a request already.
	used bool
	// p is plain mode's connection (c is mix mode's).
	p plainConn
}

// close closes the worker's connection, if any.
func (w *worker) close() {
	w.c.Close()
	w.c = nil
	w.closePlain()
}

// request sends job j's request and has its answer judged and recorded.
func (w *worker) request(j job) {
	e := w.e
	e.rec.started(j.measured)
	e.inflight.Add(1)
	defer e.inflight.Add(-1)
	if e.up == nil {
		w.plainRequest(j)
		return
	}
	entry := e.cfg.Mix.Pick(e.cfg.Seed, j.i)
	p := &e.plans[entry]
	token := e.token(j.i, "")
	obs, reused, err := w.sendPlan(p, token)
	if err == nil && reused && closedIdle(obs) && e.neverSeen(p, token) {
		e.forget(token)
		e.rec.resend(j.measured)
		token = e.token(j.i, "r")
		obs, _, err = w.sendPlan(p, token)
	}
	s := sent{entry: entry, token: token, obs: obs, err: err, start: j.start, measured: j.measured}
	if e.acct != nil {
		e.acct.submit(e.xctx, s)
		return
	}
	e.finish(s)
}

// sendPlan sends a mix entry's request with token.
func (w *worker) sendPlan(p *plan, token string) (wire.Exchange, bool, error) {
	head, body := wire.BuildHTTP1Request(p.prep.Request(token, w.e.host))
	return w.send(head, body, p.method, p.sc.Request.ExpectContinue, p.deadline, p.keep)
}

// send sends one request on the worker's connection, dialling one first when
// there is none, and observes the answer until it is complete or the deadline
// passes. reused says the connection had carried a request before. The
// connection is closed afterwards unless keep holds and the answer leaves it
// reusable. The error is a failed dial; everything else is in the
// Exchange.
func (w *worker) send(head, body []byte, method string, expectContinue bool, deadline time.Duration, keep bool) (obs wire.Exchange, reused bool, err error) {
	e := w.e
	if w.c == nil {
		conn, err := (&net.Dialer{Timeout: dialTimeout}).DialContext(e.xctx, "tcp", e.addr)
		if err != nil {
			return wire.Exchange{}, false, fmt.Errorf("connect to the proxy: %w", err)
		}
		w.c, w.used = wire.NewHTTP1Client(conn), false
	}
	w.c.Reuse = keep
	obs = w.c.Exchange(e.xctx, head, body, method, expectContinue, time.Now().Add(deadline))
	reused, w.used = w.used, true
	if !keep || !reusable(obs) {
		w.close()
	}
	return obs, reused, nil
}

// reusable reports whether the connection may carry another request after
// this answer: a complete message framed by length or chunks, nothing after
// it, and no Connection: close (HTTP/1.1) or an explicit keep-alive
// (HTTP/1.0).
func reusable(obs wire.Exchange) bool {
	r := obs.Response
	if obs.Err != "" || obs.Ending != wire.EndComplete || !r.Complete || len(r.Extra) > 0 ||
		r.Framing == wire.FramingClose || r.Framing == wire.FramingInvalid {
		return false
	}
	conn := strings.ToLower(strings.Join(r.Final.Values("Connection"), ","))
	if r.Final.Version == "HTTP/1.0" {
		return strings.Contains(conn, "keep-alive")
	}
	return !strings.Contains(conn, "close")
}

// closedIdle reports whether an answer on a reused connection looks like the
// proxy had closed the connection while idle: not one byte, and the
// connection ended (a FIN or a reset) rather than timed out.
func closedIdle(obs wire.Exchange) bool {
	return obs.Err == "" && len(obs.Response.Raw) == 0 &&
		(obs.Ending == wire.EndTruncated || obs.Ending == wire.EndReset)
}

// neverSeen reports whether the fake upstream never saw the request with
// token: then the proxy never forwarded it, and it can be sent again. A
// request for the refused or connect-timeout endpoint never reaches the
// upstream anyway; it counts as never seen.
func (e *engine) neverSeen(p *plan, token string) bool {
	if p.sc.Endpoint != "" && p.sc.Endpoint != scenarios.EndpointMain {
		return true
	}
	ctx, cancel := context.WithTimeout(e.xctx, journalTimeout)
	defer cancel()
	rec, err := e.up.Journal(ctx, token)
	return err == nil && rec.Attempts(0) == 0
}

// plainOutcome is a plain-mode answer's outcome: its status code when the
// response was complete, else hung (nothing conclusive before the deadline),
// no-response (closed before any byte) or aborted (closed mid-message).
func plainOutcome(obs wire.Exchange) string {
	r := obs.Response
	switch {
	case obs.Ending == wire.EndTimeout && (len(r.Raw) == 0 || !r.Complete):
		return string(scenarios.OutcomeHung)
	case len(r.Raw) == 0:
		return string(scenarios.OutcomeNoResponse)
	case !r.HeadComplete || !r.Complete:
		return string(scenarios.OutcomeAborted)
	}
	return fmt.Sprint(r.Final.Status)
}
