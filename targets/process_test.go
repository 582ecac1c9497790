package targets

import (
	"context"
	"errors"
	"io/fs"
	"os"
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
