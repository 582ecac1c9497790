package targets

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

// guardShell runs the guard and the gate; every Linux has it.
const guardShell = "/bin/sh"

// gateScript starts a proxy once its guard stands (see guardScript). The shell
// runs as the leader of the proxy's own process group, with fd 3 the read end
// of a pipe only gatecheck writes to: it waits for a line there, which
// gatecheck writes once the guard has joined the group, then closes fd 3 and
// execs the proxy (through prlimit, which execs it in turn), so the proxy keeps
// the shell's pid and leads the group. Should gatecheck die before the guard
// stands, the read ends at end of file and the shell exits: no proxy ever runs
// unguarded.
const gateScript = `read -r _ <&3 || exit 125
exec 3<&-
exec "$@"`

// guardScript is the guard: a shell that gatecheck starts as its own child, in
// the proxy's process group, with fd 3 the read end of a pipe whose only write
// end gatecheck holds (close-on-exec, so no other process inherits it). It
// ignores the signals a terminal, timeout(1) or Stop's SIGTERM send and blocks
// reading fd 3. gatecheck never writes there: the read returns only at end of
// file, which the kernel delivers when the write end closes — on Stop, and
// when gatecheck exits or is killed by any signal, SIGKILL included. The guard
// then sends SIGKILL to its own process group (kill 0): the proxy, every
// worker it forked (nginx's workers outlive a killed master) and itself.
// Because the guard is a member of the group — and, until gatecheck reaps it,
// stays one even as a zombie — no other group can take over the group's id
// while it is there: neither its SIGKILL nor Stop's can reach a stranger.
const guardScript = `trap '' HUP INT QUIT TERM
read -r _ <&3
kill -s KILL 0`

// guardName is the guard's $0, which ps shows in its command line, followed
// by the proxy's name.
const guardName = "gatecheck-guard"

// gated is the command line that runs name with args once the gate opens.
func gated(name string, args []string) (string, []string) {
	return guardShell, append([]string{"-c", gateScript, "gatecheck-gate", name}, args...)
}

// startGuard starts the guard of the process group pgid, for the proxy named
// proxy, and returns it with the write end of its pipe.
func startGuard(pgid int, proxy string) (*exec.Cmd, *os.File, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	cmd := exec.Command(guardShell, "-c", guardScript, guardName, proxy)
	cmd.ExtraFiles = []*os.File{r} // fd 3
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pgid: pgid}
	if err := cmd.Start(); err != nil {
		w.Close()
		return nil, nil, err
	}
	return cmd, w, nil
}

// groupAttr starts the gate's shell, and so the proxy, as the leader of a
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

// groupDone reports whether no process of the group pgid is still running
// but except (0: none). When /proc cannot be read, only an empty group is
// done.
func groupDone(pgid, except int) bool {
	live, err := groupLive(pgid)
	if err != nil {
		return errors.Is(syscall.Kill(-pgid, 0), syscall.ESRCH)
	}
	for _, e := range live {
		if e.pid != except {
			return false
		}
	}
	return true
}

// groupGone reports whether no process of the group pgid is still running.
func groupGone(pgid int) bool { return groupDone(pgid, 0) }

// proxyPids lists the running processes of the group pgid but its guard: the
// proxy's own.
func proxyPids(pgid, guard int) ([]int, error) {
	live, err := groupLive(pgid)
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, e := range live {
		if e.pid != guard {
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
