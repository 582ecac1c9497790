package harness

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/gatecheck/gatecheck/scenarios"
)

func TestSummaryJSONRoundTrip(t *testing.T) {
	want := Summarize([]Result{
		{Level: scenarios.Must, Verdict: scenarios.VerdictPass},
		{Level: scenarios.Must, Verdict: scenarios.VerdictNonStrict},
		{Level: scenarios.Should, Verdict: scenarios.VerdictFail},
		{Level: scenarios.May, Verdict: scenarios.VerdictError},
		{Level: scenarios.May, Verdict: scenarios.VerdictSkip},
	})
	data, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	var got Summary
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v; want %+v (from %s)", got, want, data)
	}
}

func TestRelevantLog(t *testing.T) {
	log := "a GET /gatecheck/x/aaa/0 502\nb other\nc GET /gatecheck/y/bbb/0 200\n"
	if got, want := relevantLog(log, []string{"aaa"}, 100), "a GET /gatecheck/x/aaa/0 502\n"; got != want {
		t.Errorf("got %q; want %q", got, want)
	}
	if got := relevantLog(log, []string{"zzz"}, 100); !strings.HasPrefix(got, "(no line names") || !strings.HasSuffix(got, log) {
		t.Errorf("got %q; want the marked tail", got)
	}
	if got := relevantLog("", []string{"zzz"}, 100); got != "" {
		t.Errorf("got %q; want empty", got)
	}
}
