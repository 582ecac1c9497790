package harness

import (
	"context"
	"crypto/tls"
	"slices"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/scenarios"
)

// Target is a proxy under test.
type Target interface {
	// Start starts the proxy (if the harness owns it), forwarding to the given
	// upstream endpoints by the route prefixes of package fakeupstream, and returns
	// the address the client dials. It returns only when the proxy is ready.
	Start(ctx context.Context, upstream fakeupstream.Endpoints) (addr string, err error)
	// Stop stops what Start started and releases everything it held.
	Stop(ctx context.Context) error
	// Timeouts are the proxy's declared upstream timeouts.
	Timeouts() scenarios.Timeouts
	// String names the target, as "go-stdlib" or "external http://127.0.0.1:8080".
	String() string
}

// Versioned is implemented by targets that know their proxy's version.
type Versioned interface {
	Version() string
}

// Logged is implemented by targets that can show their proxy's log; the harness
// attaches it to failing verdicts.
type Logged interface {
	Log() string
}

// Paralleled is implemented by targets that say how many scenarios they take at
// once. For some it is a limit: a proxy whose crash fails every request in
// flight gives each scenario that ran beside a crashing one a verdict that
// depends on the schedule (h2o: 1). For others it is room: go-stdlib runs
// in-process and its timed scenarios mostly wait, so it takes more than the
// default. Parallel is that number (0: the default, no limit); RunAll uses it
// when opts.Parallel is 0 and never runs more at once.
type Paralleled interface {
	Parallel() int
}

// Fixed is implemented by targets whose declared timeouts gatecheck cannot
// change, as a proxy someone else started: a scenario with its own declared
// timeouts is skipped there, with FixedTimeouts as the reason.
type Fixed interface {
	FixedTimeouts() string
}

// Listener is where one client of the target's reaches it.
type Listener struct {
	// Addr is the address the client dials, HOST:PORT.
	Addr string
	// TLS is the client's TLS config for a listener that speaks TLS (it trusts
	// the run's own authority and offers ALPN "h2"); nil for cleartext.
	TLS *tls.Config
}

// HTTP2Target is implemented by targets that listen for HTTP/2 besides
// HTTP/1.1.
type HTTP2Target interface {
	// HTTP2 returns, once Start has returned, the listener for client
	// (scenarios.ClientH2: cleartext, by prior knowledge; scenarios.ClientH2TLS:
	// TLS with ALPN h2). A target that has no such listener returns a
	// *NotServed that says why.
	HTTP2(client scenarios.Client) (Listener, error)
}

// NotServed is the error of a target that has no listener for a client: every
// scenario run with that client is a skip with Reason, never a verdict.
type NotServed struct {
	Target string
	Client scenarios.Client
	Reason string
}

func (e *NotServed) Error() string {
	return e.Target + " has no " + string(e.Client) + " listener: " + e.Reason
}

// HTTP2Declared is implemented by targets that know, before Start, which
// HTTP/2 clients they serve (a proxy's listeners are in its config).
type HTTP2Declared interface {
	HTTP2Clients() []scenarios.Client
}

// PreferredHTTP2 is the HTTP/2 client to run t through when a run asks for
// "h2": h2 itself (cleartext, by prior knowledge), unless t declares that it
// serves HTTP/2 only over TLS, then h2-tls.
func PreferredHTTP2(t Target) scenarios.Client {
	d, ok := t.(HTTP2Declared)
	if !ok {
		return scenarios.ClientH2
	}
	cs := d.HTTP2Clients()
	if !slices.Contains(cs, scenarios.ClientH2) && slices.Contains(cs, scenarios.ClientH2TLS) {
		return scenarios.ClientH2TLS
	}
	return scenarios.ClientH2
}
