package matrix

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/scenarios"
)

// Label is the column's heading: the name, the version, without a repeated
// name, and the client ("apache 2.4.71 h2" for apache, apache/2.4.71, h2).
func (c Column) Label() string {
	v := c.Version
	if p := c.Name + "/"; len(v) > len(p) && strings.EqualFold(v[:len(p)], p) {
		v = v[len(p):]
	}
	label := c.Name
	if v != "" {
		label += " " + v
	}
	if c.Client != "" {
		label += " " + string(c.Client)
	}
	return label
}

// Untested reports whether the cell is a pass of a pool row in which the proxy
// never rode a pooled upstream connection: the fault went untested.
func (c Cell) Untested() bool {
	return c.Verdict == scenarios.VerdictPass && c.Pool == harness.PoolUntested
}

// Mark is the cell's verdict symbol: ✓ pass, ○ pass untested (not pooled),
// ~ non-strict, ✗ fail, ! error, - skip, ? anything else.
func (c Cell) Mark() string {
	if c.Untested() {
		return scenarios.UntestedMark
	}
	return c.Verdict.Mark()
}

// Text is the cell's short text: the mark and, for non-strict and fail, the
// outcome word instead of the verdict ("~ 503", "✗ fake-complete"); a pass
// that went untested is "○ pass (not pooled)". A repeated
// scenario that did not always end the same way shows how often the graded
// outcome was seen: "✗ fake-complete (3/50)".
func (c Cell) Text() string {
	word := string(c.Verdict)
	if (c.Verdict == scenarios.VerdictNonStrict || c.Verdict == scenarios.VerdictFail) && c.Outcome != "" {
		word = string(c.Outcome)
		if len(c.Outcomes) > 1 {
			total := 0
			for _, n := range c.Outcomes {
				total += n
			}
			word += fmt.Sprintf(" (%d/%d)", c.Outcomes[c.Outcome], total)
		}
	}
	if c.Untested() {
		word += " (not pooled)"
	}
	return c.Mark() + " " + word
}

// OutcomeCounts lists every outcome seen with its count, most frequent first:
// "aborted ×48, fake-complete ×2"; "" when there was at most one outcome.
func (c Cell) OutcomeCounts() string {
	if len(c.Outcomes) < 2 {
		return ""
	}
	return scenarios.CountsText(c.Outcomes)
}

// citation is one cited section: "9112 §8" and its address at the RFC Editor.
type citation struct {
	Text, URL string
}

var rfcSection = regexp.MustCompile(`^RFC (\d{3,5}) §(\d+(?:\.\d+)*)$`)

// citations splits a row's spec into its sections. "RFC 9112 §8" becomes "9112 §8"
// with a link; anything else is kept as written, without one.
func citations(spec string) []citation {
	var out []citation
	for part := range strings.SplitSeq(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if m := rfcSection.FindStringSubmatch(part); m != nil {
			out = append(out, citation{m[1] + " §" + m[2], "https://www.rfc-editor.org/rfc/rfc" + m[1] + "#section-" + m[2]})
		} else {
			out = append(out, citation{Text: part})
		}
	}
	return out
}

// byteLines splits FirstBytes after each escaped line feed (`\n`), so that the
// bytes read as lines while every byte stays visible.
func byteLines(s string) []string {
	var lines []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			continue
		}
		i++ // the escaped character: `\\` is a backslash, `\n` a line feed
		if s[i] == 'n' {
			lines = append(lines, s[start:i+1])
			start = i + 1
		}
	}
	if start < len(s) {
		lines = append(lines, s[start:])
	}
	return lines
}
