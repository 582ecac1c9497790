package bench

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/targets"
)

// helperEnv makes the test binary a helper process (see fdHelper) instead of
// running the tests.
const helperEnv = "GATECHECK_BENCH_FD_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		fdHelper()
		return
	}
	os.Exit(m.Run())
}

// fdHelper is a process that holds open files on demand: it starts a sleeping
// child in its own process group, says "ready", then for each line "open N"
// on stdin opens N more descriptors and answers "ok". It ends when stdin
// closes.
func fdHelper() {
	child := exec.Command("sleep", "30")
	if err := child.Start(); err != nil {
		fmt.Println("no sleep:", err)
		os.Exit(1)
	}
	var held []*os.File
	fmt.Println("ready")
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		var n int
		if _, err := fmt.Sscanf(in.Text(), "open %d", &n); err != nil {
			continue
		}
		for range n {
			f, err := os.Open(os.DevNull)
			if err != nil {
				fmt.Println("open:", err)
				os.Exit(1)
			}
			held = append(held, f)
		}
		fmt.Println("ok")
	}
	_ = child.Process.Kill()
	_ = child.Wait()
	fmt.Fprintln(io.Discard, len(held))
}

// helper starts fdHelper as the leader of a process group of its own and
// returns its stdin, a reader of its stdout (past "ready") and its group.
func helper(t *testing.T) (io.Writer, *bufio.Reader, int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	out := bufio.NewReader(stdout)
	expectLine(t, out, "ready")
	return stdin, out, cmd.Process.Pid
}

// expectLine reads one line and fails unless it is want. The helper's pipe is
// the synchronisation: a line comes only once the helper did what it says.
func expectLine(t *testing.T, r *bufio.Reader, want string) {
	t.Helper()
	line, err := r.ReadString('\n')
	if strings.TrimSpace(line) != want {
		t.Fatalf("helper said %q (%v); want %q", line, err, want)
	}
}

// TestSamplerSeesTheGroup samples a real process group (the helper and its
// sleeping child), has the helper open 100 files, and checks the figures and
// the suspected leak.
func TestSamplerSeesTheGroup(t *testing.T) {
	stdin, out, pgid := helper(t)
	list := func() ([]int, error) { return targets.GroupPids(pgid) }
	s := startSampler(list, MinSampleInterval)
	fmt.Fprintln(stdin, "open 100")
	expectLine(t, out, "ok")
	samples := s.finish()
	if len(samples) < 2 {
		t.Fatalf("got %d samples; want at least the first and the last", len(samples))
	}
	before, after := samples[0].s, samples[len(samples)-1].s
	if before.Procs != 2 || after.Procs != 2 {
		t.Errorf("procs: got %d then %d; want 2 (the helper and its child)", before.Procs, after.Procs)
	}
	if before.RSSBytes < 1<<20 || before.Threads < 2 || before.FDs < 3 {
		t.Errorf("before: %+v; want some memory, a Go process's threads and at least stdin, stdout, stderr", before)
	}
	if grew := after.FDs - before.FDs; grew < 100 || grew > 110 {
		t.Errorf("open files: %d -> %d; want about 100 more", before.FDs, after.FDs)
	}
	start := samples[0].at.Add(time.Second)
	r := resources(samples, start, false)
	if len(r.Leaks) != 1 || !strings.HasPrefix(r.Leaks[0], "open files ") {
		t.Errorf("leaks: %q; want one on open files", r.Leaks)
	}
	if r.Samples[0].T > -0.9 || r.Samples[0].T < -1.1 {
		t.Errorf("first sample at t=%v; want about -1 (before the window)", r.Samples[0].T)
	}
	if got := resources(samples, start, true); len(got.Leaks) != 0 {
		t.Errorf("leaks of an interrupted run: %q; want none", got.Leaks)
	}
}

// TestSamplerOfAGoneGroup samples a group that no longer exists: zeros, no
// error, no leak.
func TestSamplerOfAGoneGroup(t *testing.T) {
	s := startSampler(func() ([]int, error) { return targets.GroupPids(1 << 30) }, MinSampleInterval)
	samples := s.finish()
	r := resources(samples, time.Now(), false)
	if r.Before.Procs != 0 || r.After.Procs != 0 || len(r.Leaks) != 0 {
		t.Errorf("resources of no process: %+v", r)
	}
}

func TestLeakRule(t *testing.T) {
	const mib = 1 << 20
	proxy := func(fds int, rssMiB int64, threads int) Sample {
		return Sample{Procs: 3, FDs: fds, RSSBytes: rssMiB * mib, Threads: threads}
	}
	tests := []struct {
		name          string
		before, after Sample
		want          []string
	}{
		{"unchanged", proxy(40, 40, 10), proxy(40, 40, 10), nil},
		{"files +16: not enough", proxy(40, 40, 10), proxy(56, 40, 10), nil},
		{"files +17 and +42%", proxy(40, 40, 10), proxy(57, 40, 10), []string{"open files 40 -> 57 (+17) after the load"}},
		{"files +100 but +20%", proxy(500, 40, 10), proxy(600, 40, 10), nil},
		{"memory +32 MiB: not enough", proxy(40, 40, 10), proxy(40, 72, 10), nil},
		{"memory +33 MiB and +82%", proxy(40, 40, 10), proxy(40, 73, 10), []string{"resident memory 40.0 MiB -> 73.0 MiB (+33.0 MiB) after the load"}},
		{"memory +100 MiB but +25%", proxy(40, 400, 10), proxy(40, 500, 10), nil},
		{"threads +8: not enough", proxy(40, 40, 10), proxy(40, 40, 18), nil},
		{"threads +9 and +90%", proxy(40, 40, 10), proxy(40, 40, 19), []string{"threads 10 -> 19 (+9) after the load"}},
		{"threads +20 but +40%", proxy(40, 40, 50), proxy(40, 40, 70), nil},
		{"all three", proxy(40, 40, 10), proxy(400, 400, 100), []string{
			"open files 40 -> 400 (+360) after the load",
			"resident memory 40.0 MiB -> 400.0 MiB (+360.0 MiB) after the load",
			"threads 10 -> 100 (+90) after the load"}},
		{"shrinking", proxy(400, 400, 100), proxy(40, 40, 10), nil},
		{"the proxy is gone", proxy(40, 40, 10), Sample{}, nil},
		{"the proxy was not there", Sample{}, proxy(400, 400, 100), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := leaks(tt.before, tt.after)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}
