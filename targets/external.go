package targets

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"time"

	"github.com/gatecheck/gatecheck/control"
	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/scenarios"
)

// External is a proxy someone else started: gatecheck neither starts nor stops it.
// The proxy must route the fakeupstream prefixes to the fake upstream's endpoints
// (see `gatecheck serve`), with the timeouts declared here.
type External struct {
	addr     string
	url      string
	timeouts scenarios.Timeouts
	control  string
}

var (
	_ harness.Target           = (*External)(nil)
	_ harness.UpstreamProvider = (*External)(nil)
	_ harness.Fixed            = (*External)(nil)
)

// NewExternal makes an external target from "http://HOST:PORT".
func NewExternal(rawURL string, t scenarios.Timeouts) (*External, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("target %q: %w", rawURL, err)
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("target %q: only http:// is supported", rawURL)
	}
	if u.Port() == "" {
		u.Host = net.JoinHostPort(u.Hostname(), "80")
	}
	if u.Hostname() == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return nil, fmt.Errorf("target %q: want http://HOST:PORT", rawURL)
	}
	return &External{addr: u.Host, url: "http://" + u.Host, timeouts: t}, nil
}

// externalWait bounds the wait for an external proxy to accept connections: one
// started beside gatecheck (docker-compose) may still be starting.
const externalWait = 30 * time.Second

// Start waits, up to 30s, until the proxy's address accepts a connection, and
// returns it; the session's readiness probe then checks the route.
func (e *External) Start(ctx context.Context, _ fakeupstream.Endpoints) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, externalWait)
	defer cancel()
	for {
		conn, err := (&net.Dialer{Timeout: time.Second}).DialContext(ctx, "tcp", e.addr)
		if err == nil {
			conn.Close()
			return e.addr, nil
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("dial %s: %w", e.addr, err)
		case <-time.After(200 * time.Millisecond): // polling a process that is not ours
		}
	}
}

// Stop does nothing: the proxy is not gatecheck's.
func (e *External) Stop(context.Context) error { return nil }

// Timeouts are the timeouts the user declared for the proxy.
func (e *External) Timeouts() scenarios.Timeouts { return e.timeouts }

// FixedTimeouts says why the proxy cannot be started again with a scenario's
// own declared timeouts.
func (e *External) FixedTimeouts() string {
	return "an external target's timeouts are fixed by whoever started it"
}

func (e *External) String() string { return "external " + e.url }

// WithControl makes the target use the fake upstream of a `gatecheck serve`
// already running, through its control API at controlURL ("http://HOST:PORT"),
// instead of starting one: the proxy then keeps forwarding where it already does,
// and scenarios load, journals read and idle connections close over HTTP.
func (e *External) WithControl(controlURL string) *External {
	e.control = controlURL
	return e
}

// Upstream is the control API's client when the target has a control URL, else
// nil: the session then starts its own fake upstream.
func (e *External) Upstream(ctx context.Context) (harness.Upstream, error) {
	if e.control == "" {
		return nil, nil
	}
	c, err := control.Dial(ctx, e.control, fakeupstream.Endpoints{})
	if err != nil {
		return nil, err
	}
	return c, nil
}
