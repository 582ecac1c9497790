package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/matrix"
	"github.com/gatecheck/gatecheck/scenarios"
)

// TestMatrixRunAndFrom runs one family against go-stdlib into a matrix, then
// builds the same matrix again from the saved reports without running anything:
// both give the same Markdown.
func TestMatrixRunAndFrom(t *testing.T) {
	if testing.Short() {
		t.Skip("runs scenarios")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out := t.TempDir()
	code, stdout, stderr := invoke(t, ctx, "matrix", "--targets", "go-stdlib", "--only", "status/*", "--out", out,
		"--baselines", "../../suites/baselines")
	if code != exitOK {
		t.Fatalf("matrix: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, name := range []string{"matrix.md", "matrix.html", "matrix.json", "reports/go-stdlib.json", "reports/go-stdlib.h2.json"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	m, err := matrix.Load(filepath.Join(out, "matrix.json"))
	if err != nil {
		t.Fatal(err)
	}
	// A column per client: go-stdlib over h1 and over h2.
	if got, want := len(m.Targets), 2; got != want || m.Targets[0].Client != scenarios.ClientH1 || m.Targets[1].Client != scenarios.ClientH2 {
		t.Errorf("got %d columns (%+v); want %d, h1 then h2", got, m.Targets, want)
	}
	first, _ := os.ReadFile(filepath.Join(out, "matrix.md"))

	again := t.TempDir()
	code, stdout, stderr = invoke(t, ctx, "matrix", "--from", filepath.Join(out, "reports"), "--only", "status/*", "--out", again)
	if code != exitOK {
		t.Fatalf("matrix --from: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	second, _ := os.ReadFile(filepath.Join(again, "matrix.md"))
	if string(first) != string(second) {
		t.Errorf("matrix --from gave different Markdown than the run it was saved from")
	}
}

func TestMatrixBadInput(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"matrix", "--jobs", "0"}, "--jobs 0"},
		{[]string{"matrix", "--from", t.TempDir()}, "no *.json reports"},
		{[]string{"matrix", "--targets", ","}, "names no target"},
	} {
		code, _, stderr := invoke(t, ctx, tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: got exit %d, %q; want exit 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

func TestReportDifferences(t *testing.T) {
	rep := func(verdict, outcome string) *harness.Report {
		return &harness.Report{Target: "x", Results: []harness.Result{
			{ID: "a/same", Verdict: scenarios.VerdictPass, Outcome: "passthrough"},
			{ID: "a/racy", Verdict: scenarios.Verdict(verdict), Outcome: scenarios.Outcome(outcome)},
		}}
	}
	var out strings.Builder
	runs := [][]*harness.Report{{rep("pass", "passthrough")}, {rep("non-strict", "502")}, {rep("pass", "passthrough")}}
	if got := reportDifferences(runs, &out); got != 1 {
		t.Errorf("got %d differing; want 1\n%s", got, out.String())
	}
	if !strings.Contains(out.String(), "differs: x h1 a/racy: pass passthrough | non-strict 502 | pass passthrough") {
		t.Errorf("output lacks the differing line:\n%s", out.String())
	}
}
