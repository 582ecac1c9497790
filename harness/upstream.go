package harness

import (
	"context"

	"github.com/gatecheck/gatecheck/fakeupstream"
)

// Upstream is the fake upstream as a session uses it: one in this process
// (localUpstream) or one in another process or container, reached through
// `gatecheck serve`'s control API (package control's Client).
type Upstream interface {
	// Endpoints are the addresses the proxy forwards to.
	Endpoints() fakeupstream.Endpoints
	// Replace loads the scripts of scenario id, replacing any loaded before.
	Replace(ctx context.Context, id string, scripts []fakeupstream.Script) error
	// Journal returns the Record for token.
	Journal(ctx context.Context, token string) (fakeupstream.Record, error)
	// Wait returns the Record for token as soon as cond holds for it, or the last
	// Record seen with an error when ctx ends first.
	Wait(ctx context.Context, token string, cond func(fakeupstream.Record) bool) (fakeupstream.Record, error)
	// Forget drops the Record for token.
	Forget(token string)
	// CloseIdle closes the idle upstream connections and waits, bounded by ctx,
	// until the proxy has closed them.
	CloseIdle(ctx context.Context) error
}

// UpstreamProvider is implemented by targets that bring their own fake upstream
// (an external proxy routed to a `gatecheck serve`, a container target whose fake
// upstream runs in its own container). The session uses it instead of starting
// one, and calls Upstream before Start. A nil Upstream with a nil error means the
// target has none this time: the session starts its own.
type UpstreamProvider interface {
	Upstream(ctx context.Context) (Upstream, error)
}

// localUpstream is a fake upstream in this process as an Upstream.
type localUpstream struct{ *fakeupstream.Server }

var _ Upstream = localUpstream{}

// Replace loads the scripts; it cannot fail.
func (l localUpstream) Replace(_ context.Context, id string, scripts []fakeupstream.Script) error {
	l.Server.Replace(id, scripts)
	return nil
}

// Journal returns the Record for token; it cannot fail.
func (l localUpstream) Journal(_ context.Context, token string) (fakeupstream.Record, error) {
	return l.Server.Journal(token), nil
}
