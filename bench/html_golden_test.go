package bench

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// htmlGoldenUpdate rewrites the golden pages from what WriteHTML gives now:
// go test ./bench -run TestHTMLGolden -update. Read the diff before committing
// it: every byte that changes is a change to the report.
var htmlGoldenUpdate = flag.Bool("update", false, "rewrite bench/testdata/html/*.golden from the current output")

// htmlGoldenReports are the fixtures whose pages are kept byte for byte, by the
// golden file's name.
func htmlGoldenReports() map[string]*Report {
	reports := map[string]*Report{
		"report":      htmlTestReport(),
		"interrupted": htmlTestInterruptedReport(),
		"not-finite":  htmlTestNotFiniteReport(),
		"escapes":     htmlTestEscapesReport(),
	}
	for name, r := range htmlTestSparseReports() {
		reports["sparse-"+strings.ReplaceAll(name, " ", "-")] = r
	}
	return reports
}

// TestHTMLGolden renders every fixture and compares the page, byte for byte,
// with its golden file, so that a change meant to leave the report alone (a
// refactor of the plots, say) is proven to.
func TestHTMLGolden(t *testing.T) {
	for name, r := range htmlGoldenReports() {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", "html", name+".golden")
			got := []byte(htmlRender(t, r))
			if *htmlGoldenUpdate {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to write it)", err)
			}
			if !bytes.Equal(got, want) {
				at := htmlGoldenDiffAt(got, want)
				t.Errorf("the page differs from %s at byte %d:\n got %s\nwant %s\n(run with -update if the change is meant)",
					path, at, htmlGoldenExcerpt(got, at), htmlGoldenExcerpt(want, at))
			}
		})
	}
}

// htmlGoldenDiffAt is the offset of the first byte where a and b differ.
func htmlGoldenDiffAt(a, b []byte) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

// htmlGoldenExcerpt is the 160 bytes of b around offset i, quoted, enough to
// see which element differs.
func htmlGoldenExcerpt(b []byte, i int) string {
	lo, hi := max(0, i-80), min(len(b), i+80)
	return strconv.Quote(string(b[lo:hi]))
}
