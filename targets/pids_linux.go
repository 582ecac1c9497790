package targets

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
)

// procEntry is one process as /proc/PID/stat shows it.
type procEntry struct {
	pid, ppid, pgrp int
	// state is the one-letter state: 'Z' for a zombie, which has exited and
	// holds nothing but its pid until its parent reaps it.
	state byte
	// start is when the process started, in clock ticks after boot: with the
	// pid, it names one process, whatever later reuses the pid.
	start uint64
}

// live reports whether the process has not exited.
func (e procEntry) live() bool { return e.state != 'Z' && e.state != 'X' }

// procTable reads every process of /proc. Processes that end while it reads
// are left out.
func procTable() ([]procEntry, error) {
	dir, err := os.Open("/proc")
	if err != nil {
		return nil, err
	}
	defer dir.Close()
	names, err := dir.Readdirnames(-1)
	if err != nil {
		return nil, fmt.Errorf("read /proc: %w", err)
	}
	out := make([]procEntry, 0, len(names))
	for _, name := range names {
		pid, err := strconv.Atoi(name)
		if err != nil || pid <= 0 {
			continue
		}
		e, err := readStat(pid)
		if err != nil {
			continue // gone since the listing
		}
		out = append(out, e)
	}
	return out, nil
}

// readStat reads a process's state, parent, process group and start time from
// /proc/PID/stat: after the command name in parentheses (which may itself hold
// spaces and parentheses, hence the last ')'), the fields are state, ppid,
// pgrp, and 19 fields on the start time (field 22 of proc(5)).
func readStat(pid int) (procEntry, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procEntry{}, err
	}
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return procEntry{}, errors.New("malformed stat")
	}
	f := bytes.Fields(data[i+1:])
	if len(f) < 20 || len(f[0]) != 1 {
		return procEntry{}, errors.New("malformed stat")
	}
	ppid, err1 := strconv.Atoi(string(f[1]))
	pgrp, err2 := strconv.Atoi(string(f[2]))
	start, err3 := strconv.ParseUint(string(f[19]), 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return procEntry{}, errors.New("malformed stat")
	}
	return procEntry{pid: pid, ppid: ppid, pgrp: pgrp, state: f[0][0], start: start}, nil
}

// GroupPids lists the processes whose process group is pgid, from /proc.
func GroupPids(pgid int) ([]int, error) {
	if pgid <= 1 {
		return nil, errors.New("no process group")
	}
	table, err := procTable()
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, e := range table {
		if e.pgrp == pgid {
			pids = append(pids, e.pid)
		}
	}
	if len(pids) == 0 {
		return nil, fmt.Errorf("process group %d: %w", pgid, errNotRunning)
	}
	return pids, nil
}

// Descendants lists root and every process descended from it, from /proc's
// parent links.
func Descendants(root int) ([]int, error) {
	table, err := procTable()
	if err != nil {
		return nil, err
	}
	children := map[int][]int{}
	found := false
	for _, e := range table {
		children[e.ppid] = append(children[e.ppid], e.pid)
		found = found || e.pid == root
	}
	if !found {
		return nil, fmt.Errorf("process %d: %w", root, errNotRunning)
	}
	pids := []int{root}
	for i := 0; i < len(pids); i++ { // breadth first; pids grows as it goes
		pids = append(pids, children[pids[i]]...)
	}
	return pids, nil
}

// liveStart is the start time of process pid, and whether it is running (a
// zombie has ended).
func liveStart(pid int) (uint64, bool) {
	e, err := readStat(pid)
	if err != nil || !e.live() {
		return 0, false
	}
	return e.start, true
}
