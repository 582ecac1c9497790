package main

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestServeControlAPI(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- dispatch(ctx, []string{"serve", "--listen", "127.0.0.1:0", "--control", "127.0.0.1:0"}, &stdout, &stderr)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(stdout.String(), "ready;") {
		if time.Now().After(deadline) {
			t.Fatalf("serve not ready after 10s; stdout %q stderr %q", stdout.String(), stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	m := regexp.MustCompile(`control API at (http://\S+) `).FindStringSubmatch(stdout.String())
	if m == nil {
		t.Fatalf("serve output lacks the control API:\n%s", stdout.String())
	}
	resp, err := http.Get(m[1] + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	var h struct{ Status string }
	_ = json.NewDecoder(resp.Body).Decode(&h)
	resp.Body.Close()
	if resp.StatusCode != 200 || h.Status != "ok" {
		t.Errorf("GET /healthz: got %d %q; want 200 ok", resp.StatusCode, h.Status)
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("serve: got exit %d; want 0; stderr %q", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop within 10s of cancel")
	}
}

func TestSideAddr(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"127.0.0.1:8081", "127.0.0.1:8084"},
		{"0.0.0.0:8081", "0.0.0.0:8084"},
		{"127.0.0.1:0", "127.0.0.1:0"},
		{"[::1]:65534", "[::1]:0"},
	} {
		if got := sideAddr(tc.in, 3); got != tc.want {
			t.Errorf("sideAddr(%q, 3): got %q; want %q", tc.in, got, tc.want)
		}
	}
}
