package targets

import (
	"os"
	"strings"
	"testing"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/scenarios"
)

func TestContainerConfigText(t *testing.T) {
	eps := fakeupstream.Endpoints{Main: "upstream:8081", Refused: "upstream:8082", ConnectTimeout: "upstream:8083"}
	for _, tc := range []struct{ kind, want string }{
		{"nginx", "listen 0.0.0.0:8080;"},
		{"nginx", "server upstream:8082;"},
		{"nginx", "pid /gatecheck/nginx.pid;"},
		{"caddy", "bind 0.0.0.0"},
		{"haproxy", "upstream:8083"},
	} {
		text, err := ContainerConfigText(tc.kind, eps, scenarios.DefaultTimeouts())
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(text, tc.want) {
			t.Errorf("%s: config lacks %q:\n%s", tc.kind, tc.want, text)
		}
	}
}

func TestNewContainerChecks(t *testing.T) {
	if _, err := NewContainer(ContainerConfig{Kind: "nope", Image: "x"}); err == nil {
		t.Error("unknown kind: got no error")
	}
	if _, err := NewContainer(ContainerConfig{Kind: "nginx"}); err == nil {
		t.Error("no image: got no error")
	}
}

func TestCheckStatic(t *testing.T) {
	if err := checkStatic("container_test.go"); err == nil {
		t.Error("a Go source file: got no error")
	}
	for _, bin := range []string{"/usr/sbin/nginx", "/bin/sh"} {
		if _, err := os.Stat(bin); err != nil {
			continue
		}
		if err := checkStatic(bin); err == nil || !strings.Contains(err.Error(), "dynamically linked") {
			t.Errorf("%s: got %v; want dynamically linked", bin, err)
		}
	}
}
