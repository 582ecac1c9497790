package matrix

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/gatecheck/gatecheck/scenarios"
)

// Headings of the Markdown document, besides the families' titles and the ids.
const (
	mdTitle   = "gatecheck compliance matrix"
	mdLegend  = "Legend"
	mdDetails = "Details"
)

// WriteMarkdown writes the matrix as GitHub-flavoured Markdown: the scores, one
// table per family with a column per target, a legend of the glossary's words,
// and per scenario what it checks, what was expected and what each target that
// did not pass did instead. Each id in a table links to its details.
func (m *Matrix) WriteMarkdown(w io.Writer) error {
	b := bufio.NewWriter(w)
	anchors := m.anchors()

	fmt.Fprintf(b, "# %s\n\n", mdTitle)
	about := []string{fmt.Sprintf("%d %s, %d %s", len(m.Targets), plural(len(m.Targets), "target"), len(m.Rows), plural(len(m.Rows), "scenario"))}
	if m.GatecheckVersion != "" {
		about = append(about, "gatecheck "+md(m.GatecheckVersion))
	}
	if !m.Generated.IsZero() {
		about = append(about, "generated "+m.Generated.UTC().Format("2006-01-02 15:04 UTC"))
	}
	fmt.Fprintf(b, "%s\n\n", strings.Join(about, " · "))
	m.writeScores(b)

	for _, f := range m.Families {
		fmt.Fprintf(b, "## %s\n\n", md(f.Title))
		b.WriteString("| scenario | RFC | level |")
		for _, t := range m.Targets {
			fmt.Fprintf(b, " %s |", md(t.Label()))
		}
		b.WriteString("\n|---|---|---|" + strings.Repeat("---|", len(m.Targets)) + "\n")
		for _, r := range m.Rows {
			if r.Family != f.Name {
				continue
			}
			fmt.Fprintf(b, "| [%s](#%s) | %s | %s |", md(r.ID), anchors[r.ID], md(shortSpec(r.Spec)), md(string(r.Level)))
			for _, c := range r.Cells {
				fmt.Fprintf(b, " %s |", md(c.Text()))
			}
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}

	m.writeProtocolDiffs(b)
	writeLegend(b)
	m.writeDetails(b)
	return b.Flush()
}

// mdProtocols is the heading of the rows that differ between a target's h1 and
// HTTP/2 columns.
const mdProtocols = "Where HTTP/2 differs from HTTP/1.1"

// writeProtocolDiffs lists, per target, the rows whose cell differs between
// its h1 and HTTP/2 columns; nothing when the matrix has no such pair.
func (m *Matrix) writeProtocolDiffs(b *bufio.Writer) {
	diffs := m.ProtocolDiffs()
	pairs := 0
	for _, t := range m.Targets {
		if t.Client.HTTP2() {
			pairs++
		}
	}
	if pairs == 0 {
		return
	}
	fmt.Fprintf(b, "## %s\n\n", mdProtocols)
	if len(diffs) == 0 {
		b.WriteString("No row differs between a target's h1 and HTTP/2 columns.\n\n")
		return
	}
	b.WriteString("The same upstream fault, the same proxy, another client protocol: rows whose verdict or outcome differs (rows skipped on either side are left out).\n\n")
	b.WriteString("| target | scenario | h1 | HTTP/2 |\n|---|---|---|---|\n")
	anchors := m.anchors()
	for _, d := range diffs {
		fmt.Fprintf(b, "| %s → %s | [%s](#%s) | %s | %s |\n", md(d.H1), md(strings.TrimPrefix(d.H2, d.Target+" ")), md(d.ID), anchors[d.ID], md(d.Was), md(d.Now))
	}
	b.WriteString("\n")
}

// writeScores writes each target's must score on one line, then a table of its
// verdict counts and declared timeouts.
func (m *Matrix) writeScores(b *bufio.Writer) {
	if len(m.Targets) == 0 {
		b.WriteString("No targets.\n\n")
		return
	}
	parts := make([]string, len(m.Targets))
	for i, t := range m.Targets {
		parts[i] = fmt.Sprintf("%s **%s** (%d/%d)", md(t.Label()), percent(t.Score), t.Score.MustPassed, t.Score.MustTotal)
	}
	fmt.Fprintf(b, "**Score** (share of `must` scenarios passed): %s\n\n", strings.Join(parts, " · "))
	b.WriteString("| target | must passed | ✓ pass | ~ non-strict | ✗ fail | ! error | - skip | timeouts |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|---|\n")
	for _, t := range m.Targets {
		s := t.Summary
		fmt.Fprintf(b, "| %s | %d/%d | %d | %d | %d | %d | %d | %s |\n", md(t.Label()), t.Score.MustPassed, t.Score.MustTotal,
			s.Pass, s.NonStrict, s.Fail, s.Error, s.Skip, t.Timeouts.String())
	}
	b.WriteString("\n")
}

// legend explains the cells' words, in the glossary's terms (CATALOGUE.md).
var legend = []struct{ term, meaning string }{
	{"`✓ pass`", "the outcome is one the scenario passes"},
	{"`○ pass (not pooled)`", "a pass of a row about pooled upstream connections in which the proxy never reused one (retry/pool-control shows it does not pool under this config): untested for poisoning, not evidence; it counts as passed in the score, which only counts must rows' verdicts"},
	{"`~ 503` non-strict", "handled safely, breaking no MUST, but not as the RFC prefers; the cell shows the outcome. Non-strict does **not** count as passed in the score"},
	{"`✗ fake-complete` fail", "anything else; the cell shows the outcome. `fake-complete`, `raw-relay`, `hung` and `protocol-error` always fail"},
	{"`! error`", "the harness could not judge the run: no evidence about the proxy, counted as not passed"},
	{"`- skip`", "not run against this target, counted as not passed"},
	{"`(3/50)`", "a repeated scenario: the graded (worst) outcome was seen in 3 of 50 runs"},
}

// words explains the outcome words and the levels, in the glossary's terms.
var words = []struct{ term, meaning string }{
	{"`502`, `504`, `5xx`", "a response the proxy generated with that status (`5xx`: any other 5xx)"},
	{"`passthrough`", "the upstream's status and body bytes reached the client unchanged, with valid framing"},
	{"`repaired`, `dropped`", "passthrough with the offending field repaired as the RFC prescribes, or removed"},
	{"`aborted`", "the head arrived, then the client could tell the message was incomplete (short body, no last-chunk, or a reset)"},
	{"`fake-complete`", "a broken upstream body presented to the client as a complete message"},
	{"`raw-relay`", "invalid upstream bytes forwarded as if they were HTTP"},
	{"`no-response`", "the connection closed or reset before any response byte"},
	{"`hung`", "nothing conclusive before the scenario's deadline"},
	{"`protocol-error`", "through an HTTP/2 client: the proxy broke HTTP/2's own frame rules (a frame after END_STREAM, an undecodable field block…)"},
	{"`h1`, `h2`, `h2-tls`", "the client of a column: HTTP/1.1, HTTP/2 by prior knowledge (h2c), HTTP/2 over TLS; through HTTP/2, `aborted` is RST_STREAM (or the connection's loss) before END_STREAM, `fake-complete` is END_STREAM after a broken upstream body, `raw-relay` a malformed response (a connection-specific or uppercase field…)"},
	{"level", "what a failure violates: `must` (a MUST or MUST NOT), `should`, or `may` (a choice or a robustness check). Scores count `must` rows only"},
}

// writeLegend writes the legend as a list.
func writeLegend(b *bufio.Writer) {
	fmt.Fprintf(b, "## %s\n\n", mdLegend)
	for _, l := range append(legend[:len(legend):len(legend)], words...) {
		fmt.Fprintf(b, "- %s — %s.\n", l.term, l.meaning)
	}
	b.WriteString("\n")
}

// writeDetails writes, per scenario, its summary, citations and expectation, and
// each target that did not pass with what it did.
func (m *Matrix) writeDetails(b *bufio.Writer) {
	fmt.Fprintf(b, "## %s\n\n", mdDetails)
	for _, r := range m.Rows {
		fmt.Fprintf(b, "### %s\n\n", md(r.ID))
		var about []string
		if r.Summary != "" {
			about = append(about, md(r.Summary))
		}
		var refs []string
		for _, c := range citations(r.Spec) {
			if c.URL != "" {
				refs = append(refs, fmt.Sprintf("[RFC %s](%s)", md(c.Text), c.URL))
			} else {
				refs = append(refs, md(c.Text))
			}
		}
		if r.Level != "" {
			refs = append(refs, md(string(r.Level)))
		}
		if len(refs) > 0 {
			about = append(about, strings.Join(refs, ", "))
		}
		if len(about) > 0 {
			fmt.Fprintf(b, "%s\n\n", strings.Join(about, " — "))
		}
		expected := commonExpected(r)
		if expected != "" {
			fmt.Fprintf(b, "- expected: %s\n", md(expected))
		}
		passed := 0
		for i, c := range r.Cells {
			if c.Verdict == scenarios.VerdictPass && !c.Untested() {
				passed++
				continue
			}
			line := fmt.Sprintf("- %s: %s", md(m.Targets[i].Label()), md(c.Text()))
			if c.Expected != "" && c.Expected != expected {
				line += " — expected " + md(c.Expected)
			}
			if c.Actual != "" {
				line += " — " + md(c.Actual)
			}
			if oc := c.OutcomeCounts(); oc != "" && !strings.Contains(c.Actual, oc) {
				line += " (outcomes: " + md(oc) + ")"
			}
			for _, n := range c.Notes {
				line += " (note: " + md(n) + ")"
			}
			b.WriteString(line + "\n")
		}
		switch {
		case len(r.Cells) > 0 && passed == len(r.Cells):
			b.WriteString("- every target passes\n")
		case passed == 1:
			b.WriteString("- 1 other target passes\n")
		case passed > 1:
			fmt.Fprintf(b, "- %d other targets pass\n", passed)
		}
		b.WriteString("\n")
	}
}

// commonExpected is the expectation most cells state (the first of equally
// common ones). Cells whose expectation reads differently, as with durations
// resolved against other timeouts, state their own.
func commonExpected(r Row) string {
	count := map[string]int{}
	best := ""
	for _, c := range r.Cells {
		if c.Expected == "" {
			continue
		}
		count[c.Expected]++
		if count[c.Expected] > count[best] {
			best = c.Expected
		}
	}
	return best
}

// anchors maps each row id to the anchor GitHub gives its details heading:
// lower case, punctuation dropped, spaces as hyphens, and "-1", "-2"… for
// repeats of an earlier heading.
func (m *Matrix) anchors() map[string]string {
	seen := map[string]int{}
	slug := func(heading string) string {
		var s strings.Builder
		for _, r := range strings.ToLower(heading) {
			switch {
			case r == ' ':
				s.WriteRune('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				s.WriteRune(r)
			}
		}
		out := s.String()
		if n := seen[out]; n > 0 {
			out = fmt.Sprintf("%s-%d", out, n)
		}
		seen[s.String()]++
		return out
	}
	slug(mdTitle)
	for _, f := range m.Families {
		slug(f.Title)
	}
	slug(mdLegend)
	slug(mdDetails)
	anchors := map[string]string{}
	for _, r := range m.Rows {
		anchors[r.ID] = slug(r.ID)
	}
	return anchors
}

// md escapes text for a Markdown table cell or list item: characters that
// would format, link, open HTML or end a cell are escaped, and line breaks
// become spaces.
func md(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '|', '*', '_', '`', '[', ']':
			b.WriteRune('\\')
			b.WriteRune(r)
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\n', '\r':
			b.WriteRune(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// shortSpec drops the "RFC " before each section: "9112 §8, 9110 §15.6.3".
func shortSpec(spec string) string {
	cites := citations(spec)
	parts := make([]string, len(cites))
	for i, c := range cites {
		parts[i] = c.Text
	}
	return strings.Join(parts, ", ")
}

// percent is a score's percentage as shown: "75%", "87.5%".
func percent(s Score) string {
	if s.MustTotal == 0 {
		return "–"
	}
	return fmt.Sprintf("%g%%", s.Percent)
}

// plural is word, or its plural for n other than 1.
func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	if strings.HasSuffix(word, "y") {
		return word[:len(word)-1] + "ies"
	}
	return word + "s"
}
