package targets

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/scenarios"
)

// fakeProxyEnv makes the test binary play a proxy (see fakeProxy) instead of
// running the tests: the framework's tests need no proxy installed.
const fakeProxyEnv = "GATECHECK_FAKE_PROXY"

func TestMain(m *testing.M) {
	if mode := os.Getenv(fakeProxyEnv); mode != "" {
		os.Exit(fakeProxy(mode, os.Args[1:]))
	}
	os.Exit(m.Run())
}

// fakeProxy is the test binary as a proxy. Modes: "fail" complains and exits 1;
// "serve" listens on args[0] until SIGTERM; "family" also forks a child that
// ignores SIGTERM; "stubborn" listens and ignores SIGTERM; "child" ignores SIGTERM
// and sleeps.
func fakeProxy(mode string, args []string) int {
	switch mode {
	case "fail":
		fmt.Fprintln(os.Stderr, "fake: starting")
		fmt.Fprintln(os.Stderr, `fake: [emerg] unknown directive "bogus" in fake.conf:3`)
		return 1
	case "child":
		signal.Ignore(syscall.SIGTERM)
		time.Sleep(time.Hour)
		return 0
	}
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "fake: want the listen address")
		return 2
	}
	term := make(chan os.Signal, 1)
	if mode == "stubborn" {
		signal.Ignore(syscall.SIGTERM)
	} else {
		signal.Notify(term, syscall.SIGTERM)
	}
	ln, err := net.Listen("tcp", args[0])
	if err != nil {
		fmt.Fprintln(os.Stderr, "fake:", err)
		return 1
	}
	if mode == "family" {
		child := exec.Command(os.Args[0])
		child.Env = append(os.Environ(), fakeProxyEnv+"=child")
		if err := child.Start(); err != nil {
			fmt.Fprintln(os.Stderr, "fake:", err)
			return 1
		}
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	fmt.Fprintln(os.Stderr, "fake: listening on", ln.Addr())
	<-term
	return 0
}

// fakeSpec is a proxy played by the test binary in the given mode; it renders
// nginx's template, which it never reads.
func fakeSpec(t testing.TB, mode string) *Spec {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Skipf("no test executable: %v", err)
	}
	return &Spec{
		Name: "fake-" + mode, Template: "nginx", Package: "fake", Binary: exe, Config: "fake.conf",
		Args:      func(in *Instance) []string { return []string{in.Listen.String()} },
		Env:       func(*Instance) []string { return []string{fakeProxyEnv + "=" + mode} },
		StopGrace: 500 * time.Millisecond,
	}
}

func startFake(t testing.TB, mode string) (*Process, int, string) {
	t.Helper()
	p := newProcess(fakeSpec(t, mode), scenarios.DefaultTimeouts())
	addr, err := p.Start(context.Background(), testEndpoints)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	if c, err := net.Dial("tcp", addr); err != nil {
		t.Errorf("dial %s after Start: %v", addr, err)
	} else {
		c.Close()
	}
	pgid, dir := running(t, p)
	return p, pgid, dir
}

func TestStopEndsGroup(t *testing.T) {
	tests := []struct {
		mode      string
		cancelled bool
		within    time.Duration
	}{
		{"serve", false, 2 * time.Second},
		{"family", false, 3 * time.Second},   // the child ignores SIGTERM: grace, then SIGKILL
		{"stubborn", false, 3 * time.Second}, // so does the leader
		{"stubborn", true, time.Second},      // a cancelled ctx skips the grace
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/cancelled=%v", tt.mode, tt.cancelled), func(t *testing.T) {
			t.Parallel()
			p, pgid, dir := startFake(t, tt.mode)
			ctx, cancel := context.WithCancel(context.Background())
			if tt.cancelled {
				cancel()
			}
			defer cancel()
			start := time.Now()
			if err := p.Stop(ctx); err != nil {
				t.Errorf("Stop: %v", err)
			}
			if got := time.Since(start); got > tt.within {
				t.Errorf("Stop took %v; want at most %v", got, tt.within)
			}
			checkGone(t, pgid, dir)
			if err := p.Stop(ctx); err != nil {
				t.Errorf("second Stop: %v; want nil", err)
			}
		})
	}
}

func TestStartFailureCarriesOutput(t *testing.T) {
	p := newProcess(fakeSpec(t, "fail"), scenarios.DefaultTimeouts())
	_, err := p.Start(context.Background(), testEndpoints)
	if err == nil {
		t.Fatal("Start succeeded; want an error")
	}
	want := "exited with status 1:\n\tfake: starting\n\tfake: [emerg] unknown directive \"bogus\" in fake.conf:3"
	if got := err.Error(); got != want {
		t.Errorf("error:\n%s\nwant:\n%s", got, want)
	}
	if got := p.Log(); !strings.Contains(got, "unknown directive") {
		t.Errorf("Log() = %q; want the proxy's output", got)
	}
}

// TestStartRetriesPortInUse hands the proxy a port that is taken: it fails to
// bind, and Start tries again with a fresh port.
func TestStartRetriesPortInUse(t *testing.T) {
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	heldPort := held.Addr().(*net.TCPAddr).Port
	for _, taken := range []int{1, 2, 3} {
		t.Run(fmt.Sprintf("taken %d times", taken), func(t *testing.T) {
			p := newProcess(fakeSpec(t, "serve"), scenarios.DefaultTimeouts())
			calls := 0
			p.ports = func(n int) ([]int, error) {
				calls++
				if calls <= taken {
					return []int{heldPort}, nil
				}
				return freePorts(n)
			}
			addr, err := p.Start(context.Background(), testEndpoints)
			if taken == startAttempts {
				if err == nil || !strings.Contains(err.Error(), "address already in use") {
					t.Errorf("Start with the port taken every time: %v; want address already in use", err)
				}
				if calls != startAttempts {
					t.Errorf("%d attempts; want %d", calls, startAttempts)
				}
				return
			}
			if err != nil {
				t.Fatalf("Start: %v", err)
			}
			pgid, dir := running(t, p)
			defer checkGone(t, pgid, dir)
			defer p.Stop(context.Background())
			if addr == held.Addr().String() || calls != taken+1 {
				t.Errorf("Start gave %s after %d port lookups; want a fresh port after %d", addr, calls, taken+1)
			}
		})
	}
}

func TestNotInstalled(t *testing.T) {
	spec := fakeSpec(t, "serve")
	spec.Name, spec.Package, spec.Binary = "nosuch", "nosuch-pkg", "gatecheck-no-such-proxy"
	_, err := newProcess(spec, scenarios.DefaultTimeouts()).Start(context.Background(), testEndpoints)
	want := "nosuch not installed: apt-get install nosuch-pkg (or make proxies)"
	if err == nil || err.Error() != want {
		t.Errorf("Start: %v; want %s", err, want)
	}
}

func TestStartCancelled(t *testing.T) {
	spec := fakeSpec(t, "child") // never listens
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := newProcess(spec, scenarios.DefaultTimeouts()).Start(ctx, testEndpoints)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Start: %v; want the context's deadline", err)
	}
	if got := time.Since(start); got > 5*time.Second {
		t.Errorf("Start took %v after its context ended", got)
	}
}

func TestWholeSeconds(t *testing.T) {
	tests := []struct{ in, want time.Duration }{
		{time.Second, time.Second},
		{1500 * time.Millisecond, 2 * time.Second},
		{100 * time.Millisecond, time.Second},
		{3 * time.Second, 3 * time.Second},
	}
	for _, tt := range tests {
		got := wholeSeconds(scenarios.Timeouts{Connect: tt.in, Read: tt.in, Retries: 2})
		if got.Connect != tt.want || got.Read != tt.want || got.Retries != 2 {
			t.Errorf("wholeSeconds(%v) = %+v; want %v, %v, 2 retries", tt.in, got, tt.want, tt.want)
		}
	}
}
