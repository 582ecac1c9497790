package targets

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/scenarios"
)

// ownerEnv makes TestOwnerHelper, in a child test binary, start the process
// target it names and wait to be killed.
const ownerEnv = "GATECHECK_TEST_OWNER"

// TestOwnerHelper is the owner that TestKilledOwnerLeavesNothing kills: it
// starts a process target ("fake-family": the test binary as a proxy whose
// child ignores SIGTERM), prints "owner: PGID GUARD ADDR DIR" and waits.
func TestOwnerHelper(t *testing.T) {
	kind := os.Getenv(ownerEnv)
	if kind == "" {
		t.Skip("the owner process of TestKilledOwnerLeavesNothing, run by it")
	}
	up, err := fakeupstream.Start(fakeupstream.Config{})
	if err != nil {
		t.Fatal(err)
	}
	p := newProcess(fakeSpec(t, "family"), scenarios.DefaultTimeouts())
	if kind != "fake-family" {
		if p, err = NewProcess(kind, scenarios.DefaultTimeouts()); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	addr, err := p.Start(ctx, up.Endpoints())
	if err != nil {
		t.Fatal(err)
	}
	pgid, dir := running(t, p)
	p.mu.Lock()
	guard := p.cur.guardPid()
	p.mu.Unlock()
	fmt.Printf("owner: %d %d %s %s\n", pgid, guard, addr, dir)
	<-ctx.Done() // the parent kills this process long before
	t.Error("not killed within a minute")
}

// TestKilledOwnerLeavesNothing starts a process target in a child process
// (TestOwnerHelper), kills that owner the ways a run ends unplanned — SIGKILL,
// SIGTERM (which a Go binary does not catch unless told: it dies without
// running a deferred Stop), and SIGTERM to the owner's whole process group as
// timeout(1) sends it — and wants every process of the proxy's group, nginx's
// workers included, gone within a bounded wait, and its port free. The work
// dir outlives the owner; the next Start's sweep (sweepWorkDirs) must remove
// it. With the guard killed first, the proxy outlives the owner, and the sweep
// must end its group too: the second line of defence.
func TestKilledOwnerLeavesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts proxies in a child process")
	}
	tests := []struct {
		kind        string
		sig         syscall.Signal
		group       bool // signal the owner's process group, as timeout(1) does
		guardKilled bool // SIGKILL the guard before the owner
	}{
		{"fake-family", syscall.SIGKILL, false, false},
		{"nginx", syscall.SIGKILL, false, false},
		{"nginx", syscall.SIGTERM, false, false},
		{"nginx", syscall.SIGTERM, true, false},
		{"nginx", syscall.SIGKILL, false, true},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("%s/%v", tt.kind, tt.sig)
		if tt.group {
			name += " to the group"
		}
		if tt.guardKilled {
			name += " after the guard's"
		}
		t.Run(name, func(t *testing.T) {
			if tt.kind != "fake-family" {
				requireInstalled(t, tt.kind)
			}
			owner, s := startOwner(t, tt.kind)
			pgid, addr, dir := s.pgid, s.addr, s.dir
			members, err := groupLive(pgid)
			if err != nil {
				t.Fatal(err)
			}
			var guards, proxies []procEntry
			for _, e := range members {
				if e.pid == s.guard && e.ppid == owner.Process.Pid {
					guards = append(guards, e)
				} else {
					proxies = append(proxies, e)
				}
			}
			if len(guards) != 1 || len(proxies) < 2 {
				t.Fatalf("before the kill: group %d has %d guards (the owner's child %d) and %d proxy processes; want the guard and the proxy with its child or workers", pgid, len(guards), s.guard, len(proxies))
			}
			if tt.guardKilled {
				if err := syscall.Kill(guards[0].pid, syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				if left := awaitDead(guards, 10*time.Second); len(left) > 0 {
					t.Fatalf("the guard %v survived SIGKILL", left)
				}
			}
			target := owner.Process.Pid
			if tt.group {
				target = -target
			}
			if err := syscall.Kill(target, tt.sig); err != nil {
				t.Fatal(err)
			}
			_ = owner.Wait()
			if _, err := os.Stat(dir); err != nil {
				t.Errorf("after the owner's %v: work dir %s: %v; want it left behind, for the sweep", tt.sig, dir, err)
			}
			if !tt.guardKilled { // the guard alone, before any sweep
				if left := awaitDead(members, 10*time.Second); len(left) > 0 {
					t.Errorf("10s after the owner's %v: still running %v of group %d", tt.sig, left, pgid)
				}
			} else if left := awaitDead(proxies, 0); len(left) == 0 {
				t.Fatalf("with its guard killed, the proxy still died with its owner: the test proves nothing")
			}
			// Another process's Start may sweep it first: gone is what counts.
			if swept := sweepWorkDirs(); !slices.Contains(swept, dir) {
				if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("sweepWorkDirs() = %v; want it to remove %s (stat: %v)", swept, dir, err)
				}
			}
			if left := awaitDead(members, 10*time.Second); tt.guardKilled && len(left) > 0 {
				t.Errorf("10s after the sweep: still running %v of group %d", left, pgid)
			}
			if ln, err := net.Listen("tcp", addr); err != nil {
				t.Errorf("after the owner's %v: the proxy's port: %v; want it free", tt.sig, err)
			} else {
				ln.Close()
			}
		})
	}
}

// started is what TestOwnerHelper prints of its process target.
type started struct {
	pgid, guard int
	addr, dir   string
	err         error
}

// startOwner runs TestOwnerHelper for kind in a child test binary, in a
// process group of its own, and returns it once it printed the proxy's process
// group, guard, address and work dir. A proxy or work dir left behind is
// removed when the test ends.
func startOwner(t *testing.T, kind string) (*exec.Cmd, started) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestOwnerHelper$", "-test.timeout=2m")
	cmd.Env = append(os.Environ(), ownerEnv+"="+kind)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ch := make(chan started, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var s started
			if _, err := fmt.Sscanf(sc.Text(), "owner: %d %d %s %s", &s.pgid, &s.guard, &s.addr, &s.dir); err == nil {
				ch <- s
				return
			}
		}
		ch <- started{err: fmt.Errorf("owner ended before starting %s (%v)", kind, sc.Err())}
	}()
	var s started
	select {
	case s = <-ch:
	case <-time.After(time.Minute):
		s.err = fmt.Errorf("owner did not start %s within a minute", kind)
	}
	if s.err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatal(s.err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = syscall.Kill(-s.pgid, syscall.SIGKILL)
		_ = os.RemoveAll(s.dir)
	})
	return cmd, s
}

// awaitDead polls /proc until none of the processes runs (a pid reused by
// another process counts as ended), for at most d, and returns those that still
// run.
func awaitDead(procs []procEntry, d time.Duration) []string {
	deadline := time.Now().Add(d)
	for {
		var left []string
		for _, p := range procs {
			if e, err := readStat(p.pid); err == nil && e.start == p.start && e.live() {
				left = append(left, fmt.Sprintf("%d (%s)", p.pid, comm(p.pid)))
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(10 * time.Millisecond) // polling processes that are not ours to wait on
	}
}

// comm is a process's command name, for messages.
func comm(pid int) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	return strings.TrimSpace(string(b))
}
