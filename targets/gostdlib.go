// Package targets is where targets are made: the proxies gatecheck starts itself
// (go-stdlib in-process, process targets from the machine's packages, container
// targets from an image), External for a proxy someone else runs, and the one
// registry of target kinds by name. New makes any of them from a spec string;
// Expand resolves a list of specs, "all" included.
package targets

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/internal/certs"
	"github.com/gatecheck/gatecheck/scenarios"
)

func init() {
	register("go-stdlib", kind{make: func(t scenarios.Timeouts) (harness.Target, error) {
		return NewGoStdlib(t), nil
	}})
}

// GoStdlib is Go's net/http/httputil.ReverseProxy as shipped, in-process: only its
// transport's dial timeout and response-header timeout are set, to the declared
// connect and read timeouts; the route table picks the endpoint by path prefix.
//
// Besides HTTP/1.1 it listens for HTTP/2 on two more loopback ports: over
// cleartext TCP by prior knowledge (http.Server.Protocols with unencrypted
// HTTP/2 only: no upgrade, no HTTP/1.1), and over TLS with ALPN h2, then
// http/1.1, serving a certificate of the run's own authority, kept in memory
// only.
type GoStdlib struct {
	timeouts scenarios.Timeouts

	mu      sync.Mutex
	srv     *http.Server // HTTP/1.1
	h2c     *http.Server // HTTP/2 over cleartext TCP, by prior knowledge
	tlsSrv  *http.Server // HTTP/2 (and HTTP/1.1) over TLS
	h2cAddr string
	tlsAddr string
	certs   *certs.Set
	done    chan struct{} // closed once every server returned
	tr      *http.Transport
	logBuf  lockedBuffer
}

var (
	_ harness.Target      = (*GoStdlib)(nil)
	_ harness.Versioned   = (*GoStdlib)(nil)
	_ harness.Logged      = (*GoStdlib)(nil)
	_ harness.HTTP2Target = (*GoStdlib)(nil)
)

// NewGoStdlib makes the in-process target with the declared timeouts. Retries are
// always 0: ReverseProxy retries nothing itself beyond what its transport does.
func NewGoStdlib(t scenarios.Timeouts) *GoStdlib {
	return &GoStdlib{timeouts: t}
}

// Start listens on three free loopback ports (HTTP/1.1, h2c, TLS) and serves
// the reverse proxy on each.
func (g *GoStdlib) Start(ctx context.Context, up fakeupstream.Endpoints) (string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.srv != nil {
		return "", errors.New("already started")
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: g.timeouts.Connect, KeepAlive: 30 * time.Second}).DialContext
	tr.ResponseHeaderTimeout = g.timeouts.Read
	errLog := log.New(&g.logBuf, "", log.LstdFlags|log.Lmicroseconds)
	routes := []struct {
		prefix string
		addr   string
	}{
		{fakeupstream.RefusedPrefix, up.Refused},
		{fakeupstream.ConnectTimeoutPrefix, up.ConnectTimeout},
		{fakeupstream.PathPrefix, up.Main},
	}
	mux := http.NewServeMux()
	for _, r := range routes {
		target := &url.URL{Scheme: "http", Host: r.addr}
		rp := &httputil.ReverseProxy{
			Rewrite:   func(pr *httputil.ProxyRequest) { pr.SetURL(target) },
			Transport: tr,
			ErrorLog:  errLog,
		}
		mux.Handle(r.prefix, rp)
	}
	set, err := newCertSet()
	if err != nil {
		return "", err
	}
	var lns []net.Listener
	for range 3 {
		ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
		if err != nil {
			for _, l := range lns {
				l.Close()
			}
			return "", fmt.Errorf("listen: %w", err)
		}
		lns = append(lns, ln)
	}
	stdLog.join(&g.logBuf)
	g.srv = &http.Server{Handler: mux, ErrorLog: errLog, ReadHeaderTimeout: 30 * time.Second}
	// Prior knowledge only: unencrypted HTTP/2 and nothing else, so a
	// connection that does not start with the HTTP/2 preface is refused (net/http
	// has no h2c upgrade).
	var h2c http.Protocols
	h2c.SetUnencryptedHTTP2(true)
	g.h2c = &http.Server{Handler: mux, ErrorLog: errLog, ReadHeaderTimeout: 30 * time.Second, Protocols: &h2c}
	var overTLS http.Protocols
	overTLS.SetHTTP1(true)
	overTLS.SetHTTP2(true)
	g.tlsSrv = &http.Server{Handler: mux, ErrorLog: errLog, ReadHeaderTimeout: 30 * time.Second, Protocols: &overTLS,
		TLSConfig: set.ServerConfig(alpnH2, alpnHTTP1)}
	g.tr, g.certs = tr, set
	g.h2cAddr, g.tlsAddr = lns[1].Addr().String(), lns[2].Addr().String()
	g.done = make(chan struct{})
	var wg sync.WaitGroup
	h1Srv, h2cSrv, tlsSrv := g.srv, g.h2c, g.tlsSrv
	wg.Go(func() { _ = h1Srv.Serve(lns[0]) })
	wg.Go(func() { _ = h2cSrv.Serve(lns[1]) })
	wg.Go(func() { _ = tlsSrv.ServeTLS(lns[2], "", "") })
	go func(done chan struct{}) {
		wg.Wait()
		close(done)
	}(g.done)
	return lns[0].Addr().String(), nil
}

// newCertSet makes a run's TLS material for a Go server and client: certs
// writes its files into a temp dir, which goes again at once, so that nothing
// of it outlives gatecheck on disk, even killed; the Set keeps the server
// certificate and the authority in memory.
func newCertSet() (*certs.Set, error) {
	dir, err := os.MkdirTemp("", "gatecheck-certs-")
	if err != nil {
		return nil, fmt.Errorf("certificates: %w", err)
	}
	defer os.RemoveAll(dir)
	return certs.New(dir)
}

// HTTP2 is the listener for an HTTP/2 client: h2c by prior knowledge, or TLS
// with ALPN h2 with a client config that trusts only the run's own authority.
func (g *GoStdlib) HTTP2(client scenarios.Client) (harness.Listener, error) {
	if err := checkHTTP2Client(g.String(), client); err != nil {
		return harness.Listener{}, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.srv == nil {
		return harness.Listener{}, fmt.Errorf("%s: %s listener: %w", g, client, errNotStarted)
	}
	if client == scenarios.ClientH2 {
		return harness.Listener{Addr: g.h2cAddr}, nil
	}
	return harness.Listener{Addr: g.tlsAddr, TLS: g.certs.ClientConfig(alpnH2)}, nil
}

// Stop closes the listeners, every connection and the transport's idle
// connections, and waits for the servers to return.
func (g *GoStdlib) Stop(ctx context.Context) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.srv == nil {
		return nil
	}
	err := errors.Join(g.srv.Close(), g.h2c.Close(), g.tlsSrv.Close())
	g.tr.CloseIdleConnections()
	stdLog.leave(&g.logBuf)
	select {
	case <-g.done:
	case <-ctx.Done():
		err = errors.Join(err, ctx.Err())
	}
	g.srv, g.h2c, g.tlsSrv, g.certs = nil, nil, nil, nil
	return err
}

// goStdlibParallel is how many scenarios go-stdlib takes at once by default
// (harness.Paralleled): it runs in-process, and its timed scenarios mostly
// wait on timers, so twice the default keeps its catalogue under 30 s on two
// cores (26 s here, against 30 s with 8) with the same verdicts.
const goStdlibParallel = 16

// Parallel is go-stdlib's default number of scenarios at once.
func (g *GoStdlib) Parallel() int { return goStdlibParallel }

// Timeouts are the declared timeouts.
func (g *GoStdlib) Timeouts() scenarios.Timeouts {
	t := g.timeouts
	t.Retries = 0
	return t
}

// Version is the Go release the proxy was built with.
func (g *GoStdlib) Version() string { return runtime.Version() }

// Log is what the proxy logged: its errors, and what net/http wrote to the
// standard logger while it ran, when that is routed to StdLog.
func (g *GoStdlib) Log() string { return g.logBuf.String() }

// stdLog hands what net/http's transport writes with the standard logger (it
// has no logger of its own: "Unsolicited response received on idle HTTP
// channel") to the log of every go-stdlib target running at the time. A
// program that runs go-stdlib routes the standard logger here with
// log.SetOutput(targets.StdLog), so those lines land in the targets' logs
// instead of between the verdicts. No line names its transport, so a target
// gets the lines written while it ran, and only those.
var stdLog = &fanout{to: map[*lockedBuffer]bool{}}

// StdLog is the writer for log.SetOutput; see stdLog.
var StdLog io.Writer = stdLog

// fanout writes to each of a changing set of logs.
type fanout struct {
	mu sync.Mutex
	to map[*lockedBuffer]bool
}

func (f *fanout) join(b *lockedBuffer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.to[b] = true
}

func (f *fanout) leave(b *lockedBuffer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.to, b)
}

// Write writes p to every log in the set; with none, p goes nowhere.
func (f *fanout) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for b := range f.to {
		_, _ = b.Write(p)
	}
	return len(p), nil
}

func (g *GoStdlib) String() string { return "go-stdlib" }

// lockedBuffer is a bytes.Buffer safe for the proxy's concurrent log writes,
// bounded so a long run cannot grow it without limit.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

const maxLog = 1 << 20

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len()+len(p) > maxLog {
		keep := b.buf.Bytes()[b.buf.Len()/2:]
		rest := strings.Clone(string(keep))
		b.buf.Reset()
		b.buf.WriteString(rest)
	}
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
