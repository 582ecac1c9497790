package harness

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/wire"
)

// Version is gatecheck's version, set at build time with
// -ldflags "-X github.com/gatecheck/gatecheck/harness.Version=...".
var Version = "0.1.0-dev"

// Options tune a Session or a Run.
type Options struct {
	// Upstream is a running fake upstream to use; when nil the session uses the
	// target's own (an UpstreamProvider) or starts one and closes it with the
	// session.
	Upstream *fakeupstream.Server
	// UpstreamAddr is where the session's own fake upstream listens (default
	// 127.0.0.1:0; refused and connect-timeout then take the next two ports when
	// the port is fixed).
	UpstreamAddr string
	// Parallel is how many scenarios run at once (default 8); exclusive ones
	// always run alone.
	Parallel int
	// Progress is called after each scenario, never concurrently.
	Progress func(Result)
	// Client is the client the session's requests go through (default h1):
	// h2 and h2-tls need a target with that HTTP/2 listener (HTTP2Target).
	Client scenarios.Client
	// MaxRepeat, when above 0, caps how many times a repeated scenario runs
	// (its result says so): a second client's column may run fewer repeats
	// than the first, never fewer scenarios.
	MaxRepeat int
}

// readyTimeout bounds the readiness probe through a freshly started target.
const readyTimeout = 10 * time.Second

// drainTimeout bounds the wait for a proxy to notice closed idle connections
// before an exclusive scenario.
const drainTimeout = 2 * time.Second

// Session is a started target in front of a fake upstream, ready to run
// scenarios one at a time or concurrently.
type Session struct {
	target Target
	up     Upstream
	// own is the fake upstream the session started, and closes; nil when it
	// uses one it was given or the target's.
	own  *fakeupstream.Server
	addr string
	// client is the session's client, listener where it reaches the target.
	client    scenarios.Client
	listener  Listener
	maxRepeat int
	timeouts  scenarios.Timeouts
	version   string

	// exclusive scenarios take the write lock, all others the read lock.
	exclusive sync.RWMutex

	mu     sync.Mutex
	loaded map[string]*scenarios.Scenario

	// retimed are the target made again with scenarios' own timeouts.
	retimed retimings

	// poolMu guards poolResult, the pool control's result, run once.
	poolMu     sync.Mutex
	poolResult *Result
}

// Open starts the fake upstream (unless opts carries one or the target brings
// its own) and the target, and checks that a request through the target reaches
// the fake upstream.
func Open(ctx context.Context, t Target, opts Options) (*Session, error) {
	up, own, err := upstreamFor(ctx, t, opts)
	if err != nil {
		return nil, err
	}
	s := &Session{target: t, up: up, own: own, timeouts: t.Timeouts(), loaded: map[string]*scenarios.Scenario{}, client: cmp.Or(opts.Client, scenarios.ClientH1), maxRepeat: opts.MaxRepeat}
	addr, err := t.Start(ctx, s.up.Endpoints())
	if err != nil {
		s.closeUpstream()
		return nil, fmt.Errorf("start target %q: %w", t.String(), err)
	}
	s.addr = addr
	if v, ok := t.(Versioned); ok {
		s.version = v.Version()
	}
	if s.listener, err = listenerFor(t, addr, s.client); err != nil {
		_ = s.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	if err := s.probe(ctx); err != nil {
		_ = s.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("target %q: %w", t.String(), err)
	}
	return s, nil
}

// upstreamFor decides, once for the session, whose fake upstream it uses: the
// one opts carries; else the target's own, when it is an UpstreamProvider that
// has one this time; else one the session starts on opts.UpstreamAddr, returned
// as own too, for the session to close.
func upstreamFor(ctx context.Context, t Target, opts Options) (up Upstream, own *fakeupstream.Server, err error) {
	if opts.Upstream != nil {
		return localUpstream{opts.Upstream}, nil, nil
	}
	if p, ok := t.(UpstreamProvider); ok {
		up, err := p.Upstream(ctx)
		if err != nil {
			err = errors.Join(err, t.Stop(context.WithoutCancel(ctx)))
			return nil, nil, fmt.Errorf("start target %q: fake upstream: %w", t.String(), err)
		}
		if up != nil {
			return up, nil, nil
		}
	}
	addr := cmp.Or(opts.UpstreamAddr, "127.0.0.1:0")
	own, err = fakeupstream.Start(fakeupstream.Config{Addr: addr})
	if err != nil {
		return nil, nil, fmt.Errorf("start fake upstream on %s: %w", addr, err)
	}
	return localUpstream{own}, own, nil
}

// probe sends a request for the fake upstream's built-in "ready" script through
// the target until the journal shows one arrived, for up to readyTimeout. A
// proxy may accept connections before its routes are loaded (Traefik answers
// 404 itself until its first dynamic configuration is applied): a request the
// upstream never saw is sent again, with a short backoff.
func (s *Session) probe(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	path := fakeupstream.PathPrefix + "ready/TOKEN/0"
	backoff := 10 * time.Millisecond
	for {
		seen, obs, err := s.probeOnce(ctx)
		if seen {
			return nil
		}
		if errors.Is(err, wire.ErrNotHTTP2) || errors.Is(err, wire.ErrTLSHandshake) {
			// Not a proxy still starting: the listener is not what the client
			// speaks, and asking again will not change it.
			return err
		}
		if err == nil {
			err = fmt.Errorf("client got %s", describeBrief(obs))
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("readiness probe %s through %s never reached the fake upstream at %s (%v): check the route for %s",
				path, s.where(), s.up.Endpoints().Main, err, fakeupstream.PathPrefix)
		case <-time.After(backoff):
			backoff = min(2*backoff, 200*time.Millisecond)
		}
	}
}

// probeWait bounds the wait for the journal after one probe's answer: a request
// the upstream saw is in the journal before the upstream answers it.
const probeWait = 250 * time.Millisecond

// probeOnce sends one readiness request and reports whether the upstream saw it.
func (s *Session) probeOnce(ctx context.Context) (bool, wire.Exchange, error) {
	token := newToken()
	defer s.up.Forget(token)
	path := fakeupstream.PathPrefix + "ready/" + token + "/0"
	conn, err := s.dial(ctx, scenarios.H2Settings{})
	if err != nil {
		return false, wire.Exchange{}, err
	}
	defer conn.close()
	deadline, _ := ctx.Deadline()
	obs := conn.exchange(ctx, wire.Request{Method: "GET", Version: "HTTP/1.1", Path: path, Host: s.addr}, false, deadline)
	wctx, cancel := context.WithTimeout(ctx, probeWait)
	defer cancel()
	_, err = s.up.Wait(wctx, token, func(r fakeupstream.Record) bool { return r.Attempts(0) > 0 })
	return err == nil, obs, nil
}

// Addr is the target's HTTP/1.1 address.
func (s *Session) Addr() string { return s.addr }

// repeats is how many times sc runs in this session: its repeat, capped by
// the session's MaxRepeat.
func (s *Session) repeats(sc *scenarios.Scenario) int {
	n := max(sc.Repeat, 1)
	if s.maxRepeat > 0 {
		n = min(n, s.maxRepeat)
	}
	return n
}

// Client is the session's client.
func (s *Session) Client() scenarios.Client { return s.client }

// where names the listener the session's client dials, for errors: the
// address, and the client unless it is h1.
func (s *Session) where() string {
	if s.client == scenarios.ClientH1 {
		return s.listener.Addr
	}
	return fmt.Sprintf("the %s listener %s", s.client, s.listener.Addr)
}

// Endpoints are the fake upstream's addresses.
func (s *Session) Endpoints() fakeupstream.Endpoints { return s.up.Endpoints() }

// Upstream is the session's fake upstream.
func (s *Session) Upstream() Upstream { return s.up }

// Remote reports whether the session's fake upstream runs in another process
// or container, reached through the control API: every journal read is then
// a round trip.
func (s *Session) Remote() bool {
	_, local := s.up.(localUpstream)
	return !local
}

// TargetVersion is the proxy's version, when the target knows it.
func (s *Session) TargetVersion() string { return s.version }

// Timeouts are the target's declared timeouts.
func (s *Session) Timeouts() scenarios.Timeouts { return s.timeouts }

// Close stops the targets made again with scenarios' own timeouts, the target
// and the session's own fake upstream.
func (s *Session) Close(ctx context.Context) error {
	subErr := s.closeRetimed(ctx)
	err := s.target.Stop(ctx)
	if err != nil {
		err = fmt.Errorf("stop target %q: %w", s.target.String(), err)
	}
	return errors.Join(subErr, err, s.closeUpstream())
}

func (s *Session) closeUpstream() error {
	if s.own == nil {
		return nil
	}
	return s.own.Close()
}

// load gives the fake upstream the scenario's scripts, resolved with the declared
// timeouts, once per session. A different scenario with the same id is an error.
func (s *Session) load(ctx context.Context, sc *scenarios.Scenario) ([]fakeupstream.Script, error) {
	scripts, err := sc.Scripts(s.timeouts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", sc.Source, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if prev, ok := s.loaded[sc.ID]; ok && prev != sc {
		return nil, fmt.Errorf("%s: scenario id %q already loaded from %s", sc.Source, sc.ID, prev.Source)
	}
	if _, ok := s.loaded[sc.ID]; !ok {
		if err := s.up.Replace(ctx, sc.ID, scripts); err != nil {
			return nil, fmt.Errorf("%s: %w", sc.Source, err)
		}
	}
	s.loaded[sc.ID] = sc
	return scripts, nil
}

// newToken returns a fresh 12-hex-digit token for one scenario run.
func newToken() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// describeBrief is a few words on what a readiness probe got.
func describeBrief(o wire.Exchange) string {
	if len(o.Response.Raw) == 0 {
		return "no bytes, " + string(o.Ending)
	}
	line, _, _ := strings.Cut(string(o.Response.Raw), "\n")
	return fmt.Sprintf("%q", strings.TrimSpace(line))
}
