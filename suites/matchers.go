package suites

import (
	"fmt"
	"slices"
	"strings"

	"github.com/onsi/gomega/types"

	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/scenarios"
)

// Pass succeeds when a harness.Result's verdict is pass or non-strict (handled
// safely, not as the RFC prefers). On failure it prints the scenario, its RFC
// section and level, and expected and actual.
func Pass() types.GomegaMatcher {
	return BeVerdict(scenarios.VerdictPass, scenarios.VerdictNonStrict)
}

// BeVerdict succeeds when a harness.Result (or *harness.Result) has one of the
// given verdicts.
func BeVerdict(verdicts ...scenarios.Verdict) types.GomegaMatcher {
	return &verdictMatcher{want: verdicts}
}

// MatchBaseline succeeds when a harness.Result does not change from what the
// baseline lists for it: a listed verdict and outcome, or a pass when it is not
// listed.
func MatchBaseline(b *harness.Baseline) types.GomegaMatcher {
	return &baselineMatcher{baseline: b}
}

type verdictMatcher struct{ want []scenarios.Verdict }

var _ types.GomegaMatcher = (*verdictMatcher)(nil)

func (m *verdictMatcher) Match(actual any) (bool, error) {
	r, err := asResult(actual)
	if err != nil {
		return false, err
	}
	return slices.Contains(m.want, r.Verdict), nil
}

func (m *verdictMatcher) FailureMessage(actual any) string {
	r, _ := asResult(actual)
	return fmt.Sprintf("gatecheck: got %s, want %s\n%s", r.Verdict, verdictList(m.want), describe(r))
}

func (m *verdictMatcher) NegatedFailureMessage(actual any) string {
	r, _ := asResult(actual)
	return fmt.Sprintf("gatecheck: got %s, want anything but %s\n%s", r.Verdict, verdictList(m.want), describe(r))
}

type baselineMatcher struct{ baseline *harness.Baseline }

var _ types.GomegaMatcher = (*baselineMatcher)(nil)

func (m *baselineMatcher) Match(actual any) (bool, error) {
	r, err := asResult(actual)
	if err != nil {
		return false, err
	}
	if m.baseline == nil {
		return false, fmt.Errorf("MatchBaseline: nil baseline")
	}
	return len(m.diffs(r)) == 0, nil
}

func (m *baselineMatcher) diffs(r harness.Result) []harness.BaselineDiff {
	return m.baseline.Compare(&harness.Report{Results: []harness.Result{r}})
}

func (m *baselineMatcher) FailureMessage(actual any) string {
	r, _ := asResult(actual)
	var lines []string
	for _, d := range m.diffs(r) {
		lines = append(lines, d.String())
	}
	return fmt.Sprintf("gatecheck: changed from the baseline for %s: %s\n%s", m.baseline.Target, strings.Join(lines, "; "), describe(r))
}

func (m *baselineMatcher) NegatedFailureMessage(actual any) string {
	r, _ := asResult(actual)
	return fmt.Sprintf("gatecheck: unchanged from the baseline for %s, want a change\n%s", m.baseline.Target, describe(r))
}

// asResult accepts a harness.Result or a non-nil *harness.Result.
func asResult(actual any) (harness.Result, error) {
	switch r := actual.(type) {
	case harness.Result:
		return r, nil
	case *harness.Result:
		if r != nil {
			return *r, nil
		}
	}
	return harness.Result{}, fmt.Errorf("gatecheck matcher: want a harness.Result, got %T", actual)
}

// verdictList is "pass or non-strict".
func verdictList(vs []scenarios.Verdict) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = string(v)
	}
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// describe explains a result the way the CLI does: the scenario, its RFC section
// and level, then expected, actual, outcomes, notes and the first bytes received.
func describe(r harness.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s, %s): %s", r.ID, r.Spec, strings.ToUpper(string(r.Level)), r.Verdict)
	if r.Outcome != "" {
		fmt.Fprintf(&b, ", outcome %s", r.Outcome)
	}
	b.WriteString("\n")
	line := func(label, text string) {
		if text != "" {
			fmt.Fprintf(&b, "%12s: %s\n", label, strings.ReplaceAll(strings.TrimRight(text, "\n"), "\n", "\n"+strings.Repeat(" ", 14)))
		}
	}
	line("expected", r.Expected)
	line("actual", r.Actual)
	for _, n := range r.Notes {
		line("note", n)
	}
	if r.FirstBytes != "" {
		line("first bytes", r.FirstBytes)
	}
	if r.Log != "" {
		line("proxy log", r.Log)
	}
	return b.String()
}
