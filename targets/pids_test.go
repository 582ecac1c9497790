package targets

import (
	"context"
	"os/exec"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/scenarios"
)

// startGroup starts sh with two sleeping children as the leader of a process
// group of its own, and kills the group when the test ends.
func startGroup(t *testing.T) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sh", "-c", "sleep 30 & sleep 30 & wait")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Skipf("no sh: %v", err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	return cmd
}

// awaitPids calls list until it returns n pids, for at most 5s, and returns them.
func awaitPids(t *testing.T, n int, list func() ([]int, error)) []int {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		pids, err := list()
		if err == nil && len(pids) == n {
			slices.Sort(pids)
			return pids
		}
		if time.Now().After(deadline) {
			t.Fatalf("got pids %v (err %v); want %d of them", pids, err, n)
		}
		time.Sleep(10 * time.Millisecond) // polling /proc for a fork that is not ours to wait on
	}
}

func TestGroupPidsAndDescendants(t *testing.T) {
	cmd := startGroup(t)
	leader := cmd.Process.Pid
	group := awaitPids(t, 3, func() ([]int, error) { return GroupPids(leader) })
	if !slices.Contains(group, leader) {
		t.Errorf("GroupPids(%d) = %v; want the leader among them", leader, group)
	}
	tree := awaitPids(t, 3, func() ([]int, error) { return Descendants(leader) })
	if !slices.Equal(tree, group) {
		t.Errorf("Descendants(%d) = %v; want the group %v", leader, tree, group)
	}
	self, err := GroupPids(syscall.Getpgrp())
	if err != nil || slices.Contains(self, leader) {
		t.Errorf("GroupPids(own group) = %v, %v; want the test's group, without the child group's leader", self, err)
	}
}

func TestPidsOfStoppedTargets(t *testing.T) {
	if _, err := GroupPids(1 << 30); err == nil {
		t.Errorf("GroupPids(no such group): got no error")
	}
	if _, err := Descendants(1 << 30); err == nil {
		t.Errorf("Descendants(no such process): got no error")
	}
	p, err := NewProcess("nginx", scenarios.DefaultTimeouts())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Pids(); err == nil {
		t.Errorf("Pids of a process target never started: got no error")
	}
}

func TestProcessPids(t *testing.T) {
	requireInstalled(t, "nginx")
	if testing.Short() {
		t.Skip("starts nginx")
	}
	up, err := fakeupstream.Start(fakeupstream.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	p, err := NewProcess("nginx", scenarios.DefaultTimeouts())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := p.Start(ctx, up.Endpoints()); err != nil {
		t.Fatal(err)
	}
	pgid, _ := running(t, p)
	pids, err := p.Pids()
	if err != nil || !slices.Contains(pids, pgid) || len(pids) < 2 {
		t.Errorf("Pids() = %v, %v; want the master %d and its workers", pids, err, pgid)
	}
	if err := p.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if pids, err := p.Pids(); err == nil {
		t.Errorf("Pids() after Stop = %v; want an error", pids)
	}
}
