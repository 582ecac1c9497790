package targets

import (
	"context"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"
)

func TestOwnerLabelsName(t *testing.T) {
	labels := OwnerLabels()
	if got, want := labels[LabelOwnerPID], strconv.Itoa(os.Getpid()); got != want {
		t.Errorf("%s = %q; want %q", LabelOwnerPID, got, want)
	}
	o, ok := ownerOf(labels)
	if !ok || o != thisOwner() {
		t.Errorf("ownerOf(OwnerLabels()) = %+v, %v; want %+v", o, ok, thisOwner())
	}
	for _, tt := range []struct {
		name   string
		change map[string]string
	}{
		{"not gatecheck's", map[string]string{LabelManaged: ""}},
		{"no pid", map[string]string{LabelOwnerPID: ""}},
		{"bad pid", map[string]string{LabelOwnerPID: "-3"}},
	} {
		l := maps.Clone(labels)
		maps.Copy(l, tt.change)
		if _, ok := ownerOf(l); ok {
			t.Errorf("%s: ownerOf(%v) gave an owner; want none", tt.name, l)
		}
	}
}

func TestOwnerGone(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("owners are judged from Linux's /proc")
	}
	here := thisOwner()
	if here.boot == "" || here.start == 0 {
		t.Fatalf("thisOwner() = %+v; want the boot and start time known", here)
	}
	if here.machine == "" { // no /etc/machine-id here
		here.machine = "this machine"
	}
	child := exec.Command("true")
	if err := child.Run(); err != nil {
		t.Skipf("no true: %v", err)
	}
	dead := here
	dead.pid = child.Process.Pid // reaped: runs no longer (or, reused, started later)
	reused := here
	reused.start++
	otherBoot := here
	otherBoot.boot = "another boot"
	otherMachine := otherBoot
	otherMachine.machine = "another machine"
	otherNS := dead
	otherNS.pidNS = "pid:[1]"
	unknown := dead
	unknown.boot = ""
	for _, tt := range []struct {
		name  string
		o     owner
		inUse bool
		want  bool
	}{
		{"this process", here, true, false},
		{"a finished child", dead, true, true},
		{"this pid, another start", reused, true, true},
		{"another boot of this machine, not in use", otherBoot, false, true},
		{"another boot of this machine, in use", otherBoot, true, false},
		{"another machine, not in use", otherMachine, false, false},
		{"another pid namespace", otherNS, false, false},
		{"boot unknown", unknown, false, false},
	} {
		if got := tt.o.gone(here, func() bool { return tt.inUse }); got != tt.want {
			t.Errorf("%s: gone = %v; want %v", tt.name, got, tt.want)
		}
	}
}

// TestSweepDockerBounded points Docker at a socket that accepts and never
// answers: SweepDocker must give up within its 2s bound (plus slack), and say
// nothing is wrong.
func TestSweepDockerBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out the sweep's 2s bound")
	}
	sock := filepath.Join(t.TempDir(), "docker.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Skipf("no unix socket: %v", err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, never answered
		}
	}()
	t.Setenv("DOCKER_HOST", "unix://"+sock)
	start := time.Now()
	swept, err := SweepDocker(context.Background())
	if took := time.Since(start); took > sweepListTimeout+time.Second {
		t.Errorf("SweepDocker took %v with a Docker that never answers; want at most %v", took, sweepListTimeout+time.Second)
	}
	if len(swept) > 0 || err != nil {
		t.Errorf("SweepDocker() = %v, %v; want nothing and no error", swept, err)
	}
}
