package targets

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/internal/certs"
	"github.com/gatecheck/gatecheck/scenarios"
)

// Bounds of a process target's life.
const (
	// startAttempts is how often Start tries when the proxy finds its port taken.
	startAttempts = 3
	// readyTimeout bounds the wait for a started proxy to listen.
	readyTimeout = 20 * time.Second
	// stopGrace is how long Stop waits after SIGTERM before SIGKILL, unless the
	// Spec says otherwise.
	stopGrace = 5 * time.Second
	// reapTimeout bounds the wait for the group to vanish after SIGKILL.
	reapTimeout = 5 * time.Second
	// versionTimeout bounds the version command.
	versionTimeout = 5 * time.Second
	// nofile is the open-files limit a proxy runs with: explicit, so that a proxy
	// sizing its tables by the limit behaves the same under any parent's limit.
	nofile = "4096"
)

// Process is a proxy gatecheck starts from the machine's package: each run gets
// its own work dir, a free loopback port and a config rendered from the proxy's
// template, and runs in its own process group until Stop ends the whole group.
type Process struct {
	spec     *Spec
	declared scenarios.Timeouts // what the config asks for
	timeouts scenarios.Timeouts // what the proxy uses
	// ports finds free loopback ports; tests replace it.
	ports func(n int) ([]int, error)

	mu  sync.Mutex // serialises Start and Stop
	cur *proc

	logMu sync.Mutex
	out   *lockedBuffer // the current run's stdout and stderr
	dir   string        // the current run's work dir, while it exists
	saved string        // the log files' tails, kept when the work dir goes

	versionOnce sync.Once
	version     string
}

var (
	_ harness.Target      = (*Process)(nil)
	_ harness.Versioned   = (*Process)(nil)
	_ harness.Logged      = (*Process)(nil)
	_ harness.Paralleled  = (*Process)(nil)
	_ harness.HTTP2Target = (*Process)(nil)
)

// NewProcess makes the named proxy's target with the declared timeouts. It works
// whether or not the proxy is installed; Start says what to install.
func NewProcess(name string, t scenarios.Timeouts) (*Process, error) {
	s, err := lookupSpec(name)
	if err != nil {
		return nil, err
	}
	return newProcess(s, t), nil
}

func newProcess(s *Spec, t scenarios.Timeouts) *Process {
	return &Process{spec: s, declared: t, timeouts: s.effectiveTimeouts(t), ports: freePorts, out: &lockedBuffer{}}
}

// Start renders the config, starts the proxy and returns its address once it
// listens. When the proxy finds its port taken, Start tries again with fresh
// ports, up to three times in all. It first removes the work dirs that runs
// whose owner no longer runs left behind (sweepWorkDirs).
func (p *Process) Start(ctx context.Context, up fakeupstream.Endpoints) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cur != nil {
		return "", errors.New("already started")
	}
	if err := groupSupport(); err != nil {
		return "", err
	}
	sweepWorkDirs() // what killed runs left behind
	bin, err := p.spec.installed()
	if err != nil {
		return "", notInstalled(p.spec)
	}
	for attempt := 1; ; attempt++ {
		pr, err := p.launch(ctx, bin, up)
		if err == nil {
			p.cur = pr
			return pr.in.Listen.String(), nil
		}
		var inUse *addrInUseError
		if !errors.As(err, &inUse) || ctx.Err() != nil {
			return "", err
		}
		if attempt == startAttempts {
			return "", fmt.Errorf("%w (port taken %d times in a row)", err, attempt)
		}
	}
}

// Stop sends SIGTERM to the proxy's process group, waits up to the grace period
// (less when ctx ends first), then sends SIGKILL; it always reaps the proxy, waits
// until no process of the group remains and removes the work dir. Stopping a
// stopped target does nothing.
func (p *Process) Stop(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	pr := p.cur
	if pr == nil {
		return nil
	}
	p.cur = nil
	grace := p.spec.StopGrace
	if grace <= 0 {
		grace = stopGrace
	}
	err := pr.stop(ctx, grace)
	return errors.Join(err, p.cleanup(pr.in))
}

// cleanup keeps the tails of a run's log files, removes its work dir and runs
// the spec's Cleanup.
func (p *Process) cleanup(in *Instance) error {
	saved := p.logFiles(in.Dir)
	p.logMu.Lock()
	p.saved, p.dir = saved, ""
	p.logMu.Unlock()
	var errs []error
	if err := os.RemoveAll(in.Dir); err != nil {
		errs = append(errs, fmt.Errorf("remove work dir: %w", err))
	}
	if p.spec.Cleanup != nil && in.Listen.Port != 0 {
		if err := p.spec.Cleanup(in); err != nil {
			errs = append(errs, fmt.Errorf("clean up: %w", err))
		}
	}
	return errors.Join(errs...)
}

// Timeouts are the timeouts the proxy really uses: the declared ones, rounded
// up where the proxy only takes whole seconds, with retries only where the proxy
// has a retry count to set.
func (p *Process) Timeouts() scenarios.Timeouts { return p.timeouts }

// Version is the proxy's version as its binary reports it, as "nginx/1.22.1",
// or "" when it cannot be told.
func (p *Process) Version() string {
	p.versionOnce.Do(func() { p.version = detectVersion(p.spec) })
	return p.version
}

// Log is the tail of the proxy's stdout and stderr, then the tail of each of its
// log files: the current run's, or the last run's after Stop.
func (p *Process) Log() string {
	p.logMu.Lock()
	out, dir, saved := p.out, p.dir, p.saved
	p.logMu.Unlock()
	var b strings.Builder
	b.WriteString(tailString(out.String(), logTail))
	if dir != "" {
		saved = p.logFiles(dir)
	}
	b.WriteString(saved)
	return b.String()
}

// HTTP2 is the running proxy's listener for an HTTP/2 client: h2c on its own
// loopback port, or TLS with ALPN h2 on another, with a client config that
// trusts only the run's own authority. A client the proxy has no listener for
// gets a *harness.NotServed saying why (the Spec's NoHTTP2).
func (p *Process) HTTP2(client scenarios.Client) (harness.Listener, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var h2c, tls string
	var set *certs.Set
	if p.cur != nil {
		in := p.cur.in
		if in.H2C != nil {
			h2c = in.H2C.String()
		}
		if in.TLS != nil {
			tls, set = in.TLS.String(), in.Certs
		}
	}
	return p.spec.http2Listener(p.String(), client, p.cur != nil, h2c, tls, set)
}

// Parallel is the most scenarios the proxy is given at once (0: as many as the
// run asks for).
func (p *Process) Parallel() int { return p.spec.Parallel }

// String is the proxy's target name, as "nginx".
func (p *Process) String() string { return p.spec.Name }

// detectVersion runs the spec's version command and picks out the version.
func detectVersion(s *Spec) string {
	bin, err := binaryPath(s.Binary)
	if err != nil || s.VersionRE == nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), versionTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, s.VersionArgs...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	out, _ := cmd.CombinedOutput() // some print their version and exit non-zero
	m := s.VersionRE.FindSubmatch(out)
	if m == nil {
		return ""
	}
	return s.Name + "/" + string(m[1])
}

// HTTP2Clients are the HTTP/2 clients the proxy's config has listeners for
// (harness.HTTP2Declared), known before it starts.
func (p *Process) HTTP2Clients() []scenarios.Client { return slices.Clone(p.spec.HTTP2) }
