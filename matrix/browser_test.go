//go:build linux

package matrix

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gatecheck/gatecheck/internal/browsertest"
)

// TestHTMLInChromium renders the page in headless Chromium: every scenario and
// target has exactly one cell in the DOM, the page's script ran to its end, it
// logged nothing to the console, and hostile first bytes stayed text.
func TestHTMLInChromium(t *testing.T) {
	bin := browsertest.Chromium(t)
	m := built(t)
	path := filepath.Join(t.TempDir(), "matrix.html")
	if err := os.WriteFile(path, []byte(renderHTML(t, m)), 0o644); err != nil {
		t.Fatal(err)
	}
	dom, log := browsertest.Run(t, bin, "--dump-dom", "file://"+path)
	if !strings.Contains(dom, "</table>") {
		t.Fatalf("chromium's DOM has no table; got %d bytes:\n%.2000s\nstderr:\n%s", len(dom), dom, log)
	}
	checkCells(t, m, dom)
	if !regexp.MustCompile(`<html[^>]*\sdata-ready="yes"`).MatchString(dom) {
		t.Error(`the page's script did not run to its end: <html> lacks data-ready="yes"`)
	}
	if lines := browsertest.ConsoleLine.FindAllString(log, -1); len(lines) > 0 {
		t.Errorf("console output while loading the page:\n%s", strings.Join(lines, "\n"))
	}
	if n := strings.Count(dom, "<script"); n != 1 {
		t.Errorf("the DOM has %d script elements; want only the page's own", n)
	}
	if strings.Contains(dom, "<img") || !strings.Contains(dom, "X-Evil: &lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("hostile first bytes became markup in the DOM")
	}
}
