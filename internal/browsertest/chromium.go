//go:build linux

package browsertest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// Timeout bounds one Run of the browser.
const Timeout = 30 * time.Second

// ConsoleLine matches a message a page's script wrote to the console, or an
// uncaught exception, as Chromium logs them to stderr.
var ConsoleLine = regexp.MustCompile(`(?m)^.*:CONSOLE(?:\(\d+\))?(?::\d+)?\].*$`)

// Chromium is the path of an installed Chromium. Without one the test is
// skipped, or fails when GATECHECK_REQUIRE_PROXIES=all says every tool must be
// there.
func Chromium(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	msg := "chromium not installed: apt-get install -y --no-install-recommends chromium"
	if os.Getenv("GATECHECK_REQUIRE_PROXIES") == "all" {
		t.Fatal(msg + "; GATECHECK_REQUIRE_PROXIES=all requires it")
	}
	t.Skip(msg)
	return ""
}

// Run runs the Chromium at bin headless with the extra arguments (the page's
// file:// URL among them) and returns what it wrote and logged. It is
// RunWithin bounded by Timeout.
func Run(t testing.TB, bin string, args ...string) (stdout, stderr string) {
	t.Helper()
	return RunWithin(t, Timeout, bin, args...)
}

// RunWithin is Run bounded by limit. The browser runs in its own process group
// with a fresh profile directory, and afterwards the whole group, and any
// process still naming the profile, is killed. A browser that fails, or does
// not finish within limit, fails the test.
func RunWithin(t testing.TB, limit time.Duration, bin string, args ...string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	profile := t.TempDir()
	argv := append([]string{"--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-extensions", "--disable-breakpad", "--disable-crash-reporter", "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0"},
		args...)
	cmd := exec.CommandContext(ctx, bin, argv...)
	cmd.Env = append(os.Environ(), "HOME="+profile)
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	pgid := cmd.Process.Pid
	err := cmd.Wait()
	// Helpers (crashpad, zygotes) may outlive the browser: end the whole group.
	if kerr := syscall.Kill(-pgid, syscall.SIGKILL); kerr != nil && !errors.Is(kerr, syscall.ESRCH) {
		t.Errorf("kill chromium's process group %d: %v", pgid, kerr)
	}
	// The crash handler leaves the group on purpose; it is known by the profile.
	endStragglers(t, profile)
	if ctx.Err() != nil {
		t.Fatalf("chromium did not finish within %.0fs; stderr:\n%s", limit.Seconds(), errs.String())
	}
	if err != nil {
		t.Fatalf("chromium: %v; stderr:\n%s", err, errs.String())
	}
	return out.String(), errs.String()
}

// endStragglers kills, by pid, every live process whose command line names dir,
// and waits up to 5 s for them to be gone.
func endStragglers(t testing.TB, dir string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		pids := processesNaming(dir)
		if len(pids) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("chromium processes %v still running 5s after the browser ended", pids)
			return
		}
		for _, pid := range pids {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		time.Sleep(50 * time.Millisecond) // polling /proc: nothing to wait on for processes we are not the parent of
	}
}

// processesNaming lists the live (not zombie) processes whose command line
// contains s.
func processesNaming(s string) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !bytes.Contains(cmdline, []byte(s)) {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// The state follows the parenthesised command name: "pid (comm) S ...".
		if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
			continue
		}
		pids = append(pids, pid)
	}
	return pids
}
