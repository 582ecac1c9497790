package control

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/scenarios"
)

// Server is a running control API in front of a fake upstream.
type Server struct {
	srv  *http.Server
	ln   net.Listener
	done chan error
}

// Start serves the control API for up on addr. It is listening when Start returns.
func Start(addr string, up *fakeupstream.Server, t scenarios.Timeouts) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("start control API: %w", err)
	}
	s := &Server{
		ln:   ln,
		done: make(chan error, 1),
		srv: &http.Server{
			Handler:           Handler(up, t),
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      MaxWait + 30*time.Second,
			IdleTimeout:       time.Minute,
			MaxHeaderBytes:    64 << 10,
		},
	}
	go func() { s.done <- s.srv.Serve(ln) }()
	return s, nil
}

// Addr is the address the control API listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops the control API: requests in flight get a second to finish, then
// their connections are closed.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		_ = s.srv.Close()
	}
	if err := <-s.done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("close control API: %w", err)
	}
	return nil
}
