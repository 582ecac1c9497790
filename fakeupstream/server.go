package fakeupstream

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Config defaults and bounds.
const (
	defaultAddr     = "127.0.0.1:0"
	defaultMaxHead  = 64 << 10
	defaultMaxBody  = 64 << 20
	defaultLifetime = 5 * time.Minute
	// maxConns bounds the connections served at once; further ones are closed at
	// once.
	maxConns = 4096
	// readerSize is the read buffer of a connection.
	readerSize = 8 << 10
)

// Config configures a Server. The zero value is ready to use: everything on
// loopback, free ports.
type Config struct {
	// Addr is the main listen address; default "127.0.0.1:0".
	Addr string
	// RefusedAddr is where the refused endpoint binds. Default: when Addr has a
	// fixed port P, port P+1 on the main endpoint's host; otherwise a free port on
	// that host.
	RefusedAddr string
	// ConnectTimeoutAddr is where the connect-timeout endpoint listens. Default:
	// port P+2 when Addr has a fixed port P, like RefusedAddr.
	ConnectTimeoutAddr string
	// MaxHeadBytes bounds a request head (and a chunked body's trailer section);
	// default 64 KiB. A bigger head gets a 431 response, the connection is closed
	// and the journal notes it in Err.
	MaxHeadBytes int
	// MaxBodyBytes bounds a request body; default 64 MiB.
	MaxBodyBytes int64
	// MaxConnLifetime bounds how long a connection lives; default 5m.
	MaxConnLifetime time.Duration
	// DefaultHang bounds Hang steps with Max 0 and each read and write inside a
	// script; default 30s.
	DefaultHang time.Duration
}

// withDefaults fills in the zero fields of c.
func (c Config) withDefaults() Config {
	if c.Addr == "" {
		c.Addr = defaultAddr
	}
	if c.MaxHeadBytes <= 0 {
		c.MaxHeadBytes = defaultMaxHead
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = defaultMaxBody
	}
	if c.MaxConnLifetime <= 0 {
		c.MaxConnLifetime = defaultLifetime
	}
	if c.DefaultHang <= 0 {
		c.DefaultHang = defaultHang
	}
	return c
}

// sideAddr is the default address of a side endpoint: port P+delta on host when
// Addr has a fixed port P, else a free port on host.
func (c Config) sideAddr(host string, delta int) string {
	_, port, err := net.SplitHostPort(c.Addr)
	if p, perr := strconv.Atoi(port); err == nil && perr == nil && p > 0 && p+delta <= 65535 {
		return net.JoinHostPort(host, strconv.Itoa(p+delta))
	}
	return net.JoinHostPort(host, "0")
}

// Endpoints are the three addresses a proxy under test forwards to.
type Endpoints struct {
	// Main serves the scripted scenarios.
	Main string
	// Refused is a bound socket that never listens: a connect gets a RST.
	Refused string
	// ConnectTimeout is a listener with backlog 0 and a full accept queue: the
	// kernel drops further SYNs, so a connect times out.
	ConnectTimeout string
}

// ErrAlreadyAdded says Add was given a scenario id that has scripts already,
// which Replace overwrites.
var ErrAlreadyAdded = errors.New("already added")

// Server is a running fake upstream: the main endpoint that plays scripts, the
// refused endpoint and the connect-timeout endpoint.
//
// The main endpoint reads each request head and routes it by its path, PathPrefix
// (or RefusedPrefix or ConnectTimeoutPrefix) + id + "/" + token + "/" + index, to
// the script registered for that id and index. A path that selects no script gets
// a 404 that says why, and the connection stays open; PathPrefix + "ready" gets a
// keep-alive 200 with the body "ready". A script that ends without closing the
// connection hands it back to the router (after reading any request body it left
// unread). An Expect: 100-continue is never answered by the server itself.
//
// Every request is journaled under the token of its path. A request whose path
// carries no token is journaled with index -1 under the token of the script that
// read it, or under the empty token when the router read it. The journal keeps the
// latest 10 000 tokens, 1000 requests per token and 16 KiB of each head.
//
// A Server serves at most 4096 connections at once; further ones are closed at once.
type Server struct {
	cfg     Config
	ln      net.Listener
	refused *refusedEndpoint
	timeout *connectTimeoutEndpoint
	ep      Endpoints
	journal *journal

	ctx    context.Context
	cancel context.CancelFunc

	smu     sync.RWMutex
	scripts map[string][]*playable

	mu     sync.Mutex
	conns  map[*conn]struct{}
	nextID int64
	closed bool

	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

// Start starts a fake upstream. It is listening and ready when Start returns.
func Start(cfg Config) (*Server, error) {
	cfg = cfg.withDefaults()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("start fake upstream: %w", err)
	}
	// The side endpoints take the host as written: Go reports a listener on
	// 0.0.0.0 as [::], and an IPv6 wildcard cannot be dialled to fill the
	// connect-timeout queue where there is no IPv6 loopback (a container).
	host, _, _ := net.SplitHostPort(cfg.Addr)
	if host == "" {
		host = ln.Addr().(*net.TCPAddr).IP.String()
	}
	if cfg.RefusedAddr == "" {
		cfg.RefusedAddr = cfg.sideAddr(host, 1)
	}
	if cfg.ConnectTimeoutAddr == "" {
		cfg.ConnectTimeoutAddr = cfg.sideAddr(host, 2)
	}
	refused, err := newRefusedEndpoint(cfg.RefusedAddr)
	if err != nil {
		_ = ln.Close()
		return nil, fmt.Errorf("start fake upstream: refused endpoint %s: %w", cfg.RefusedAddr, err)
	}
	timeout, err := newConnectTimeoutEndpoint(cfg.ConnectTimeoutAddr)
	if err != nil {
		_ = ln.Close()
		_ = refused.close()
		return nil, fmt.Errorf("start fake upstream: connect-timeout endpoint %s: %w", cfg.ConnectTimeoutAddr, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		cfg:     cfg,
		ln:      ln,
		refused: refused,
		timeout: timeout,
		ep: Endpoints{
			Main:           ln.Addr().String(),
			Refused:        refused.addr,
			ConnectTimeout: timeout.addr,
		},
		journal: newJournal(maxTokens, maxStoredHead),
		ctx:     ctx,
		cancel:  cancel,
		scripts: map[string][]*playable{},
		conns:   map[*conn]struct{}{},
	}
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// Endpoints returns the addresses of the three endpoints.
func (s *Server) Endpoints() Endpoints {
	return s.ep
}

// Add registers the scripts of scenario id: scripts[i] answers the request with
// index i. The scripts are kept by value; their steps must not change afterwards.
// An id that is empty, reserved ("ready") or already added is an error; for one
// already added, an error wrapping ErrAlreadyAdded.
func (s *Server) Add(id string, scripts []Script) error {
	if err := checkID(id); err != nil {
		return fmt.Errorf("add scenario %q: %w", id, err)
	}
	s.smu.Lock()
	defer s.smu.Unlock()
	if _, ok := s.scripts[id]; ok {
		return fmt.Errorf("add scenario %q: %w", id, ErrAlreadyAdded)
	}
	s.scripts[id] = compile(scripts)
	return nil
}

// Replace registers the scripts of scenario id like Add, overwriting any scripts
// registered before. Requests already playing keep their old script. An id Add
// would refuse is never routed to.
func (s *Server) Replace(id string, scripts []Script) {
	compiled := compile(scripts)
	s.smu.Lock()
	defer s.smu.Unlock()
	s.scripts[id] = compiled
}

// checkID says why id cannot name a scenario, if it cannot.
func checkID(id string) error {
	switch {
	case id == "":
		return errors.New("empty id")
	case id == readyID:
		return fmt.Errorf("id %q is reserved for the readiness probe", readyID)
	case strings.ContainsAny(id, "?# \t\r\n"):
		return errors.New("id contains a character a path cannot carry")
	}
	return nil
}

// script returns the script for request index of scenario id, or why there is none.
func (s *Server) script(id string, index int) (*playable, error) {
	s.smu.RLock()
	scripts, ok := s.scripts[id]
	s.smu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("no scenario %q", id)
	}
	if index < 0 || index >= len(scripts) {
		return nil, fmt.Errorf("scenario %q has no script for request %d", id, index)
	}
	return scripts[index], nil
}

// Journal returns a copy of the Record for token; the copy is the caller's to keep.
func (s *Server) Journal(token string) Record {
	return s.journal.record(token)
}

// Wait returns the Record for token as soon as cond holds for it. cond is checked
// at once and after every change to the token's Record (its requests or the
// connections that carried it), on a copy. When ctx ends first, or the server is
// closed, Wait returns the last Record seen with an error.
func (s *Server) Wait(ctx context.Context, token string, cond func(Record) bool) (Record, error) {
	return s.journal.wait(ctx, token, cond)
}

// Forget drops the Record for token.
//
// A script that token's requests started and that still waits for bytes from
// the proxy — the next request on its connection, or the rest of a body — ends
// too: its connection is closed. The run is over, and the script would
// otherwise take whatever request of another run the proxy sends there.
func (s *Server) Forget(token string) {
	s.journal.forget(token)
	s.mu.Lock()
	var playing []*conn
	for c := range s.conns {
		if c.playing(token) {
			playing = append(playing, c)
		}
	}
	s.mu.Unlock()
	for _, c := range playing {
		c.abort("its run is over")
	}
}

// limits returns the read bounds of a connection.
func (s *Server) limits() limits {
	return limits{maxHead: s.cfg.MaxHeadBytes, maxBody: s.cfg.MaxBodyBytes}
}

// accept accepts connections until the listener is closed.
func (s *Server) accept() {
	defer s.wg.Done()
	var backoff time.Duration
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			if s.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors or similar: back off and retry.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			t := time.NewTimer(backoff)
			select {
			case <-t.C:
			case <-s.ctx.Done():
				t.Stop()
				return
			}
			continue
		}
		backoff = 0
		s.serve(nc.(*net.TCPConn))
	}
}

// serve registers a new connection and starts serving it.
func (s *Server) serve(nc *net.TCPConn) {
	s.mu.Lock()
	if s.closed || len(s.conns) >= maxConns {
		s.mu.Unlock()
		_ = nc.Close()
		return
	}
	s.nextID++
	c := newConn(s, nc, s.nextID)
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	go c.serve()
}

// forgetConn unregisters a connection that ended.
func (s *Server) forgetConn(c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c)
}

// CloseIdle sends a FIN on every connection that waits for a next request (not
// one playing a script), then waits until the peer has closed each of them or ctx
// ends, and closes them. An exclusive scenario can thus start with the proxy's
// pool of upstream connections empty. When ctx ends first, the connections still
// open are closed at once and CloseIdle says how many there were.
func (s *Server) CloseIdle(ctx context.Context) error {
	s.mu.Lock()
	var draining []*conn
	for c := range s.conns {
		if c.beginDrain() {
			draining = append(draining, c)
		}
	}
	s.mu.Unlock()
	for _, c := range draining {
		select {
		case <-c.done:
		case <-ctx.Done():
		}
	}
	if ctx.Err() == nil {
		return nil
	}
	open := 0
	for _, c := range draining {
		select {
		case <-c.done:
		default:
			open++
			c.abort("closed idle connection: " + ctx.Err().Error())
		}
	}
	for _, c := range draining {
		<-c.done
	}
	if open == 0 {
		return nil
	}
	return fmt.Errorf("close idle connections: %d of %d still open: %w", open, len(draining), ctx.Err())
}

// Close closes the endpoints and every connection, and waits until every goroutine
// of the server has ended. Waits in progress return an error. Close may be called
// more than once; later calls return what the first returned.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.cancel()
		var errs []error
		if err := s.ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
		s.mu.Lock()
		s.closed = true
		conns := make([]*conn, 0, len(s.conns))
		for c := range s.conns {
			conns = append(conns, c)
		}
		s.mu.Unlock()
		for _, c := range conns {
			c.abort("fake upstream closed")
		}
		s.wg.Wait()
		errs = append(errs, s.refused.close(), s.timeout.close())
		s.journal.close()
		if err := errors.Join(errs...); err != nil {
			s.closeErr = fmt.Errorf("close fake upstream: %w", err)
		}
	})
	return s.closeErr
}
