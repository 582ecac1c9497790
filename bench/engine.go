package bench

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/scenarios"
)

// engine is one target's run: where requests go, what they are, and the
// recorder their results go to.
type engine struct {
	engineState
	cfg Config
	// addr is where the client dials, host the Host field it sends.
	addr, host string
	// up is the session's fake upstream (nil in plain mode); acct reads its
	// journal off the load's goroutines when it is remote.
	up   harness.Upstream
	acct *accountant
	// timeouts are the target's, for the judge and the against figures.
	timeouts scenarios.Timeouts
	// plans are the mix entries' prepared requests; plainHead the request of
	// plain mode.
	plans     []plan
	plainHead []byte
	// prefix starts every token of the run.
	prefix string
	rec    *recorder

	t0, windowStart, windowEnd time.Time
	// xctx bounds every exchange, dial and journal read; it ends when the
	// requests in flight run out of time.
	xctx    context.Context
	cancelX context.CancelFunc
}

// plan is what a mix entry's requests need, prepared once.
type plan struct {
	sc       *scenarios.Scenario
	prep     *harness.Prepared
	method   string
	deadline time.Duration
	// keep says the request lets the connection stay open after it.
	keep bool
}

// prepare loads the mix's scenarios into the session's fake upstream, resolved
// with the target's timeouts, with the references their answers are judged
// against.
func (e *engine) prepare(ctx context.Context, sess *harness.Session) error {
	for _, sc := range e.cfg.Mix.Scenarios {
		prep, err := sess.Prepare(ctx, sc)
		if err != nil {
			return fmt.Errorf("load %s into the fake upstream: %w", sc.ID, err)
		}
		method := sc.Request.Method
		if method == "" {
			method = "GET"
		}
		e.plans = append(e.plans, plan{
			sc:       sc,
			prep:     prep,
			method:   method,
			deadline: sc.Deadline(e.timeouts),
			keep:     keepAliveRequest(sc.Request),
		})
	}
	if sess.Remote() {
		e.acct = startAccountant(e.finish)
	}
	return nil
}

// keepAliveRequest reports whether a request lets the connection persist: an
// HTTP/1.1 request without Connection: close.
func keepAliveRequest(r scenarios.Request) bool {
	if r.Version != "" && r.Version != "HTTP/1.1" {
		return false
	}
	for _, h := range r.Headers {
		name, value, _ := strings.Cut(h, ":")
		if strings.EqualFold(strings.TrimSpace(name), "Connection") && strings.Contains(strings.ToLower(value), "close") {
			return false
		}
	}
	return true
}

// token is request i's token: the run's prefix, i in hex, and a suffix for a
// resend. Tokens are unique within the run and across runs (the prefix is
// random).
func (e *engine) token(i int64, suffix string) string {
	b := make([]byte, 0, len(e.prefix)+17+len(suffix))
	b = append(b, e.prefix...)
	h := strconv.AppendInt(nil, i, 16)
	for range 8 - len(h) {
		b = append(b, '0')
	}
	b = append(b, h...)
	return string(append(b, suffix...))
}

// drainBound is how long the requests in flight may take once the window has
// closed: the longest request deadline, a connect, and some slack.
func (e *engine) drainBound() time.Duration {
	d := e.timeouts.Connect + e.timeouts.Read + 2*time.Second // plain mode's deadline
	for _, p := range e.plans {
		d = max(d, p.deadline)
	}
	return d + dialTimeout + drainSlack
}

// against names the declared timeout an outcome's latency is measured against,
// and gives it:
//
//   - 504 says the proxy gave up waiting: against connect_timeout when the
//     scenario's upstream is the connect-timeout endpoint (the connect never
//     completes), else against read_timeout (the upstream took the request and
//     stalled). A good proxy answers a little after it.
//   - 502 from the connect-timeout endpoint is measured against
//     connect_timeout too; from the refused endpoint against nothing (a
//     refused connect has no timeout to run out); from the main endpoint
//     against read_timeout, which a 502 for a reset or a close should beat by
//     far (a negative figure) and a 502 for a stall comes near.
//   - Any other outcome: none.
//
// Retries are not counted in: with retries declared, a proxy may take up to
// (1 + retries) times the figure.
func (e *engine) against(entry int, outcome string) (string, time.Duration) {
	ep := e.plans[entry].sc.Endpoint
	o := scenarios.Outcome(outcome)
	switch {
	case o != scenarios.Outcome502 && o != scenarios.Outcome504:
		return "", 0
	case ep == scenarios.EndpointConnectTimeout:
		return "connect_timeout", e.timeouts.Connect
	case ep == scenarios.EndpointRefused && o == scenarios.Outcome502:
		return "", 0
	}
	return "read_timeout", e.timeouts.Read
}

// NoneName is the name of the target None, as --target gives it.
const NoneName = "none"

// None is the target "none": no proxy at all. The client dials the fake
// upstream directly, so a run measures gatecheck itself (the load generator,
// the fake upstream and the judge): the floor under every proxy's figures.
// Only scenarios of the main endpoint can be mixed for it.
func None(t scenarios.Timeouts) harness.Target { return &noneTarget{timeouts: t} }

type noneTarget struct{ timeouts scenarios.Timeouts }

var _ harness.Target = (*noneTarget)(nil)

// Start returns the fake upstream's main address.
func (n *noneTarget) Start(_ context.Context, up fakeupstream.Endpoints) (string, error) {
	return up.Main, nil
}

// Stop does nothing: nothing was started.
func (n *noneTarget) Stop(context.Context) error { return nil }

// Timeouts are the declared ones; nothing enforces them.
func (n *noneTarget) Timeouts() scenarios.Timeouts { return n.timeouts }

func (n *noneTarget) String() string { return NoneName }

// checkNone refuses, for the target none, scenarios whose request goes to the
// refused or connect-timeout endpoint: only a proxy's route reaches those.
func checkNone(t harness.Target, m *Mix) error {
	if _, ok := t.(*noneTarget); !ok {
		return nil
	}
	for _, sc := range m.Scenarios {
		if sc.Endpoint != "" && sc.Endpoint != scenarios.EndpointMain {
			return fmt.Errorf("--target none: scenario %q goes to the %s endpoint, which only a proxy's route reaches; leave it out of the mix", sc.ID, sc.Endpoint)
		}
	}
	return nil
}
