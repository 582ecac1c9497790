package main

import (
	"context"
	"strings"
	"testing"

	"github.com/gatecheck/gatecheck/fakeupstream"
)

func TestConfig(t *testing.T) {
	code, stdout, stderr := invoke(t, context.Background(), "config", "nginx", "--upstream", "127.0.0.1:9001", "--read-timeout", "2s")
	if code != exitOK {
		t.Fatalf("config nginx: exit %d, stderr %q", code, stderr)
	}
	for _, want := range []string{"127.0.0.1:9001", "127.0.0.1:9002", "127.0.0.1:9003"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("config nginx: lacks the endpoint %s:\n%s", want, stdout)
		}
	}
	for _, args := range [][]string{{"config"}, {"config", "go-stdlib"}, {"config", "nginx", "--upstream", "127.0.0.1"}} {
		if code, _, stderr := invoke(t, context.Background(), args...); code != exitUsage || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: got exit %d, stderr %q; want 2 and one line", args, code, stderr)
		}
	}
}

func TestEndpointsAt(t *testing.T) {
	tests := []struct {
		addr string
		want fakeupstream.Endpoints
		ok   bool
	}{
		{"127.0.0.1:8081", fakeupstream.Endpoints{Main: "127.0.0.1:8081", Refused: "127.0.0.1:8082", ConnectTimeout: "127.0.0.1:8083"}, true},
		{"[::1]:80", fakeupstream.Endpoints{Main: "[::1]:80", Refused: "[::1]:81", ConnectTimeout: "[::1]:82"}, true},
		{"127.0.0.1:0", fakeupstream.Endpoints{}, false},
		{"127.0.0.1:65534", fakeupstream.Endpoints{}, false},
		{"localhost", fakeupstream.Endpoints{}, false},
	}
	for _, tt := range tests {
		got, err := endpointsAt(tt.addr)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("endpointsAt(%q): got %+v, %v; want %+v, ok %v", tt.addr, got, err, tt.want, tt.ok)
		}
	}
}
