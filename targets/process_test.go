package targets

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/scenarios"
)

// requireInstalled skips the test when the proxy is not installed, or fails it
// when GATECHECK_REQUIRE_PROXIES=all says every proxy must be.
func requireInstalled(t testing.TB, name string) {
	t.Helper()
	switch err := Unavailable(name); {
	case err == nil:
	case errors.Is(err, ErrRequired):
		t.Fatal(err)
	default:
		t.Skip(err)
	}
}

// running returns the process group and work dir of a started target.
func running(t testing.TB, p *Process) (pgid int, dir string) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cur == nil {
		t.Fatal("target not running after a successful start")
	}
	return p.cur.pgid, p.cur.in.Dir
}

// checkGone fails the test unless no process of the group remains and the work
// dir is gone.
func checkGone(t testing.TB, pgid int, dir string) {
	t.Helper()
	if !groupGone(pgid) {
		t.Errorf("after Stop: process group %d still has processes (kill(-pgid, 0) did not give ESRCH)", pgid)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after Stop: work dir %s still there (stat: %v)", dir, err)
	}
}

// wantHTTP2 are the HTTP/2 clients each proxy must have a listener for (see
// the table in README.md); it must give every other one a NotServed.
var wantHTTP2 = map[string][]scenarios.Client{
	"nginx":         {scenarios.ClientH2, scenarios.ClientH2TLS},
	"haproxy":       {scenarios.ClientH2, scenarios.ClientH2TLS},
	"apache":        {scenarios.ClientH2, scenarios.ClientH2TLS},
	"caddy":         {scenarios.ClientH2, scenarios.ClientH2TLS},
	"h2o":           {scenarios.ClientH2, scenarios.ClientH2TLS},
	"lighttpd":      {scenarios.ClientH2, scenarios.ClientH2TLS},
	"traefik":       {scenarios.ClientH2, scenarios.ClientH2TLS},
	"varnish":       {scenarios.ClientH2},
	"trafficserver": {scenarios.ClientH2TLS},
	"squid":         {},
}

// TestProxies starts every installed proxy once, in parallel: the session's
// readiness probe must reach the fake upstream through it, its version must be
// known, a request over each of its listeners (HTTP/1.1, h2c by prior
// knowledge, TLS with ALPN h2, where it serves them) must get the upstream's
// answer, and after Stop nothing of its process group or work dir remains.
func TestProxies(t *testing.T) {
	for _, name := range ProcessNames() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			requireInstalled(t, name)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			p, err := NewProcess(name, scenarios.DefaultTimeouts())
			if err != nil {
				t.Fatal(err)
			}
			s, err := harness.Open(ctx, p, harness.Options{})
			if err != nil {
				t.Fatalf("open: %v\nlog:\n%s", err, p.Log())
			}
			pgid, dir := running(t, p)
			if got := p.Version(); !strings.HasPrefix(got, name+"/") {
				t.Errorf("Version() = %q; want %s/VERSION", got, name)
			}
			want, ok := wantHTTP2[name]
			if !ok {
				t.Errorf("wantHTTP2 has no row for %s", name)
			}
			checkListeners(ctx, t, p, s.Addr(), s.Upstream(), want...)
			if err := s.Close(ctx); err != nil {
				t.Errorf("close: %v\nlog:\n%s", err, p.Log())
			}
			checkGone(t, pgid, dir)
			if err := p.Stop(ctx); err != nil {
				t.Errorf("second Stop: %v; want nil", err)
			}
		})
	}
}

// TestProxyBadConfig starts nginx with a directive it does not know: Start must
// fail, and the error must carry nginx's own complaint.
func TestProxyBadConfig(t *testing.T) {
	requireInstalled(t, "nginx")
	spec := *mustSpec(t, "nginx")
	args := spec.Args
	spec.Args = func(in *Instance) []string { return append(args(in), "-g", "gatecheck_bogus on;") }
	p := newProcess(&spec, scenarios.DefaultTimeouts())
	_, err := p.Start(context.Background(), testEndpoints)
	if err == nil {
		_ = p.Stop(context.Background())
		t.Fatal("Start with a bad config succeeded")
	}
	for _, want := range []string{"exited with status 1", `unknown directive "gatecheck_bogus"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q; want it to contain %q", err, want)
		}
	}
}

// TestConfig renders every proxy's config with placeholder addresses: each must
// name the listen address and the three endpoints, and leave no template value
// empty.
func TestConfig(t *testing.T) {
	for _, name := range ProcessNames() {
		t.Run(name, func(t *testing.T) {
			got, err := Config(name, testEndpoints, scenarios.DefaultTimeouts())
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"8080", "18081", "18082", "18083", "/tmp/gatecheck-" + name} {
				if !strings.Contains(got, want) {
					t.Errorf("config lacks %q:\n%s", want, got)
				}
			}
			if strings.Contains(got, "<no value>") {
				t.Errorf("config has an empty template value:\n%s", got)
			}
		})
	}
	if _, err := Config("no-such-proxy", testEndpoints, scenarios.DefaultTimeouts()); err == nil {
		t.Error("Config of an unknown proxy: no error")
	}
}

// testEndpoints are upstream endpoints for tests that never send a request.
var testEndpoints = fakeupstream.Endpoints{Main: "127.0.0.1:18081", Refused: "127.0.0.1:18082", ConnectTimeout: "127.0.0.1:18083"}

func mustSpec(t testing.TB, name string) *Spec {
	t.Helper()
	s, err := lookupSpec(name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestHTTP2Specs checks each proxy's HTTP/2 declaration without starting it:
// the clients it serves are those of wantHTTP2, a reason is given exactly when
// one is missing, its rendered config names a port for each served client
// (and the certificate for h2-tls), and HTTP2 before Start says not started
// for a served client and NotServed for another.
func TestHTTP2Specs(t *testing.T) {
	for _, name := range ProcessNames() {
		t.Run(name, func(t *testing.T) {
			s := mustSpec(t, name)
			want := wantHTTP2[name]
			if !slices.Equal(s.HTTP2, want) {
				t.Errorf("serves %v; want %v", s.HTTP2, want)
			}
			if missing := len(s.HTTP2) < 2; missing != (s.NoHTTP2 != "") {
				t.Errorf("serves %v with reason %q: want a reason exactly when a client is missing", s.HTTP2, s.NoHTTP2)
			}
			got, err := Config(name, testEndpoints, scenarios.DefaultTimeouts())
			if err != nil {
				t.Fatal(err)
			}
			// Config's ports: 8080, the spec's extra ones from 9080, then h2c's
			// and TLS's.
			port := 9080 + s.Ports
			for _, c := range s.HTTP2 {
				if !strings.Contains(got, strconv.Itoa(port)) {
					t.Errorf("config has no port %d for %s:\n%s", port, c, got)
				}
				port++
			}
			if s.serves(scenarios.ClientH2TLS) && !strings.Contains(got, "/tmp/gatecheck-"+name+"/tls") {
				t.Errorf("config names nothing in the work dir's tls dir:\n%s", got)
			}
			p := newProcess(s, scenarios.DefaultTimeouts())
			for _, c := range []scenarios.Client{scenarios.ClientH2, scenarios.ClientH2TLS} {
				_, err := p.HTTP2(c)
				var ns *harness.NotServed
				switch {
				case s.serves(c) && !errors.Is(err, errNotStarted):
					t.Errorf("HTTP2(%s) before Start: %v; want not started", c, err)
				case !s.serves(c) && (!errors.As(err, &ns) || ns.Reason != s.NoHTTP2 || ns.Target != name):
					t.Errorf("HTTP2(%s): %v; want a NotServed with the spec's reason", c, err)
				}
			}
		})
	}
}
