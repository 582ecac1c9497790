//go:build !linux

package targets

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

// errNotLinux is why process targets do not start here: they rely on Linux's
// process groups and /proc to leave nothing running.
var errNotLinux = errors.New("process targets need Linux")

func gated(name string, args []string) (string, []string) { return name, args }

func startGuard(int, string) (*exec.Cmd, *os.File, error) { return nil, nil, errNotLinux }

func groupAttr() *syscall.SysProcAttr { return nil }

func signalGroup(int, syscall.Signal) error { return errNotLinux }

func groupGone(int) bool { return true }

func groupDone(int, int) bool { return true }

func proxyPids(int, int) ([]int, error) { return nil, errNotLinux }

func groupSupport() error { return errNotLinux }

func writeMarker(*Instance, int) error { return errNotLinux }

func sweepWorkDirs() []string { return nil }
