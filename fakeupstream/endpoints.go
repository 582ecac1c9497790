//go:build unix

package fakeupstream

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"syscall"
	"time"
)

// Filling the connect-timeout endpoint's accept queue.
const (
	// fillProbe is how long a connect to the connect-timeout endpoint may take
	// before it counts as dropped. On loopback a connect that is not dropped takes
	// microseconds; a dropped SYN is retried after a second.
	fillProbe = 200 * time.Millisecond
	// fillMax bounds the connections made to fill the accept queue.
	fillMax = 64
	// queueSettle bounds how long to watch the kernel's accept-queue counter after a
	// connect before connecting again.
	queueSettle = 20 * time.Millisecond
)

// refusedEndpoint is a socket that is bound and never listens, held so that no one
// else takes the port: a connect to it gets a RST.
type refusedEndpoint struct {
	fd   int
	addr string
}

// newRefusedEndpoint binds a TCP socket to addr without listening.
func newRefusedEndpoint(addr string) (*refusedEndpoint, error) {
	fd, bound, err := bindTCP(addr)
	if err != nil {
		return nil, err
	}
	return &refusedEndpoint{fd: fd, addr: bound}, nil
}

func (r *refusedEndpoint) close() error {
	if err := syscall.Close(r.fd); err != nil {
		return fmt.Errorf("refused endpoint %s: %w", r.addr, err)
	}
	return nil
}

// connectTimeoutEndpoint is a listener with backlog 0 whose accept queue the
// endpoint filled itself and never accepts from: the kernel drops further SYNs, so
// a connect times out.
type connectTimeoutEndpoint struct {
	fd    int
	addr  string
	fills []net.Conn
}

// newConnectTimeoutEndpoint listens on addr with backlog 0 and fills the accept
// queue by connecting to it until a further connect would time out.
func newConnectTimeoutEndpoint(addr string) (*connectTimeoutEndpoint, error) {
	fd, bound, err := bindTCP(addr)
	if err != nil {
		return nil, err
	}
	e := &connectTimeoutEndpoint{fd: fd, addr: bound}
	if err := syscall.Listen(fd, 0); err != nil {
		_ = e.close()
		return nil, fmt.Errorf("listen: %w", err)
	}
	if err := e.fill(); err != nil {
		_ = e.close()
		return nil, err
	}
	return e, nil
}

// fill connects to the endpoint until its accept queue is full: the kernel's
// counter says so, or a connect is dropped.
func (e *connectTimeoutEndpoint) fill() error {
	target := dialable(e.addr)
	for range fillMax {
		c, err := net.DialTimeout("tcp", target, fillProbe)
		if err != nil {
			if isTimeout(err) {
				return nil
			}
			return fmt.Errorf("fill accept queue: %w", err)
		}
		e.fills = append(e.fills, c)
		if e.settled() {
			return nil
		}
	}
	return fmt.Errorf("fill accept queue: still accepting after %d connections", fillMax)
}

// settled watches the kernel's accept-queue counter for a short while after a
// connect and reports whether the queue is full.
func (e *connectTimeoutEndpoint) settled() bool {
	deadline := time.Now().Add(queueSettle)
	for {
		full, ok := acceptQueueFull(e.fd)
		if !ok || full {
			return full
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(time.Millisecond) // polling a kernel counter, not waiting on our own goroutines
	}
}

func (e *connectTimeoutEndpoint) close() error {
	var errs []error
	for _, c := range e.fills {
		errs = append(errs, c.Close())
	}
	if err := syscall.Close(e.fd); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("connect-timeout endpoint %s: %w", e.addr, err)
	}
	return nil
}

// bindTCP creates a TCP socket bound to addr and returns it with the address it is
// bound to.
func bindTCP(addr string) (int, string, error) {
	ta, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		return -1, "", err
	}
	family := syscall.AF_INET
	var sa syscall.Sockaddr
	if ip4 := ta.IP.To4(); ta.IP == nil || ip4 != nil {
		s4 := &syscall.SockaddrInet4{Port: ta.Port}
		copy(s4.Addr[:], ip4)
		sa = s4
	} else {
		family = syscall.AF_INET6
		s6 := &syscall.SockaddrInet6{Port: ta.Port}
		copy(s6.Addr[:], ta.IP.To16())
		sa = s6
	}
	syscall.ForkLock.RLock()
	fd, err := syscall.Socket(family, syscall.SOCK_STREAM, syscall.IPPROTO_TCP)
	if err == nil {
		syscall.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return -1, "", fmt.Errorf("socket: %w", err)
	}
	if err := syscall.Bind(fd, sa); err != nil {
		_ = syscall.Close(fd)
		return -1, "", fmt.Errorf("bind: %w", err)
	}
	got, err := syscall.Getsockname(fd)
	if err != nil {
		_ = syscall.Close(fd)
		return -1, "", fmt.Errorf("getsockname: %w", err)
	}
	switch got := got.(type) {
	case *syscall.SockaddrInet4:
		return fd, net.JoinHostPort(net.IP(got.Addr[:]).String(), strconv.Itoa(got.Port)), nil
	case *syscall.SockaddrInet6:
		return fd, net.JoinHostPort(net.IP(got.Addr[:]).String(), strconv.Itoa(got.Port)), nil
	}
	_ = syscall.Close(fd)
	return -1, "", fmt.Errorf("getsockname: unexpected address %T", got)
}

// dialable turns a wildcard address into the loopback address of its family.
func dialable(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	ip := net.ParseIP(host)
	switch {
	case ip == nil || !ip.IsUnspecified():
		return addr
	case ip.To4() != nil:
		return net.JoinHostPort("127.0.0.1", port)
	default:
		return net.JoinHostPort("::1", port)
	}
}
