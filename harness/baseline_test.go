package harness

import (
	"testing"

	"github.com/gatecheck/gatecheck/scenarios"
)

func TestBaselineCompare(t *testing.T) {
	b := &Baseline{Entries: []BaselineEntry{
		{ID: "a/known", Verdict: scenarios.VerdictFail, Outcome: "hung"},
		{ID: "a/fixed", Verdict: scenarios.VerdictFail, Outcome: "hung"},
		{ID: "a/racy", Verdict: scenarios.VerdictNonStrict, Outcome: "502", Racy: true},
		{ID: "a/racy-changed", Verdict: scenarios.VerdictNonStrict, Outcome: "502", Racy: true},
	}}
	rep := &Report{Results: []Result{
		{ID: "a/known", Level: scenarios.Must, Verdict: scenarios.VerdictFail, Outcome: "hung"},
		{ID: "a/fixed", Verdict: scenarios.VerdictPass, Outcome: "aborted"},
		{ID: "a/new", Verdict: scenarios.VerdictFail, Outcome: "fake-complete"},
		{ID: "a/racy", Verdict: scenarios.VerdictPass, Outcome: "passthrough"},
		{ID: "a/racy-changed", Verdict: scenarios.VerdictFail, Outcome: "no-response"},
		// An h2-only row in an h1 run: a skip no baseline lists, and no difference.
		{ID: "a/h2-only", Verdict: scenarios.VerdictSkip, Outcome: scenarios.OutcomeNone, Actual: "runs over h2 only (clients: [h2]), not over h1"},
		{ID: "a/skipped", Verdict: scenarios.VerdictSkip, Outcome: scenarios.OutcomeNone, Actual: "not run: context canceled"},
	}}
	got := map[string]string{}
	for _, d := range b.Compare(rep) {
		got[d.ID] = string(d.Kind)
	}
	want := map[string]string{"a/fixed": "fixed", "a/new": "new", "a/racy-changed": "changed", "a/skipped": "new"}
	if len(got) != len(want) {
		t.Errorf("got %v; want %v", got, want)
	}
	for id, kind := range want {
		if got[id] != kind {
			t.Errorf("%s: got %q; want %q", id, got[id], kind)
		}
	}
	// Regenerating keeps a racy entry the run did not show.
	nb := NewBaseline(rep, b)
	var kept bool
	for _, e := range nb.Entries {
		kept = kept || (e.ID == "a/racy" && e.Racy)
	}
	if !kept {
		t.Errorf("NewBaseline dropped the racy entry: %+v", nb.Entries)
	}
	for _, e := range nb.Entries {
		if e.ID == "a/h2-only" {
			t.Errorf("NewBaseline recorded the skip of a row the run's client does not run: %+v", e)
		}
	}
}
