package suites_test

import (
	"strings"
	"testing"

	"github.com/onsi/gomega/types"

	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/suites"
)

func TestMatchers(t *testing.T) {
	fail := harness.Result{ID: "body/truncated-chunked", Spec: "RFC 9112 §8", Level: scenarios.Must,
		Verdict: scenarios.VerdictFail, Outcome: "fake-complete", Expected: "aborted or 502", Actual: "200, last-chunk present"}
	nonStrict := harness.Result{ID: "conn/refused", Level: scenarios.Should, Verdict: scenarios.VerdictNonStrict, Outcome: "503"}
	base := &harness.Baseline{Target: "go-stdlib", Entries: []harness.BaselineEntry{
		{ID: "body/truncated-chunked", Verdict: scenarios.VerdictFail, Outcome: "fake-complete", Reason: "known"},
	}}
	tests := []struct {
		name    string
		matcher types.GomegaMatcher
		actual  any
		want    bool
	}{
		{"Pass on fail", suites.Pass(), fail, false},
		{"Pass on *non-strict", suites.Pass(), &nonStrict, true},
		{"BeVerdict(fail) on fail", suites.BeVerdict(scenarios.VerdictFail), fail, true},
		{"MatchBaseline on a listed fail", suites.MatchBaseline(base), fail, true},
		{"MatchBaseline on an unlisted non-strict", suites.MatchBaseline(base), nonStrict, false},
	}
	for _, tt := range tests {
		got, err := tt.matcher.Match(tt.actual)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got != tt.want {
			t.Errorf("%s: got %v; want %v", tt.name, got, tt.want)
		}
	}
	msg := suites.Pass().FailureMessage(fail)
	for _, want := range []string{"got fail, want pass or non-strict", "body/truncated-chunked (RFC 9112 §8, MUST)", "expected: aborted or 502", "actual: 200, last-chunk present"} {
		if !strings.Contains(msg, want) {
			t.Errorf("failure message lacks %q:\n%s", want, msg)
		}
	}
	if _, err := suites.Pass().Match("pass"); err == nil {
		t.Error("Pass().Match(a string): got no error; want one")
	}
}
