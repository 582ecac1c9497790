//go:build linux

package bench

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/gatecheck/gatecheck/internal/browsertest"
)

// htmlChromiumLimit bounds each run of the browser: the tall screenshot
// gets more than browsertest's default.
const htmlChromiumLimit = 60 * time.Second

// TestHTMLInChromium renders the report in headless Chromium: the DOM it
// builds has every plot with one path per series, the target named <script>
// stayed text, nothing was logged to the console; then a screenshot shows
// the plots' colours. GATECHECK_BENCH_SCREENSHOT=file.png keeps it.
func TestHTMLInChromium(t *testing.T) {
	bin := browsertest.Chromium(t)
	r := htmlTestReport()
	r.Targets[0].Target = "<script>"
	dir := t.TempDir()
	path := filepath.Join(dir, "bench.html")
	if err := os.WriteFile(path, []byte(htmlRender(t, r)), 0o644); err != nil {
		t.Fatal(err)
	}

	dom, log := browsertest.RunWithin(t, htmlChromiumLimit, bin, "--dump-dom", "file://"+path)
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
	if lines := browsertest.ConsoleLine.FindAllString(log, -1); len(lines) > 0 {
		t.Errorf("console output while loading the page:\n%s", strings.Join(lines, "\n"))
	}

	shot := filepath.Join(dir, "bench.png")
	browsertest.RunWithin(t, htmlChromiumLimit, bin, "--hide-scrollbars", "--window-size=1500,3800", "--screenshot="+shot, "file://"+path)
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
