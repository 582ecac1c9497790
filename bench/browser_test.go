//go:build linux

package bench

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// htmlChromium is the path of an installed Chromium. Without one the test is
// skipped, or fails when GATECHECK_REQUIRE_PROXIES=all says every tool must be
// there.
func htmlChromium(t testing.TB) string {
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

// htmlRunChromium runs headless Chromium on file with the extra arguments and
// returns what it wrote and logged. The browser runs in its own process group
// with its own profile, bounded by 60 s, and the whole group is killed
// afterwards.
func htmlRunChromium(t testing.TB, bin, file string, args ...string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	profile := t.TempDir()
	argv := append([]string{"--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-extensions", "--disable-breakpad", "--disable-crash-reporter", "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0"},
		args...)
	cmd := exec.CommandContext(ctx, bin, append(argv, "file://"+file)...)
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
	htmlEndStragglers(t, profile)
	if ctx.Err() != nil {
		t.Fatalf("chromium did not finish within 60s; stderr:\n%s", errs.String())
	}
	if err != nil {
		t.Fatalf("chromium: %v; stderr:\n%s", err, errs.String())
	}
	return out.String(), errs.String()
}

// htmlEndStragglers kills, by pid, every live process whose command line names
// dir, and waits up to 5 s for them to be gone.
func htmlEndStragglers(t testing.TB, dir string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		pids := htmlProcessesNaming(dir)
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

// htmlProcessesNaming lists the live (not zombie) processes whose command line
// contains s.
func htmlProcessesNaming(s string) []int {
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

// htmlConsoleLine is a console message or an uncaught exception, as Chromium
// logs them to stderr.
var htmlConsoleLine = regexp.MustCompile(`(?m)^.*:CONSOLE(?:\(\d+\))?(?::\d+)?\].*$`)

// TestHTMLInChromium renders the report in headless Chromium: the DOM it
// builds has every plot with one path per series, the target named <script>
// stayed text, nothing was logged to the console; then a screenshot shows
// the plots' colours. GATECHECK_BENCH_SCREENSHOT=file.png keeps it.
func TestHTMLInChromium(t *testing.T) {
	bin := htmlChromium(t)
	r := htmlTestReport()
	r.Targets[0].Target = "<script>"
	dir := t.TempDir()
	path := filepath.Join(dir, "bench.html")
	if err := os.WriteFile(path, []byte(htmlRender(t, r)), 0o644); err != nil {
		t.Fatal(err)
	}

	dom, log := htmlRunChromium(t, bin, path, "--dump-dom")
	if !strings.Contains(dom, "</svg>") {
		t.Fatalf("chromium's DOM has no SVG; got %d bytes:\n%.2000s\nstderr:\n%s", len(dom), dom, log)
	}
	root := htmlParse(t, dom)
	htmlCheckPlots(t, r, root)
	if n := len(htmlFindAll(root, func(n *html.Node) bool { return n.Data == "script" })); n != 0 {
		t.Errorf("the DOM has %d script elements; want none", n)
	}
	if h3 := htmlFindAll(root, func(n *html.Node) bool { return n.Data == "h3" }); len(h3) == 0 || !strings.HasPrefix(htmlText(h3[0]), "<script>") {
		t.Error("the target named <script> is not text in the DOM")
	}
	if lines := htmlConsoleLine.FindAllString(log, -1); len(lines) > 0 {
		t.Errorf("console output while loading the page:\n%s", strings.Join(lines, "\n"))
	}

	shot := filepath.Join(dir, "bench.png")
	htmlRunChromium(t, bin, path, "--hide-scrollbars", "--window-size=1500,3800", "--screenshot="+shot)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("chromium wrote no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	// The 502 band of the throughput plots, #f28e2b at 0.7 over white, and
	// nginx's blue line in the distribution plots must both be on screen.
	type colour struct{ r, g, b, tol, n int }
	band, blue := &colour{r: 245, g: 176, b: 107, tol: 12}, &colour{r: 0x1f, g: 0x4e, b: 0x9c, tol: 30}
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			pr, pg, pb, _ := img.At(x, y).RGBA()
			r, g, b := int(pr>>8), int(pg>>8), int(pb>>8)
			for _, c := range []*colour{band, blue} {
				if htmlAbs(r-c.r) <= c.tol && htmlAbs(g-c.g) <= c.tol && htmlAbs(b-c.b) <= c.tol {
					c.n++
				}
			}
		}
	}
	t.Logf("screenshot %v: %d pixels of the 502 band, %d of nginx's blue", bounds.Size(), band.n, blue.n)
	if band.n < 5000 {
		t.Errorf("the screenshot has %d pixels of the 502 throughput band; want a plot's worth", band.n)
	}
	if blue.n < 500 {
		t.Errorf("the screenshot has %d pixels of nginx's line colour; want its lines", blue.n)
	}
	if keep := os.Getenv("GATECHECK_BENCH_SCREENSHOT"); keep != "" {
		data, err := os.ReadFile(shot)
		if err == nil {
			err = os.WriteFile(keep, data, 0o644)
		}
		if err != nil {
			t.Errorf("keep the screenshot: %v", err)
		}
	}
}

// htmlAbs is |n|.
func htmlAbs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
