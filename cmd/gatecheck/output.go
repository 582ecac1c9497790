package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/scenarios"
)

// levels are the levels, strongest first.
var levels = []scenarios.Level{scenarios.Must, scenarios.Should, scenarios.May}

// writeResult prints one scenario's line and, for anything but a clean pass, the
// explanation under it, h2spec style:
//
//	✗ body/truncated-chunked (RFC 9112 §8, MUST)
//	    expected: aborted (no last-chunk reaches the client) or 502
//	      actual: 200, chunked, last-chunk present, 10 of 100 bytes
func writeResult(w io.Writer, r harness.Result) {
	mark := r.Verdict.Mark()
	untested := r.Verdict == scenarios.VerdictPass && r.Pool == harness.PoolUntested
	if untested {
		mark = scenarios.UntestedMark // a pass that is no evidence: the proxy never pooled
	}
	fmt.Fprintf(w, "%s %s (%s, %s)\n", mark, r.ID, r.Spec, strings.ToUpper(string(r.Level)))
	switch r.Verdict {
	case scenarios.VerdictPass:
		if untested {
			detail(w, "verdict", "pass ("+harness.Untested+")")
		}
	case scenarios.VerdictSkip:
		detail(w, "skipped", r.Actual)
	default:
		detail(w, "expected", r.Expected)
		detail(w, "actual", r.Actual)
	}
	if len(r.Outcomes) > 1 {
		detail(w, "outcomes", scenarios.CountsText(r.Outcomes))
	}
	for _, n := range r.Notes {
		detail(w, "note", n)
	}
}

// detail prints "label: text" indented so that the colons line up, continuation
// lines under the text.
func detail(w io.Writer, label, text string) {
	if text == "" {
		return
	}
	const width = 12 // "    expected"
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	fmt.Fprintf(w, "%*s: %s\n", width, label, lines[0])
	for _, l := range lines[1:] {
		fmt.Fprintf(w, "%*s  %s\n", width, "", l)
	}
}

// summaryLine is the run's last line:
//
//	63 scenarios: 40 pass, 5 non-strict, 16 fail (9 must, 7 should), 2 error — go-stdlib go1.26.8, 12.3s
func summaryLine(rep *harness.Report) string {
	s := rep.Summary
	n := len(rep.Results)
	parts := []string{fmt.Sprintf("%d pass", s.Pass)}
	if s.NonStrict > 0 {
		parts = append(parts, fmt.Sprintf("%d non-strict", s.NonStrict))
	}
	if s.Fail > 0 {
		var by []string
		for _, l := range levels {
			if c := s.ByLevel[l][scenarios.VerdictFail]; c > 0 {
				by = append(by, fmt.Sprintf("%d %s", c, l))
			}
		}
		parts = append(parts, fmt.Sprintf("%d fail (%s)", s.Fail, strings.Join(by, ", ")))
	}
	if s.Error > 0 {
		parts = append(parts, fmt.Sprintf("%d error", s.Error))
	}
	if s.Skip > 0 {
		parts = append(parts, fmt.Sprintf("%d skip", s.Skip))
	}
	target := rep.Target
	if rep.TargetVersion != "" {
		target += " " + rep.TargetVersion
	}
	elapsed := (time.Duration(rep.ElapsedMS) * time.Millisecond).Seconds()
	return fmt.Sprintf("%d %s: %s — %s, %.1fs", n, plural(n, "scenario"), strings.Join(parts, ", "), target, elapsed)
}

// writeBaselineDiffs prints the changes from a baseline, new failures first.
func writeBaselineDiffs(w io.Writer, path string, diffs []harness.BaselineDiff) {
	if len(diffs) == 0 {
		fmt.Fprintf(w, "baseline %s: no change\n", path)
		return
	}
	fmt.Fprintf(w, "baseline %s: %d change(s)\n", path, len(diffs))
	for _, kind := range harness.DiffKinds {
		for _, d := range diffs {
			if d.Kind == kind {
				fmt.Fprintf(w, "  %s\n", d)
			}
		}
	}
}
