package targets

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"
)

// guardShell runs the guard; every Linux has it.
const guardShell = "/bin/sh"

// guardScript starts a proxy under a guard that ends the proxy's whole process
// group when gatecheck dies, however it dies. The shell runs as the leader of
// the proxy's own process group, with fd 3 the read end of a pipe whose only
// write end gatecheck holds (close-on-exec, so no other process has it). It
// forks the guard, a subshell that stays in the group, ignores the signals a
// terminal, timeout(1) or Stop's SIGTERM send, and blocks reading fd 3; then
// it closes fd 3 and execs the proxy (via prlimit, which execs it in turn), so
// the proxy keeps the shell's pid and leads the group. gatecheck never writes
// to the pipe: the read returns only at end of file, which the kernel delivers
// when the last write end closes — on Stop, and when gatecheck exits or is
// killed by any signal, SIGKILL included. The guard then sends SIGKILL to its
// own process group (kill 0): the proxy, every worker it forked (nginx's
// workers outlive a killed master) and itself. Because the guard is a member
// of the group, the group id cannot have been reused by another group while
// the guard lives, and the guard is armed before the proxy's binary runs:
// there is no moment at which the proxy runs unguarded.
const guardScript = `(trap '' HUP INT QUIT TERM; read -r _ <&3; kill -s KILL 0) >/dev/null 2>&1 </dev/null &
exec 3<&-
exec "$@"`

// guardName is the guard shell's $0, which ps shows in its command line.
const guardName = "gatecheck-guard"

// guarded is the command line that runs name with args under the guard.
func guarded(name string, args []string) (string, []string) {
	return guardShell, append([]string{"-c", guardScript, guardName, name}, args...)
}

// guardCmdline is how the guard's /proc/PID/cmdline starts: the guard is a
// fork of the shell, which never rewrites its arguments.
var guardCmdline = []byte(guardShell + "\x00-c\x00" + guardScript + "\x00" + guardName + "\x00")

// isGuard reports whether pid is a guard that guarded started.
func isGuard(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	return err == nil && bytes.HasPrefix(b, guardCmdline)
}

// groupAttr starts the guard's shell, and so the proxy, as the leader of a
// process group of its own, so that one signal reaches it and every process it
// forks, and a Ctrl-C in gatecheck's terminal reaches only gatecheck. It sets
// no parent-death signal: the guard ends the group when gatecheck dies, and a
// parent-death signal would fire when the OS thread that started the proxy
// exits, which Go lets happen while gatecheck runs (a goroutine that ends
// locked to its thread takes the thread with it), and would kill the leader
// alone, orphaning its workers.
func groupAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

// signalGroup sends sig to every process of the group pgid. A group with no
// process left is not an error.
func signalGroup(pgid int, sig syscall.Signal) error {
	if pgid <= 1 {
		return errors.New("no process group")
	}
	if err := syscall.Kill(-pgid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return err
	}
	return nil
}

// groupLive lists the processes of the group pgid that have not exited, the
// guard among them; zombies are left out (an orphan's is reaped by init, which
// may take its time).
func groupLive(pgid int) ([]procEntry, error) {
	if errors.Is(syscall.Kill(-pgid, 0), syscall.ESRCH) {
		return nil, nil
	}
	table, err := procTable()
	if err != nil {
		return nil, err
	}
	var live []procEntry
	for _, e := range table {
		if e.pgrp == pgid && e.live() {
			live = append(live, e)
		}
	}
	return live, nil
}

// groupDone reports whether no process of the group pgid is still running,
// but for the guard when exceptGuard is set. When /proc cannot be read, only
// an empty group is done.
func groupDone(pgid int, exceptGuard bool) bool {
	live, err := groupLive(pgid)
	if err != nil {
		return errors.Is(syscall.Kill(-pgid, 0), syscall.ESRCH)
	}
	for _, e := range live {
		if !exceptGuard || !isGuard(e.pid) {
			return false
		}
	}
	return true
}

// groupGone reports whether no process of the group pgid is still running.
func groupGone(pgid int) bool { return groupDone(pgid, false) }

// proxyPids lists the running processes of the group pgid but the guard: the
// proxy's own.
func proxyPids(pgid int) ([]int, error) {
	live, err := groupLive(pgid)
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, e := range live {
		if !isGuard(e.pid) {
			pids = append(pids, e.pid)
		}
	}
	if len(pids) == 0 {
		return nil, fmt.Errorf("process group %d: %w", pgid, errNotRunning)
	}
	return pids, nil
}

// groupSupport says whether process targets can run here: on Linux they can.
func groupSupport() error { return nil }
