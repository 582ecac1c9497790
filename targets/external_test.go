package targets

import (
	"context"
	"encoding/pem"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/internal/certs"
	"github.com/gatecheck/gatecheck/scenarios"
)

// TestExternalTarget checks a proxy gatecheck did not start, the way a user's CI
// does: a fake upstream on its own, a proxy configured to route to it (here Go's
// ReverseProxy, started by the test as a user would start theirs), and a run
// against the proxy's address. The verdicts must equal those of the in-process
// target for the same proxy.
func TestExternalTarget(t *testing.T) {
	if testing.Short() {
		t.Skip("a catalogue slice run twice over real sockets; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	up, err := fakeupstream.Start(fakeupstream.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	to := scenarios.DefaultTimeouts()
	proxy := NewGoStdlib(to)
	addr, err := proxy.Start(ctx, up.Endpoints())
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Stop(context.Background())

	ext, err := New("http://"+addr, to)
	if err != nil {
		t.Fatal(err)
	}
	all := scenarios.Builtin()
	picked := scenarios.Select(all, []string{"conn/*", "pass/ok", "body/truncated-chunked", "retry/*"})
	rep, err := harness.Run(ctx, ext, picked, harness.Options{Upstream: up})
	if err != nil {
		t.Fatal(err)
	}
	direct, err := harness.Run(ctx, NewGoStdlib(to), picked, harness.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rep.Results {
		d := direct.Results[i]
		if r.Verdict != d.Verdict || r.Outcome != d.Outcome {
			t.Errorf("%s: external got %s %s; in-process got %s %s", r.ID, r.Verdict, r.Outcome, d.Verdict, d.Outcome)
		}
		if r.Verdict == scenarios.VerdictError {
			t.Errorf("%s: error: %s", r.ID, r.Actual)
		}
	}
}

// TestExternalTargetWrongRoute checks that a proxy whose routes do not reach the
// fake upstream is refused with an error naming the route, before any scenario.
func TestExternalTargetWrongRoute(t *testing.T) {
	t.Parallel() // it mostly waits out the readiness probe
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	up, err := fakeupstream.Start(fakeupstream.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	other, err := fakeupstream.Start(fakeupstream.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	proxy := NewGoStdlib(scenarios.DefaultTimeouts())
	addr, err := proxy.Start(ctx, other.Endpoints()) // routes to the wrong upstream
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Stop(context.Background())
	ext, err := New("http://"+addr, scenarios.DefaultTimeouts())
	if err != nil {
		t.Fatal(err)
	}
	_, err = harness.Run(ctx, ext, scenarios.Select(scenarios.Builtin(), []string{"pass/ok"}), harness.Options{Upstream: up})
	if err == nil {
		t.Fatal("got no error for a proxy that routes elsewhere")
	}
	t.Log(err)
}

// TestExternalHTTP2 names the HTTP/2 listeners of a proxy someone else runs
// (go-stdlib, started by the test as a user would start theirs, with its
// authority written to a PEM file as ca): a request over each listener must get the fake
// upstream's answer. Without the options, HTTP2 says which one to add.
func TestExternalHTTP2(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	up, err := fakeupstream.Start(fakeupstream.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	to := scenarios.DefaultTimeouts()
	proxy := NewGoStdlib(to)
	addr, err := proxy.Start(ctx, up.Endpoints())
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Stop(context.Background())
	h2c, err := proxy.HTTP2(scenarios.ClientH2)
	if err != nil {
		t.Fatal(err)
	}
	overTLS, err := proxy.HTTP2(scenarios.ClientH2TLS)
	if err != nil {
		t.Fatal(err)
	}
	// The proxy's authority as a PEM file, as its user would hand it over.
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: proxy.certs.CA.Raw}), 0o644); err != nil {
		t.Fatal(err)
	}

	spec := "http://" + addr + "?h2=" + h2c.Addr + "&h2-tls=" + overTLS.Addr + "&ca=" + url.QueryEscape(ca)
	ext, err := New(spec, to)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ext.String(), "external http://"+addr; got != want {
		t.Errorf("String() = %q; want %q: the options are no part of the name", got, want)
	}
	s, err := harness.Open(ctx, ext, harness.Options{Upstream: up})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	checkListeners(ctx, t, ext, s.Addr(), s.Upstream(), scenarios.ClientH2, scenarios.ClientH2TLS)

	// Only h2: h2-tls is not served, and the reason names the options to add.
	only, err := New("http://"+addr+"?h2="+h2c.Addr, to)
	if err != nil {
		t.Fatal(err)
	}
	checkListeners(ctx, t, only, addr, s.Upstream(), scenarios.ClientH2)
	bare, err := New("http://"+addr, to)
	if err != nil {
		t.Fatal(err)
	}
	for client, option := range map[scenarios.Client]string{scenarios.ClientH2: "h2=HOST:PORT", scenarios.ClientH2TLS: "h2-tls=HOST:PORT&ca=PATH"} {
		_, err := bare.(harness.HTTP2Target).HTTP2(client)
		var ns *harness.NotServed
		if !errors.As(err, &ns) || !strings.Contains(ns.Reason, option) {
			t.Errorf("HTTP2(%s) without options: %v; want a NotServed that says to add %s", client, err, option)
		}
	}
}

// TestExternalHTTP2Options: a missing, unreadable or empty ca, a ca or
// server-name without h2-tls and an address that is no HOST:PORT are each a
// one-line error naming the option.
func TestExternalHTTP2Options(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("no certificate here\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	set, err := certs.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	ca := url.QueryEscape(set.Path(certs.CAFile))
	for spec, want := range map[string]string{
		"http://127.0.0.1:8080?h2-tls=127.0.0.1:8443":                                  "h2-tls needs ca=PATH",
		"http://127.0.0.1:8080?h2-tls=127.0.0.1:8443&ca=/nonexistent/gatecheck-ca.pem": "ca: open /nonexistent/gatecheck-ca.pem",
		"http://127.0.0.1:8080?h2-tls=127.0.0.1:8443&ca=" + url.QueryEscape(notPEM):    "no PEM certificate",
		"http://127.0.0.1:8080?h2-tls=127.0.0.1:8443&ca=" + url.QueryEscape(dir):       "ca: read " + dir,
		"http://127.0.0.1:8080?ca=" + ca:                                               "ca goes with h2-tls",
		"http://127.0.0.1:8080?server-name=localhost":                                  "server-name goes with h2-tls",
		"http://127.0.0.1:8080?h2=127.0.0.1":                                           "h2=127.0.0.1: want HOST:PORT",
		"http://127.0.0.1:8080?h2-tls=localhost:https&ca=" + ca:                        "h2-tls=localhost:https: want HOST:PORT",
		"http://127.0.0.1:8080?h2=127.0.0.1:8081&h2=127.0.0.1:8082":                    "option h2 wants one value",
	} {
		_, err := New(spec, scenarios.DefaultTimeouts())
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("New(%q): %v; want one line with %q", spec, err, want)
		}
	}
	ext, err := New("http://127.0.0.1:8080?h2-tls=localhost:8443&ca="+ca, scenarios.DefaultTimeouts())
	if err != nil {
		t.Fatal(err)
	}
	l, err := ext.(harness.HTTP2Target).HTTP2(scenarios.ClientH2TLS)
	if err != nil || l.TLS == nil || l.TLS.ServerName != "localhost" || l.TLS.NextProtos[0] != "h2" {
		t.Errorf("HTTP2(h2-tls) = %+v, %v; want ServerName localhost (h2-tls's host) and ALPN h2", l, err)
	}
	named, err := New("http://127.0.0.1:8080?h2-tls=10.0.0.1:8443&server-name=localhost&ca="+ca, scenarios.DefaultTimeouts())
	if err != nil {
		t.Fatal(err)
	}
	if l, _ := named.(harness.HTTP2Target).HTTP2(scenarios.ClientH2TLS); l.TLS == nil || l.TLS.ServerName != "localhost" {
		t.Errorf("server-name=localhost: TLS config %+v", l.TLS)
	}
}
