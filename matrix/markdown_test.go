package matrix

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// markdown renders m as Markdown.
func markdown(t testing.TB, m *Matrix) string {
	t.Helper()
	var b bytes.Buffer
	if err := m.WriteMarkdown(&b); err != nil {
		t.Fatalf("WriteMarkdown: %v", err)
	}
	return b.String()
}

func TestMarkdown(t *testing.T) {
	got := markdown(t, built(t))
	lines := []string{
		"# gatecheck compliance matrix\n\n3 targets, 8 scenarios · gatecheck 0.1.0-test\n\n",
		"**Score** (share of `must` scenarios passed): nginx 1.22.1 h1 **75%** (3/4) · haproxy 2.6.12 h1 **75%** (3/4) · go-stdlib go1.26.8 h1 **25%** (1/4)\n",
		"| haproxy 2.6.12 h1 | 3/4 | 4 | 2 | 0 | 1 | 1 | connect 1s, read 1s, 0 retries |\n",
		"## Timeouts and connection faults\n\n| scenario | RFC | level | nginx 1.22.1 h1 | haproxy 2.6.12 h1 | go-stdlib go1.26.8 h1 |\n|---|---|---|---|---|---|\n",
		"| [conn/refused](#connrefused) | 9110 §15.6.3 | should | ✓ pass | ~ 503 | ✓ pass |\n",
		"| [header/nul-in-value](#headernul-in-value) | 9110 §5.5 | must | ✓ pass | ! error | ✗ raw-relay |\n",
		"| [body/truncated-chunked](#bodytruncated-chunked) | 9112 §8 | must | ✗ fake-complete | ✓ pass | - skip |\n",
		"| [pass/early-4xx-then-reset-400](#passearly-4xx-then-reset-400) | 9112 §9.6 | may | ~ 502 (2/50) | ✓ pass | ✓ pass |\n",
		"- `~ 503` non-strict — handled safely, breaking no MUST, but not as the RFC prefers; the cell shows the outcome. Non-strict does **not** count as passed in the score.\n",
		"- `fake-complete` — a broken upstream body presented to the client as a complete message.\n",
		"### body/truncated-chunked\n\nsummary of body/truncated-chunked — [RFC 9112 §8](https://www.rfc-editor.org/rfc/rfc9112#section-8), must\n\n" +
			"- expected: expected of body/truncated-chunked\n" +
			"- nginx 1.22.1 h1: ✗ fake-complete — 200, chunked, last-chunk present, 30 bytes — truncation presented as complete\n" +
			"- go-stdlib go1.26.8 h1: - skip — interrupted\n" +
			"- 1 other target passes\n",
		"### pass/ok\n\nsummary of pass/ok — [RFC 9110 §7.7](https://www.rfc-editor.org/rfc/rfc9110#section-7.7), must\n\n- expected: passthrough\n- every target passes\n",
		"- haproxy 2.6.12 h1: ~ 503 — 503 from the proxy\n- 2 other targets pass\n",
	}
	for _, l := range lines {
		if !strings.Contains(got, l) {
			t.Errorf("Markdown lacks %q", l)
		}
	}

	headings := []string{"## Timeouts and connection faults\n", "## Header section\n", "## Body broken after the head\n",
		"## Passthrough of valid responses\n", "## custom\n", "## extra\n", "## Legend\n", "## Details\n"}
	last := -1
	for _, h := range headings {
		i := strings.Index(got, h)
		if i < 0 || i < last {
			t.Errorf("heading %q at %d, after %d; want every heading once, in the catalogue's order", h, i, last)
		}
		last = i
	}
	if strings.Contains(got, " · generated ") {
		t.Error("Markdown mentions a generation time that Build never set")
	}
	if again := markdown(t, built(t)); again != got {
		t.Error("the same reports gave different Markdown")
	}
	m := built(t)
	m.Generated = time.Date(2026, 11, 27, 4, 5, 0, 0, time.UTC)
	if stamped := markdown(t, m); !strings.Contains(stamped, " · generated 2026-11-27 04:05 UTC\n") {
		t.Error("Markdown lacks the generation time it was given")
	}
}

func TestMarkdownEscapes(t *testing.T) {
	m := built(t)
	m.Targets[0].Name = "a|b <script>"
	m.Rows[3].Cells[0].Actual = "line 1\nline 2 | <img src=x> *bold* [link](x)"
	m.Rows[0].Summary = "with `ticks` and _under_"
	got := markdown(t, m)
	for _, bad := range []string{"<script>", "<img", "a|b", "line 1\nline 2", "[link](x)", "`ticks`"} {
		if strings.Contains(got, bad) {
			t.Errorf("Markdown contains %q unescaped", bad)
		}
	}
	for _, want := range []string{`a\|b &lt;script&gt;`, `line 1 line 2 \| &lt;img src=x&gt; \*bold\* \[link\](x)`, "with \\`ticks\\` and \\_under\\_"} {
		if !strings.Contains(got, want) {
			t.Errorf("Markdown lacks the escaped %q", want)
		}
	}
}

func TestMarkdownAnchors(t *testing.T) {
	m := &Matrix{
		Families: []Family{{Name: "T", Title: "Timeouts and connection faults"}, {Name: "legend", Title: "legend"}},
		Rows:     []Row{{ID: "conn/Refused_x", Family: "T"}, {ID: "legend", Family: "legend"}, {ID: "details", Family: "legend"}},
	}
	got := m.anchors()
	want := map[string]string{"conn/Refused_x": "connrefused_x", "legend": "legend-2", "details": "details-1"}
	for id, a := range want {
		if got[id] != a {
			t.Errorf("anchor of %q: got %q; want %q", id, got[id], a)
		}
	}
}
