package harness

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/wire"
)

// clientConn is one client connection to the proxy, in the session's client
// protocol: the one seam between the harness and the wire clients.
type clientConn interface {
	// exchange sends r and reads the answer until deadline; reuse says another
	// request will follow on the connection.
	exchange(ctx context.Context, r wire.Request, reuse bool, deadline time.Time) wire.Exchange
	// linger reads on after a complete response until until (see
	// Session.afterResponse).
	linger(ctx context.Context, until time.Time, x *wire.Exchange) wire.ConnState
	// unusable says why no further request can go on the connection, or "".
	unusable() string
	close()
}

// dial opens a client connection to the session's listener; settings are an
// HTTP/2 client's SETTINGS.
func (s *Session) dial(ctx context.Context, settings scenarios.H2Settings) (clientConn, error) {
	if s.client.HTTP2() {
		c, err := wire.DialHTTP2(ctx, s.listener.Addr, s.listener.TLS, wire.H2Settings(settings), dialTimeout)
		if err != nil {
			return nil, fmt.Errorf("%s listener %s: %w", s.client, s.listener.Addr, err)
		}
		return h2Conn{c}, nil
	}
	d := net.Dialer{Timeout: dialTimeout}
	conn, err := d.DialContext(ctx, "tcp", s.listener.Addr)
	if err != nil {
		return nil, fmt.Errorf("connect to the proxy at %s: %w", s.listener.Addr, err)
	}
	return h1Conn{wire.NewHTTP1Client(conn)}, nil
}

// h1Conn is an HTTP/1.1 client connection.
type h1Conn struct{ c *wire.HTTP1Client }

func (h h1Conn) exchange(ctx context.Context, r wire.Request, reuse bool, deadline time.Time) wire.Exchange {
	h.c.Reuse = reuse
	head, body := wire.BuildHTTP1Request(r)
	return h.c.Exchange(ctx, head, body, methodOfWire(r), r.ExpectContinue, deadline)
}

func (h h1Conn) linger(ctx context.Context, until time.Time, x *wire.Exchange) wire.ConnState {
	return h.c.Linger(ctx, until, x)
}

func (h h1Conn) unusable() string { return "" }
func (h h1Conn) close()           { h.c.Close() }

// h2Conn is an HTTP/2 client connection: each request a new stream.
type h2Conn struct{ c *wire.H2Client }

func (h h2Conn) exchange(ctx context.Context, r wire.Request, _ bool, deadline time.Time) wire.Exchange {
	return h.c.Exchange(ctx, wire.HTTP2Request(r), deadline)
}

func (h h2Conn) linger(ctx context.Context, until time.Time, x *wire.Exchange) wire.ConnState {
	return h.c.Linger(ctx, until, x)
}

func (h h2Conn) unusable() string { return h.c.CanOpen() }
func (h h2Conn) close()           { h.c.Close() }

func methodOfWire(r wire.Request) string {
	if r.Method == "" {
		return "GET"
	}
	return r.Method
}

// listenerFor is the target's listener for client: its address for h1, its
// HTTP/2 listener otherwise (a *NotServed when it has none).
func listenerFor(t Target, addr string, client scenarios.Client) (Listener, error) {
	if !client.HTTP2() {
		return Listener{Addr: addr}, nil
	}
	h, ok := t.(HTTP2Target)
	if !ok {
		return Listener{}, &NotServed{Target: t.String(), Client: client, Reason: "the target has no HTTP/2 listener"}
	}
	return h.HTTP2(client)
}
