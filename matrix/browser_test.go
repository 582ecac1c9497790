//go:build linux

package matrix

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// chromium is the path of an installed Chromium. Without one the test is
// skipped, or fails when GATECHECK_REQUIRE_PROXIES=all says every tool must be
// there.
func chromium(t testing.TB) string {
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

// dumpDOM loads file in headless Chromium and returns the DOM after its script
// ran, and what Chromium logged. The browser runs in its own process group with
// its own profile, bounded by 30 s, and the whole group is killed afterwards.
func dumpDOM(t testing.TB, bin, file string) (dom, log string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	profile := t.TempDir()
	cmd := exec.CommandContext(ctx, bin, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-extensions", "--disable-breakpad", "--disable-crash-reporter", "--user-data-dir="+profile, "--enable-logging=stderr", "--v=0",
		"--dump-dom", "file://"+file)
	cmd.Env = append(os.Environ(), "HOME="+profile)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
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
		t.Fatalf("chromium did not finish within 30s; stderr:\n%s", stderr.String())
	}
	if err != nil {
		t.Fatalf("chromium: %v; stderr:\n%s", err, stderr.String())
	}
	return stdout.String(), stderr.String()
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

// consoleLine is a message the page's script wrote to the console, or an
// uncaught exception, as Chromium logs them to stderr.
var consoleLine = regexp.MustCompile(`(?m)^.*:CONSOLE(?:\(\d+\))?(?::\d+)?\].*$`)

// TestHTMLInChromium renders the page in headless Chromium: every scenario and
// target has exactly one cell in the DOM, the page's script ran to its end, it
// logged nothing to the console, and hostile first bytes stayed text.
func TestHTMLInChromium(t *testing.T) {
	bin := chromium(t)
	m := built(t)
	path := filepath.Join(t.TempDir(), "matrix.html")
	if err := os.WriteFile(path, []byte(renderHTML(t, m)), 0o644); err != nil {
		t.Fatal(err)
	}
	dom, log := dumpDOM(t, bin, path)
	if !strings.Contains(dom, "</table>") {
		t.Fatalf("chromium's DOM has no table; got %d bytes:\n%.2000s\nstderr:\n%s", len(dom), dom, log)
	}
	checkCells(t, m, dom)
	if !regexp.MustCompile(`<html[^>]*\sdata-ready="yes"`).MatchString(dom) {
		t.Error(`the page's script did not run to its end: <html> lacks data-ready="yes"`)
	}
	if lines := consoleLine.FindAllString(log, -1); len(lines) > 0 {
		t.Errorf("console output while loading the page:\n%s", strings.Join(lines, "\n"))
	}
	if n := strings.Count(dom, "<script"); n != 1 {
		t.Errorf("the DOM has %d script elements; want only the page's own", n)
	}
	if strings.Contains(dom, "<img") || !strings.Contains(dom, "X-Evil: &lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("hostile first bytes became markup in the DOM")
	}
}
