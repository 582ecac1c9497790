package bench

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
)

// readSample sums the figures of the processes pids from /proc: resident
// memory (VmRSS, so pages shared between a master and its workers count once
// per process), threads, and open file descriptors. A process that ended
// since it was listed, or whose figures cannot be read, is left out.
func readSample(pids []int) Sample {
	var s Sample
	for _, pid := range pids {
		dir := "/proc/" + strconv.Itoa(pid)
		rss, threads, ok := readStatus(dir + "/status")
		if !ok {
			continue
		}
		s.Procs++
		s.RSSBytes += rss
		s.Threads += threads
		s.FDs += countEntries(dir + "/fd")
	}
	return s
}

// readStatus reads VmRSS (in bytes) and Threads from a /proc/PID/status file.
// A kernel thread has no VmRSS: zero.
func readStatus(path string) (rss int64, threads int, ok bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, false
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Bytes()
		name, value, found := bytes.Cut(line, []byte(":"))
		if !found {
			continue
		}
		fields := bytes.Fields(value)
		if len(fields) == 0 {
			continue
		}
		switch string(name) {
		case "VmRSS":
			kb, _ := strconv.ParseInt(string(fields[0]), 10, 64)
			rss = kb << 10
		case "Threads":
			threads, _ = strconv.Atoi(string(fields[0]))
		}
	}
	return rss, threads, true
}

// countEntries counts the entries of a directory (0 when it cannot be read).
func countEntries(path string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	names, _ := f.Readdirnames(-1)
	return len(names)
}
