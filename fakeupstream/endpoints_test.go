package fakeupstream

import (
	"errors"
	"net"
	"syscall"
	"testing"
	"time"
)

func TestRefusedEndpoint(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	for i := range 3 {
		c, err := net.DialTimeout("tcp", s.Endpoints().Refused, testTimeout)
		if err == nil {
			_ = c.Close()
		}
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("dial %d: %v; want ECONNREFUSED", i, err)
		}
	}
}

func TestConnectTimeoutEndpoint(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	for i := range 3 {
		start := time.Now()
		c, err := net.DialTimeout("tcp", s.Endpoints().ConnectTimeout, 300*time.Millisecond)
		elapsed := time.Since(start)
		if err == nil {
			_ = c.Close()
			t.Fatalf("dial %d: connected; want a timeout", i)
		}
		if !isTimeout(err) || errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("dial %d: %v; want a timeout", i, err)
		}
		if elapsed > 2*time.Second {
			t.Errorf("dial %d took %v; want about 300ms", i, elapsed)
		}
	}
}

func TestSideEndpointDefaults(t *testing.T) {
	tests := []struct {
		addr  string
		delta int
		want  string
	}{
		{"127.0.0.1:8000", 1, "127.0.0.1:8001"},
		{"127.0.0.1:8000", 2, "127.0.0.1:8002"},
		{"127.0.0.1:0", 1, "127.0.0.1:0"},
		{"127.0.0.1:65535", 1, "127.0.0.1:0"},
		{"localhost:http", 1, "127.0.0.1:0"},
	}
	for _, tt := range tests {
		if got := (Config{Addr: tt.addr}).sideAddr("127.0.0.1", tt.delta); got != tt.want {
			t.Errorf("Config{Addr: %q}.sideAddr(+%d) = %q; want %q", tt.addr, tt.delta, got, tt.want)
		}
	}
	s := startServer(t, Config{})
	for name, addr := range map[string]string{"main": s.Endpoints().Main, "refused": s.Endpoints().Refused, "connect-timeout": s.Endpoints().ConnectTimeout} {
		host, _, err := net.SplitHostPort(addr)
		if err != nil || !net.ParseIP(host).IsLoopback() {
			t.Errorf("%s endpoint %q; want a loopback address", name, addr)
		}
	}
}
