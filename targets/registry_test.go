package targets

import (
	"context"
	"errors"
	"log"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/scenarios"
)

// TestNew checks that every form of a target spec makes the target it names,
// and that a spec with options its kind does not take is refused.
func TestNew(t *testing.T) {
	to := scenarios.DefaultTimeouts()
	for _, c := range []struct{ spec, want string }{
		{"go-stdlib", "go-stdlib"},
		{"nginx", "nginx"},
		{"http://127.0.0.1:8080", "external http://127.0.0.1:8080"},
		{"http://127.0.0.1:8080?control=http://127.0.0.1:8084", "external http://127.0.0.1:8080"},
		{"nginx?image=nginx:1.27-alpine", "nginx (container nginx:1.27-alpine)"},
		{"nginx?image=nginx%3A1.27-alpine&upstream-image=gatecheck%3Adev", "nginx (container nginx:1.27-alpine)"},
	} {
		got, err := New(c.spec, to)
		if err != nil {
			t.Errorf("New(%q): %v", c.spec, err)
			continue
		}
		if got.String() != c.want {
			t.Errorf("New(%q) = %s; want %s", c.spec, got, c.want)
		}
	}
	if ext, _ := New("http://127.0.0.1:8080?control=http://127.0.0.1:8084", to); ext.(*External).control != "http://127.0.0.1:8084" {
		t.Error("control option not kept")
	}
	if c, _ := New("nginx?image=a&upstream-image=b", to); c.(*Container).cfg.UpstreamImage != "b" {
		t.Error("upstream-image option not kept")
	}
	for _, spec := range []string{
		"nope", "go-stdlib?control=http://x:1", "http://127.0.0.1:8080?image=x", "nginx?upstream-image=x",
		"nginx?image=", "nginx?image=a&image=b", "ftp://x:1", "http://127.0.0.1:8080/path",
	} {
		if _, err := New(spec, to); err == nil {
			t.Errorf("New(%q): got no error", spec)
		}
	}
}

// TestExpand checks that all is go-stdlib and every process target, that a
// missing proxy goes to missing instead of the list, and that each target is
// listed once, in the order given.
func TestExpand(t *testing.T) {
	var missing []string
	got, err := Expand("nginx, all,,go-stdlib", func(name string) error {
		missing = append(missing, name)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != "nginx" || got[1] != "go-stdlib" {
		t.Errorf("got %q; want nginx, go-stdlib first", got)
	}
	for _, p := range ProcessNames() {
		if slices.Contains(got, p) == slices.Contains(missing, p) && p != "nginx" {
			t.Errorf("%s: listed %v, missing %v; want exactly one", p, slices.Contains(got, p), slices.Contains(missing, p))
		}
	}
	for i, n := range got {
		if slices.Contains(got[i+1:], n) {
			t.Errorf("%s listed twice in %q", n, got)
		}
	}
	stop := errors.New("stop")
	if len(missing) > 0 {
		if _, err := Expand("all", func(string) error { return stop }); !errors.Is(err, stop) {
			t.Errorf("got %v; want missing's error", err)
		}
	}
}

// TestUnavailable checks the words and the sentinel for a missing proxy.
func TestUnavailable(t *testing.T) {
	if err := Unavailable("go-stdlib"); err != nil {
		t.Errorf("go-stdlib: %v", err)
	}
	for _, p := range ProcessNames() {
		if Installed(p) {
			continue
		}
		t.Setenv("GATECHECK_REQUIRE_PROXIES", "")
		if err := Unavailable(p); err == nil || errors.Is(err, ErrRequired) || err.Error() != NotInstalled(p) {
			t.Errorf("%s: got %v; want %q", p, err, NotInstalled(p))
		}
		t.Setenv("GATECHECK_REQUIRE_PROXIES", "all")
		if err := Unavailable(p); errors.Is(err, ErrRequired) != Required(p) {
			t.Errorf("%s under GATECHECK_REQUIRE_PROXIES=all: got %v", p, err)
		}
		return
	}
	t.Skip("every proxy is installed")
}

// TestGoStdlibOwnLog checks that each go-stdlib target keeps its own log: a
// line the standard logger writes while only one runs is in that one's log
// alone.
func TestGoStdlibOwnLog(t *testing.T) {
	log.SetOutput(StdLog)
	defer log.SetOutput(os.Stderr)
	up, err := fakeupstream.Start(fakeupstream.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	ctx := context.Background()
	a, b := NewGoStdlib(scenarios.DefaultTimeouts()), NewGoStdlib(scenarios.DefaultTimeouts())
	for _, g := range []*GoStdlib{a, b} {
		if _, err := g.Start(ctx, up.Endpoints()); err != nil {
			t.Fatal(err)
		}
	}
	log.Print("while both ran")
	if err := b.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	log.Print("while a ran")
	if err := a.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	log.Print("after both")
	if got := a.Log(); !strings.Contains(got, "while both ran") || !strings.Contains(got, "while a ran") || strings.Contains(got, "after both") {
		t.Errorf("a's log:\n%s", got)
	}
	if got := b.Log(); !strings.Contains(got, "while both ran") || strings.Contains(got, "while a ran") {
		t.Errorf("b's log:\n%s", got)
	}
}
