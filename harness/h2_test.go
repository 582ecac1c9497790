package harness

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/internal/certs"
	"github.com/gatecheck/gatecheck/scenarios"
)

// h2Proxy is Go's ReverseProxy serving HTTP/1.1 and h2c on one port and h2
// over TLS on another: a real HTTP/2 server in front of the fake upstream, so
// that the harness's HTTP/2 path is tested end to end on real sockets.
type h2Proxy struct {
	t          *testing.T
	plain, tls *http.Server
	set        *certs.Set
	addr       string
	tlsAddr    string
	noH2C      bool
}

func (p *h2Proxy) Start(ctx context.Context, eps fakeupstream.Endpoints) (string, error) {
	u, _ := url.Parse("http://" + eps.Main)
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ErrorLog = log.New(io.Discard, "", 0)
	quiet := log.New(io.Discard, "", 0)
	p.plain = &http.Server{Handler: rp, Protocols: new(http.Protocols), ErrorLog: quiet}
	p.plain.Protocols.SetHTTP1(true)
	p.plain.Protocols.SetUnencryptedHTTP2(!p.noH2C)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	p.addr = ln.Addr().String()
	go p.plain.Serve(ln)
	if p.set, err = certs.New(p.t.TempDir()); err != nil {
		return "", err
	}
	p.tls = &http.Server{Handler: rp, TLSConfig: p.set.ServerConfig("h2", "http/1.1"), ErrorLog: quiet}
	tln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	p.tlsAddr = tln.Addr().String()
	go p.tls.ServeTLS(tln, "", "")
	return ln.Addr().String(), nil
}

func (p *h2Proxy) HTTP2(c scenarios.Client) (Listener, error) {
	if c == scenarios.ClientH2TLS {
		return Listener{Addr: p.tlsAddr, TLS: p.set.ClientConfig("h2")}, nil
	}
	return Listener{Addr: p.addr}, nil
}

func (p *h2Proxy) Stop(context.Context) error {
	return errors.Join(p.plain.Close(), p.tls.Close())
}
func (p *h2Proxy) Timeouts() scenarios.Timeouts { return scenarios.DefaultTimeouts() }
func (p *h2Proxy) String() string               { return "h2 test proxy" }

// TestHTTP2Session runs catalogue rows through the HTTP/2 clients against Go's
// HTTP/2 server: a valid response passes through, a truncated body ends in
// RST_STREAM (aborted), and an h1-only row is a skip that says why.
func TestHTTP2Session(t *testing.T) {
	all := scenarios.Builtin()
	pick := scenarios.Select(all, []string{"pass/ok", "body/truncated-content-length", "interim/http10-client"})
	if len(pick) != 3 {
		t.Fatalf("picked %d scenarios", len(pick))
	}
	for _, c := range []scenarios.Client{scenarios.ClientH2, scenarios.ClientH2TLS} {
		t.Run(string(c), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			rep, err := Run(ctx, &h2Proxy{t: t}, pick, Options{Client: c})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Client != c {
				t.Errorf("report client %q", rep.Client)
			}
			got := map[string]Result{}
			for _, r := range rep.Results {
				got[r.ID] = r
			}
			if r := got["pass/ok"]; r.Verdict != scenarios.VerdictPass || r.Outcome != scenarios.OutcomePassthrough {
				t.Errorf("pass/ok-200: %s %s: %s", r.Verdict, r.Outcome, r.Actual)
			}
			// Go's HTTP/2 server buffers the head and the first bytes, so the
			// abort can come before any of them: no-response, by RST_STREAM.
			if r := got["body/truncated-content-length"]; (r.Outcome != scenarios.OutcomeAborted && r.Outcome != scenarios.OutcomeNoResponse) || !strings.Contains(r.Actual, "RST_STREAM(INTERNAL_ERROR)") {
				t.Errorf("body/truncated-content-length: %s %s: %s", r.Verdict, r.Outcome, r.Actual)
			}
			if r := got["interim/http10-client"]; r.Verdict != scenarios.VerdictSkip || !strings.Contains(r.Actual, "runs over h1 only") {
				t.Errorf("interim/http10-client: %s: %s", r.Verdict, r.Actual)
			}
		})
	}
}

// TestHTTP2NotServed: a listener that answers h2c in HTTP/1.1 is a one-line
// error naming the listener, and a target without HTTP/2 gives skips.
func TestHTTP2NotServed(t *testing.T) {
	pick := scenarios.Select(scenarios.Builtin(), []string{"pass/ok"})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := Run(ctx, &h2Proxy{t: t, noH2C: true}, pick, Options{Client: scenarios.ClientH2})
	if err == nil || !strings.Contains(err.Error(), "h2 listener") || !strings.Contains(err.Error(), "HTTP/1.x") || strings.Contains(err.Error(), "\n") {
		t.Errorf("h2c answered in HTTP/1.1: %v", err)
	}
	rep, err := Run(ctx, &fixture{t: t, sc: pick[0], timeouts: scenarios.DefaultTimeouts(), main: map[string]net.Conn{}}, pick, Options{Client: scenarios.ClientH2})
	if err != nil {
		t.Fatal(err)
	}
	if r := rep.Results[0]; r.Verdict != scenarios.VerdictSkip || !strings.Contains(r.Actual, "no h2 listener") {
		t.Errorf("no HTTP/2 listener: %s: %s", r.Verdict, r.Actual)
	}
}
