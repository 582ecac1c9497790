package targets

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/url"
	"os"
	"time"

	"github.com/gatecheck/gatecheck/control"
	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/scenarios"
)

// External is a proxy someone else started: gatecheck neither starts nor stops it.
// The proxy must route the fakeupstream prefixes to the fake upstream's endpoints
// (see `gatecheck serve`), with the timeouts declared here.
//
// Its HTTP/2 listeners, if it has any, are named with WithHTTP2.
type External struct {
	addr     string
	url      string
	timeouts scenarios.Timeouts
	control  string
	h2       HTTP2Listeners
	tls      *tls.Config // the h2-tls client's, when h2.TLS is set
}

var (
	_ harness.Target           = (*External)(nil)
	_ harness.UpstreamProvider = (*External)(nil)
	_ harness.Fixed            = (*External)(nil)
	_ harness.HTTP2Target      = (*External)(nil)
)

// HTTP2Listeners name the HTTP/2 listeners of a proxy someone else runs; the
// target spec's options h2, h2-tls, ca and server-name.
type HTTP2Listeners struct {
	// H2C is the HOST:PORT of its listener for HTTP/2 over cleartext TCP by
	// prior knowledge (h2=), "" for none.
	H2C string
	// TLS is the HOST:PORT of its listener for HTTP/2 over TLS with ALPN h2
	// (h2-tls=), "" for none.
	TLS string
	// CA is the PEM file of the authority that signed the TLS listener's
	// certificate (ca=); required with TLS, and the only authority trusted.
	CA string
	// ServerName is the name the certificate is checked against and sent as
	// SNI (server-name=); default TLS's host.
	ServerName string
}

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

// WithHTTP2 names the proxy's HTTP/2 listeners. It checks the addresses and
// reads the authority's certificate now, so that a bad option is a one-line
// error before any run.
func (e *External) WithHTTP2(l HTTP2Listeners) (*External, error) {
	for _, a := range []struct{ opt, addr string }{{"h2", l.H2C}, {"h2-tls", l.TLS}} {
		if a.addr == "" {
			continue
		}
		if _, err := parseHostPort(a.addr); err != nil {
			return nil, fmt.Errorf("target %s: %s=%s: want HOST:PORT (%v)", e.url, a.opt, a.addr, err)
		}
	}
	switch {
	case l.TLS == "" && l.CA != "":
		return nil, fmt.Errorf("target %s: ca goes with h2-tls=HOST:PORT", e.url)
	case l.TLS == "" && l.ServerName != "":
		return nil, fmt.Errorf("target %s: server-name goes with h2-tls=HOST:PORT", e.url)
	case l.TLS != "" && l.CA == "":
		return nil, fmt.Errorf("target %s: h2-tls needs ca=PATH, the PEM file of the authority that signed the proxy's certificate", e.url)
	}
	e.h2, e.tls = l, nil
	if l.TLS == "" {
		return e, nil
	}
	pem, err := os.ReadFile(l.CA)
	if err != nil {
		return nil, fmt.Errorf("target %s: ca: %w", e.url, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("target %s: ca %s: no PEM certificate in it", e.url, l.CA)
	}
	name := l.ServerName
	if name == "" {
		name, _, _ = net.SplitHostPort(l.TLS)
	}
	e.tls = &tls.Config{RootCAs: pool, ServerName: name, NextProtos: []string{alpnH2}, MinVersion: tls.VersionTLS12}
	return e, nil
}

// HTTP2 is the listener the spec's options name for an HTTP/2 client; without
// one, a *harness.NotServed that says which option to add.
func (e *External) HTTP2(client scenarios.Client) (harness.Listener, error) {
	if err := checkHTTP2Client(e.String(), client); err != nil {
		return harness.Listener{}, err
	}
	switch {
	case client == scenarios.ClientH2 && e.h2.H2C != "":
		return harness.Listener{Addr: e.h2.H2C}, nil
	case client == scenarios.ClientH2TLS && e.h2.TLS != "":
		return harness.Listener{Addr: e.h2.TLS, TLS: e.tls.Clone()}, nil
	case client == scenarios.ClientH2:
		return harness.Listener{}, &harness.NotServed{Target: e.String(), Client: client,
			Reason: "none named: add h2=HOST:PORT (its listener for HTTP/2 over cleartext by prior knowledge) to the target, as " + e.url + "?h2=HOST:PORT"}
	default:
		return harness.Listener{}, &harness.NotServed{Target: e.String(), Client: client,
			Reason: "none named: add h2-tls=HOST:PORT (its listener for HTTP/2 over TLS) and ca=PATH (the PEM file of the authority that signed its certificate) to the target, as " + e.url + "?h2-tls=HOST:PORT&ca=PATH"}
	}
}

// externalWait bounds the wait for an external proxy to accept connections: one
// started beside gatecheck (docker-compose) may still be starting.
const externalWait = 30 * time.Second

// Start waits, up to 30s, until the proxy's address, and each HTTP/2 listener
// named, accepts a connection, and returns the address; the session's
// readiness probe then checks the route.
func (e *External) Start(ctx context.Context, _ fakeupstream.Endpoints) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, externalWait)
	defer cancel()
	for _, addr := range []string{e.addr, e.h2.H2C, e.h2.TLS} {
		if addr == "" {
			continue
		}
		if err := awaitDial(ctx, addr); err != nil {
			return "", err
		}
	}
	return e.addr, nil
}

// awaitDial dials addr until it accepts a connection or ctx ends.
func awaitDial(ctx context.Context, addr string) error {
	for {
		conn, err := (&net.Dialer{Timeout: time.Second}).DialContext(ctx, "tcp", addr)
		if err == nil {
			conn.Close()
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("dial %s: %w", addr, err)
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
