//go:build !linux

package targets

import (
	"errors"
	"syscall"
)

// errNotLinux is why process targets do not start here: they rely on Linux's
// process groups and parent-death signal to leave nothing running.
var errNotLinux = errors.New("process targets need Linux")

func groupAttr() *syscall.SysProcAttr { return nil }

func signalGroup(int, syscall.Signal) error { return errNotLinux }

func groupGone(int) bool { return true }

func groupSupport() error { return errNotLinux }
