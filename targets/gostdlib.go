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
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/harness"
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
type GoStdlib struct {
	timeouts scenarios.Timeouts

	mu     sync.Mutex
	srv    *http.Server
	done   chan struct{}
	tr     *http.Transport
	logBuf lockedBuffer
}

var (
	_ harness.Target    = (*GoStdlib)(nil)
	_ harness.Versioned = (*GoStdlib)(nil)
	_ harness.Logged    = (*GoStdlib)(nil)
)

// NewGoStdlib makes the in-process target with the declared timeouts. Retries are
// always 0: ReverseProxy retries nothing itself beyond what its transport does.
func NewGoStdlib(t scenarios.Timeouts) *GoStdlib {
	return &GoStdlib{timeouts: t}
}

// Start listens on a free loopback port and serves the reverse proxy.
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
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("listen: %w", err)
	}
	stdLog.join(&g.logBuf)
	g.srv = &http.Server{Handler: mux, ErrorLog: errLog, ReadHeaderTimeout: 30 * time.Second}
	g.tr = tr
	g.done = make(chan struct{})
	go func(srv *http.Server, done chan struct{}) {
		defer close(done)
		_ = srv.Serve(ln)
	}(g.srv, g.done)
	return ln.Addr().String(), nil
}

// Stop closes the listener, every connection and the transport's idle
// connections, and waits for the server to return.
func (g *GoStdlib) Stop(ctx context.Context) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.srv == nil {
		return nil
	}
	err := g.srv.Close()
	g.tr.CloseIdleConnections()
	stdLog.leave(&g.logBuf)
	select {
	case <-g.done:
	case <-ctx.Done():
		err = errors.Join(err, ctx.Err())
	}
	g.srv = nil
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
