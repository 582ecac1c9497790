package targets

import (
	"bufio"
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// workDirMarker is the file in a run's work dir that names the run's owner
// (OwnerLabels), target, port and process group, for sweepWorkDirs.
const workDirMarker = ".gatecheck-owner"

// Keys of the marker beyond the owner labels.
const (
	markerTarget      = "target"
	markerPort        = "port"
	markerPgid        = "pgid"
	markerLeaderStart = "leader-start"
)

// writeMarker writes the work dir's marker for a run whose proxy leads the
// process group pgid.
func writeMarker(in *Instance, pgid int) error {
	m := OwnerLabels()
	m[markerTarget] = in.Name
	m[markerPort] = strconv.Itoa(in.Listen.Port)
	m[markerPgid] = strconv.Itoa(pgid)
	start, _ := liveStart(pgid)
	m[markerLeaderStart] = strconv.FormatUint(start, 10)
	var b bytes.Buffer
	for _, k := range slices.Sorted(maps.Keys(m)) {
		fmt.Fprintf(&b, "%s=%s\n", k, m[k])
	}
	return os.WriteFile(in.Path(workDirMarker), b.Bytes(), 0o644)
}

// readMarker reads a work dir's marker: a regular file this user wrote (the
// work dir of a root-started proxy belongs to the proxy's user, who must not
// be able to forge one), of a few hundred bytes.
func readMarker(dir string) (map[string]string, bool) {
	path := filepath.Join(dir, workDirMarker)
	fi, err := os.Lstat(path)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > 4096 {
		return nil, false
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); !ok || int(st.Uid) != os.Geteuid() {
		return nil, false
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	m := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			m[k] = v
		}
	}
	return m, true
}

// sweepWorkDirs is the second line of defence behind the guard: it finds the
// work dirs of process targets (gatecheck-* in the temp dir, with a marker)
// whose owner no longer runs, SIGKILLs their proxy's process group should it
// still run (its guard was killed), removes the dir and runs the spec's
// Cleanup. Every process target's Start runs it. It returns the dirs it
// removed.
func sweepWorkDirs() []string {
	here := thisOwner()
	if here.boot == "" {
		return nil
	}
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "gatecheck-*"))
	var swept []string
	for _, dir := range dirs {
		if fi, err := os.Lstat(dir); err != nil || !fi.IsDir() {
			continue
		}
		m, ok := readMarker(dir)
		if !ok {
			continue
		}
		o, ok := ownerOf(m)
		if !ok || !o.gone(here, func() bool { return false }) {
			continue
		}
		if o.boot == here.boot {
			pgid, _ := strconv.Atoi(m[markerPgid])
			start, _ := strconv.ParseUint(m[markerLeaderStart], 10, 64)
			killLeftover(pgid, start, dir)
		}
		if err := os.RemoveAll(dir); err != nil {
			continue
		}
		swept = append(swept, dir)
		port, _ := strconv.Atoi(m[markerPort])
		if s, err := lookupSpec(m[markerTarget]); err == nil && s.Cleanup != nil && port != 0 {
			_ = s.Cleanup(&Instance{Name: s.Name, Dir: dir, Listen: HostPort{"127.0.0.1", port}})
		}
	}
	return swept
}

// killLeftover SIGKILLs the process group pgid if it is still the one a run
// in dir started: its leader runs with the recorded start time, or, the leader
// gone, a process of the group works in dir. A group id another group took
// over is left alone.
func killLeftover(pgid int, leaderStart uint64, dir string) {
	if pgid <= 1 {
		return
	}
	live, err := groupLive(pgid)
	if err != nil || len(live) == 0 {
		return
	}
	ours := false
	if start, ok := liveStart(pgid); ok {
		ours = leaderStart != 0 && start == leaderStart
	} else {
		for _, e := range live {
			cwd, err := os.Readlink("/proc/" + strconv.Itoa(e.pid) + "/cwd")
			if err == nil && strings.TrimSuffix(cwd, " (deleted)") == dir {
				ours = true
				break
			}
		}
	}
	if ours {
		_ = signalGroup(pgid, syscall.SIGKILL)
	}
}
