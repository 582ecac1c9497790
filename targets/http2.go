package targets

import (
	"errors"
	"fmt"

	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/internal/certs"
	"github.com/gatecheck/gatecheck/scenarios"
)

// ALPN protocol IDs the HTTP/2 listeners offer and the client asks for.
const (
	alpnH2    = "h2"
	alpnHTTP1 = "http/1.1"
)

// errNotStarted is the error of HTTP2 before Start or after Stop.
var errNotStarted = errors.New("not started")

// checkHTTP2Client refuses a client word that is no HTTP/2 client.
func checkHTTP2Client(target string, client scenarios.Client) error {
	if client != scenarios.ClientH2 && client != scenarios.ClientH2TLS {
		return fmt.Errorf("%s: %q is no HTTP/2 client (want %s or %s)", target, client, scenarios.ClientH2, scenarios.ClientH2TLS)
	}
	return nil
}

// http2Listener is the listener of the client on a running proxy of spec s
// (a process or a container target named target): h2c and tls are the
// addresses the client dials, set is the run's TLS material. A client the
// spec does not serve gets a *harness.NotServed with the spec's reason.
func (s *Spec) http2Listener(target string, client scenarios.Client, running bool, h2c, tls string, set *certs.Set) (harness.Listener, error) {
	if err := checkHTTP2Client(target, client); err != nil {
		return harness.Listener{}, err
	}
	if !s.serves(client) {
		return harness.Listener{}, &harness.NotServed{Target: target, Client: client, Reason: s.NoHTTP2}
	}
	if !running {
		return harness.Listener{}, fmt.Errorf("%s: %s listener: %w", target, client, errNotStarted)
	}
	if client == scenarios.ClientH2 {
		return harness.Listener{Addr: h2c}, nil
	}
	return harness.Listener{Addr: tls, TLS: set.ClientConfig(alpnH2)}, nil
}
