package targets

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/internal/certs"
)

// proc is one started proxy: the leader of its own process group, which its
// guard shares (see guardScript).
type proc struct {
	cmd  *exec.Cmd
	pgid int
	// guard is the guard's process, and guardPipe the write end of its pipe:
	// closing it, or gatecheck's death, makes the guard SIGKILL the group.
	guard     *exec.Cmd
	guardPipe *os.File
	in        *Instance
	out       *lockedBuffer
	exited    chan struct{} // closed once the leader is reaped
	err       error         // cmd.Wait's error, set before exited closes
	// serving is set once the proxy is ready and cleared before Stop signals
	// the group: an exit in between is unexpected, and noted in its output.
	serving atomic.Bool
}

// addrInUseError is a start that failed because a port was taken; Start tries
// again with fresh ports.
type addrInUseError struct{ err error }

func (e *addrInUseError) Error() string { return e.err.Error() }
func (e *addrInUseError) Unwrap() error { return e.err }

// addrInUse matches the strerror(EADDRINUSE) every proxy prints when it cannot
// bind.
var addrInUse = regexp.MustCompile(`(?i)address already in use`)

// launch makes a work dir, renders the config into it, starts the proxy and
// waits until it listens. On failure it leaves nothing behind but the log tails.
func (p *Process) launch(ctx context.Context, bin string, up fakeupstream.Endpoints) (*proc, error) {
	ports, err := p.ports(p.spec.portCount())
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "gatecheck-"+p.spec.Name+"-")
	if err != nil {
		return nil, fmt.Errorf("make work dir: %w", err)
	}
	out := &lockedBuffer{}
	p.logMu.Lock()
	p.out, p.dir, p.saved = out, dir, ""
	p.logMu.Unlock()
	in, err := newInstance(p.spec, dir, ports, up, p.declared)
	if err != nil {
		_ = p.cleanup(&Instance{Dir: dir})
		return nil, err
	}
	fail := func(err error) (*proc, error) {
		_ = p.cleanup(in)
		return nil, err
	}
	if err := p.prepare(in); err != nil {
		return fail(err)
	}
	cmd := p.command(bin, in)
	cmd.Stdout, cmd.Stderr = out, out
	gateR, gateW, err := os.Pipe()
	if err != nil {
		return fail(fmt.Errorf("gate pipe: %w", err))
	}
	cmd.ExtraFiles = []*os.File{gateR} // fd 3 of the gate's shell
	err = cmd.Start()
	gateR.Close()
	if err != nil {
		gateW.Close()
		return fail(fmt.Errorf("run %s: %w", bin, err))
	}
	pr := &proc{cmd: cmd, pgid: cmd.Process.Pid, in: in, out: out, exited: make(chan struct{})}
	go func() {
		pr.err = cmd.Wait()
		if pr.serving.Load() {
			fmt.Fprintf(out, "gatecheck: %s exited %s\n", p.spec.Name, exitText(cmd.ProcessState, pr.err))
		}
		close(pr.exited)
	}()
	// The gate holds the proxy back until its guard stands in the group.
	pr.guard, pr.guardPipe, err = startGuard(pr.pgid, p.spec.Name)
	if err == nil {
		_, err = gateW.WriteString("go\n")
	}
	gateW.Close()
	if err != nil {
		_ = pr.stop(context.Background(), 0)
		return fail(fmt.Errorf("start the guard: %w", err))
	}
	// For sweepWorkDirs, should gatecheck die: the dir is left behind.
	_ = writeMarker(in, pr.pgid)
	if err := p.awaitReady(ctx, pr); err != nil {
		_ = pr.stop(context.Background(), 0)
		if addrInUse.MatchString(err.Error()) {
			err = &addrInUseError{err}
		}
		return fail(err)
	}
	pr.serving.Store(true)
	return pr, nil
}

// prepare writes the rendered config files, makes the spec's dirs and, for a
// TLS listener, writes a fresh authority and server certificate into the tls
// dir. The work dir is readable by all (0755), so that workers which drop
// root's privileges can read their config; the tls dir and the private keys
// are given to the spec's User, the proxy's own user when started as root.
func (p *Process) prepare(in *Instance) error {
	if err := os.Chmod(in.Dir, 0o755); err != nil {
		return fmt.Errorf("work dir: %w", err)
	}
	dirs := p.spec.Dirs
	if in.TLS != nil {
		dirs = append(slices.Clip(dirs), tlsDir)
	}
	for _, d := range dirs {
		if err := os.MkdirAll(in.Path(d), 0o755); err != nil {
			return fmt.Errorf("make dir: %w", err)
		}
	}
	if in.TLS != nil {
		set, err := certs.New(in.Path(tlsDir))
		if err != nil {
			return err
		}
		in.Certs = set
	}
	files, err := p.spec.render(in)
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := os.WriteFile(in.Path(f.name), f.data, 0o644); err != nil {
			return fmt.Errorf("write config: %w", err)
		}
	}
	if in.User == "" {
		return nil
	}
	u, err := user.Lookup(in.User)
	if err != nil {
		return fmt.Errorf("the proxy's user: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	owned := append([]string{"."}, dirs...)
	if in.TLS != nil {
		// The keys are its owner's only (0600): the proxy may read them
		// after it dropped root's privileges.
		for _, f := range []string{certs.CAFile, certs.CertFile, certs.KeyFile, certs.BundleFile} {
			owned = append(owned, filepath.Join(tlsDir, f))
		}
	}
	for _, d := range owned {
		if err := os.Chown(in.Path(d), uid, gid); err != nil {
			return fmt.Errorf("give the work dir to %s: %w", in.User, err)
		}
	}
	return nil
}

// command is the proxy's command line, under prlimit for an explicit open-files
// limit when util-linux's prlimit is there, with a minimal environment, in its
// own process group, behind the gate that waits for its guard (see
// gateScript).
func (p *Process) command(bin string, in *Instance) *exec.Cmd {
	name, args := bin, p.spec.Args(in)
	if prlimit, err := exec.LookPath("prlimit"); err == nil {
		name, args = prlimit, append([]string{"--nofile=" + nofile + ":" + nofile, "--", bin}, args...)
	}
	name, args = gated(name, args)
	cmd := exec.Command(name, args...)
	cmd.Dir = in.Dir
	cmd.Env = []string{
		"PATH=" + strings.Join(append(filepath.SplitList(os.Getenv("PATH")), sbinDirs...), string(filepath.ListSeparator)),
		"HOME=" + in.Dir,
		"TMPDIR=" + in.Dir,
	}
	if p.spec.Env != nil {
		cmd.Env = append(cmd.Env, p.spec.Env(in)...)
	}
	cmd.SysProcAttr = groupAttr()
	cmd.WaitDelay = time.Second // a forked child holding stdout must not stall Wait
	return cmd
}

// awaitReady polls until the proxy's group holds a socket that accepts
// connections on each of its listen ports (HTTP/1.1, h2c, TLS), with a short
// backoff, for at most readyTimeout.
// A proxy that exits first is an error carrying the last lines it wrote.
func (p *Process) awaitReady(ctx context.Context, pr *proc) error {
	deadline := time.NewTimer(readyTimeout)
	defer deadline.Stop()
	backoff := 5 * time.Millisecond
	var why string
	for {
		select {
		case <-pr.exited:
			return fmt.Errorf("exited %s%s", exitText(pr.cmd.ProcessState, pr.err), p.lastLines(pr))
		default:
		}
		ok, err := pr.listening()
		if ok {
			return nil
		}
		why = err.Error()
		select {
		case <-pr.exited:
		case <-ctx.Done():
			return fmt.Errorf("wait for %s: %w", pr.in.Listen, ctx.Err())
		case <-deadline.C:
			return fmt.Errorf("not ready after %v: %s%s", readyTimeout, why, p.lastLines(pr))
		case <-time.After(backoff):
			backoff = min(2*backoff, 200*time.Millisecond)
		}
	}
}

// listening reports whether every listen port accepts a connection and belongs
// to the proxy's process group (where /proc tells).
func (pr *proc) listening() (bool, error) {
	for _, l := range pr.in.listeners() {
		addr := l.String()
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return false, fmt.Errorf("%s does not accept connections", addr)
		}
		c.Close()
		owned, err := listenerOwned(l.Port, pr.pgid)
		if !owned && !errors.Is(err, errNoProc) {
			return false, fmt.Errorf("%s accepts connections, but not on a socket of the proxy", addr)
		}
	}
	return true, nil
}

// stop ends the group: SIGTERM (which the guard ignores), up to grace for
// every process but the guard to go (less when ctx ends first), then SIGKILL
// to the group, guard included, the group waited out, and the guard reaped.
// The guard, a member until it is reaped, keeps the group's id from being
// reused, so the SIGKILL cannot reach another group; closing its pipe covers
// a guard that missed the SIGKILL.
func (pr *proc) stop(ctx context.Context, grace time.Duration) error {
	pr.serving.Store(false)
	if grace > 0 && ctx.Err() == nil {
		_ = signalGroup(pr.pgid, syscall.SIGTERM)
		pr.await(ctx, grace, pr.guardPid())
	}
	err := signalGroup(pr.pgid, syscall.SIGKILL)
	if pr.guardPipe != nil {
		pr.guardPipe.Close()
	}
	gone := err == nil && pr.await(context.Background(), reapTimeout, 0)
	if pr.guard != nil {
		_ = pr.guard.Wait() // it is gone: SIGKILLed, or at the pipe's end
	}
	if err != nil {
		return fmt.Errorf("kill process group %d: %w", pr.pgid, err)
	}
	if !gone {
		return fmt.Errorf("process group %d: still running %v after SIGKILL", pr.pgid, reapTimeout)
	}
	return nil
}

// guardPid is the guard's pid, or 0 before it started.
func (pr *proc) guardPid() int {
	if pr.guard == nil {
		return 0
	}
	return pr.guard.Process.Pid
}

// await waits until the leader is reaped and no process of the group is still
// running but except (0: none), for at most d or until ctx ends, and reports
// whether they are gone. Orphaned members are reaped by init, which only the
// kernel's tables show: they are polled.
func (pr *proc) await(ctx context.Context, d time.Duration, except int) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-pr.exited:
	case <-timer.C:
		return false
	case <-ctx.Done():
		return false
	}
	for !groupDone(pr.pgid, except) {
		select {
		case <-timer.C:
			return false
		case <-ctx.Done():
			return false
		case <-time.After(10 * time.Millisecond):
		}
	}
	return true
}

// exitText says how a process ended: "with status 1" or "on signal killed".
func exitText(ps *os.ProcessState, waitErr error) string {
	if ps == nil {
		return fmt.Sprintf("(%v)", waitErr)
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return "on signal " + ws.Signal().String()
	}
	return fmt.Sprintf("with status %d", ps.ExitCode())
}
