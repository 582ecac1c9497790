package wire

import (
	"context"
	"errors"
	"io"
	"syscall"
	"time"
)

// ConnState is how the client connection stood once the client had stopped
// reading after a complete response.
type ConnState string

// The three states.
const (
	ConnOpen   ConnState = "open"   // still open when the client stopped reading
	ConnClosed ConnState = "closed" // the proxy closed it (FIN)
	ConnReset  ConnState = "reset"  // the proxy reset it (RST)
)

// Linger reads what the proxy sends after a complete response, until until, a
// FIN or a reset, or ctx ends: bytes that arrive there, before the client's
// next request, are a stray response to it (RFC 9112 §6.3, §9.2). It adds
// the bytes read to x.Response.Extra, the bytes already read past x's response
// (capped at MaxRaw), and returns how the connection then stood. Bytes read
// past the response are never carried to the next exchange: they are judged
// with x, and a request that follows on the connection starts clean.
func (c *HTTP1Client) Linger(ctx context.Context, until time.Time, x *Exchange) ConnState {
	c.carry = nil
	conn := c.conn
	_ = conn.SetReadDeadline(until)
	stop := interruptOn(ctx, conn)
	defer func() {
		stop()
		_ = conn.SetDeadline(time.Time{})
	}()
	if c.buf == nil {
		c.buf = make([]byte, readSize)
	}
	for {
		n, err := conn.Read(c.buf)
		x.Response.Extra = appendCapped(x.Response.Extra, c.buf[:n], MaxRaw)
		switch {
		case err == nil:
			continue
		case errors.Is(err, io.EOF):
			return ConnClosed
		case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE):
			return ConnReset
		}
		return ConnOpen // the deadline, or ctx
	}
}
