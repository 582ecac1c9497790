package matrix

import (
	"bytes"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/gatecheck/gatecheck/scenarios"
)

// renderHTML renders m as HTML.
func renderHTML(t testing.TB, m *Matrix) string {
	t.Helper()
	var b bytes.Buffer
	if err := m.WriteHTML(&b); err != nil {
		t.Fatalf("WriteHTML: %v", err)
	}
	return b.String()
}

// cellAttrs finds each cell's data-scenario, data-target and data-verdict.
var cellAttrs = regexp.MustCompile(`<td [^>]*data-scenario="([^"]*)" data-target="([^"]*)" data-verdict="([^"]*)"`)

// checkCells fails unless doc has exactly one cell per scenario and target of m,
// with the cell's verdict.
func checkCells(t testing.TB, m *Matrix, doc string) {
	t.Helper()
	want := map[string]string{}
	for _, r := range m.Rows {
		for i, c := range r.Cells {
			want[r.ID+" @ "+m.Targets[i].Name] = string(c.Verdict)
		}
	}
	seen := map[string]int{}
	for _, match := range cellAttrs.FindAllStringSubmatch(doc, -1) {
		key := html.UnescapeString(match[1]) + " @ " + html.UnescapeString(match[2])
		seen[key]++
		if v, ok := want[key]; !ok {
			t.Errorf("cell %s: no such scenario and target", key)
		} else if got := html.UnescapeString(match[3]); got != v {
			t.Errorf("cell %s: data-verdict %q; want %q", key, got, v)
		}
	}
	for key := range want {
		if seen[key] != 1 {
			t.Errorf("cell %s: found %d times; want once", key, seen[key])
		}
	}
	if got := strings.Count(doc, "data-scenario="); got != len(want) {
		t.Errorf("%d elements carry data-scenario; want %d, one per cell", got, len(want))
	}
}

func TestHTMLCells(t *testing.T) {
	m := built(t)
	doc := renderHTML(t, m)
	checkCells(t, m, doc)
	for _, want := range []string{
		`<div class="tname">nginx</div>`, `<div class="tver">1.22.1</div>`, `<b>75%</b> must`,
		`<span class="t">Timeouts and connection faults<small>conn, timeout</small></span>`,
		`<summary>~ 502 (2/50)</summary>`, `<dt>outcomes</dt><dd>passthrough ×48, 502 ×2</dd>`,
		`<dt>note</dt><dd>not pooled</dd>`, `<a href="https://www.rfc-editor.org/rfc/rfc9112#section-8">9112 §8</a>`,
		`class="cell v-error"`, `class="cell v-non-strict"`, `class="cell v-skip"`, `class="cell v-fail"`, `class="cell v-pass"`,
		`<details class="log"><summary>proxy log</summary>`,
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("HTML lacks %s", want)
		}
	}
	if again := renderHTML(t, built(t)); again != doc {
		t.Error("the same reports gave different HTML")
	}
	if strings.Contains(doc, " · generated ") {
		t.Error("HTML mentions a generation time that Build never set")
	}
}

// TestHTMLEscapes puts markup everywhere a report's text can reach and checks
// that none of it becomes markup.
func TestHTMLEscapes(t *testing.T) {
	m := built(t)
	evil := func(n int) string {
		return fmt.Sprintf(`x"><script>alert(%d)</script><img src=y onerror=alert(%d)>'`, n, n)
	}
	m.Targets[1].Name = evil(1)
	m.Targets[1].Version = evil(2)
	m.GatecheckVersion = evil(3)
	r := &m.Rows[2]
	r.Summary, r.Quote, r.Spec = evil(4), evil(5), evil(6)
	c := &r.Cells[1]
	c.Verdict, c.Outcome, c.Expected, c.Actual = "fail", scenarios.Outcome(evil(7)), evil(8), evil(9)
	c.Notes, c.Log, c.Outcomes = []string{evil(10)}, evil(11), map[scenarios.Outcome]int{scenarios.Outcome(evil(12)): 1, "502": 1}
	m.Rows[3].Cells[2].Verdict = `odd"><b>bold</b>`
	doc := renderHTML(t, m)

	if n := strings.Count(doc, "<script"); n != 1 {
		t.Errorf("HTML has %d <script elements; want only its own", n)
	}
	for _, bad := range []string{"<img", "<b>bold", `"x"`, "X-Evil: <"} {
		if strings.Contains(doc, bad) {
			t.Errorf("HTML contains %q unescaped", bad)
		}
	}
	if !strings.Contains(doc, `X-Evil: &lt;script&gt;alert(1)&lt;/script&gt;\r\n`) {
		t.Error("HTML lacks the hostile first bytes, escaped")
	}
	if !strings.Contains(doc, `class="cell v-unknown"`) {
		t.Error("an unknown verdict did not get the v-unknown class")
	}
	checkCells(t, m, doc)
}

// TestHTMLSelfContained checks that the page loads nothing from elsewhere.
func TestHTMLSelfContained(t *testing.T) {
	doc := renderHTML(t, built(t))
	external := regexp.MustCompile(`(?i)<(link|img|iframe|object|embed|audio|video|source|base)\b|<[a-z][^>]*\ssrc=|@import|url\(`)
	if m := external.FindString(doc); m != "" {
		t.Errorf("HTML loads a resource: %q", m)
	}
	for _, href := range regexp.MustCompile(`href="([^"]*)"`).FindAllStringSubmatch(doc, -1) {
		if !strings.HasPrefix(href[1], "#") && !strings.HasPrefix(href[1], "https://www.rfc-editor.org/rfc/") {
			t.Errorf("link to %s; want only in-page links and RFC sections", href[1])
		}
	}
}
