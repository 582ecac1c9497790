package targets

import (
	"errors"
	"syscall"
)

// groupAttr starts a proxy as the leader of its own process group, so that one
// signal reaches it and every process it forks (and a Ctrl-C in gatecheck's
// terminal reaches only gatecheck), and has the kernel kill it should gatecheck
// die without stopping it.
func groupAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
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

// groupGone reports whether no process of the group pgid remains: kill(-pgid, 0)
// fails with ESRCH.
func groupGone(pgid int) bool {
	return errors.Is(syscall.Kill(-pgid, 0), syscall.ESRCH)
}

// groupSupport says whether process targets can run here: on Linux they can.
func groupSupport() error { return nil }
