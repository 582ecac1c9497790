package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/scenarios"
)

// runStatusFamily runs the status family against go-stdlib with extra flags.
func runStatusFamily(t *testing.T, extra ...string) (int, string, string) {
	t.Helper()
	if testing.Short() {
		t.Skip("runs scenarios")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return invoke(t, ctx, append([]string{"run", "--target", "go-stdlib", "--only", "status/*"}, extra...)...)
}

func TestRunBaseline(t *testing.T) {
	dir := t.TempDir()
	reportPath := filepath.Join(dir, "report.json")
	basePath := filepath.Join(dir, "go-stdlib.yaml")

	// Record a baseline of this run, then compare the next run with it.
	code, _, stderr := runStatusFamily(t, "--json", reportPath, "--update-baseline", basePath)
	if code == exitUsage {
		t.Fatalf("recording run: exit 2; stderr:\n%s", stderr)
	}
	var rep harness.Report
	data, err := os.ReadFile(reportPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("--json FILE: %v", err)
	}
	base, err := harness.LoadBaseline(basePath)
	if err != nil {
		t.Fatalf("--update-baseline wrote an unreadable baseline: %v", err)
	}
	nonPass := 0
	for _, r := range rep.Results {
		if r.Verdict != scenarios.VerdictPass {
			nonPass++
		}
	}
	if got, want := len(base.Entries), nonPass; got != want {
		t.Errorf("baseline: got %d entries; want %d (every non-pass verdict)", got, want)
	}

	code, stdout, stderr := runStatusFamily(t, "--baseline", basePath)
	if code != exitOK {
		t.Errorf("run against its own baseline: got exit %d; want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "no change") {
		t.Errorf("run against its own baseline: stdout lacks \"no change\":\n%s", stdout)
	}

	// A baseline that lists nothing: every non-pass verdict is a new failure.
	if len(base.Entries) == 0 {
		t.Skip("go-stdlib passes every status scenario: nothing to change")
	}
	empty := filepath.Join(dir, "empty.yaml")
	if err := os.WriteFile(empty, []byte("target: go-stdlib\nentries: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ = runStatusFamily(t, "--baseline", empty)
	if code != exitFindings {
		t.Errorf("run against an empty baseline: got exit %d; want 1", code)
	}
	if !strings.Contains(stdout, "new "+base.Entries[0].ID) {
		t.Errorf("run against an empty baseline: stdout does not name %s as new:\n%s", base.Entries[0].ID, stdout)
	}
}

func TestRunFailOn(t *testing.T) {
	// go-stdlib fails some status scenarios (should level) and passes none at must
	// that it fails; --fail-on must therefore exits 0 unless a must fails.
	code, stdout, stderr := runStatusFamily(t, "--fail-on", "must", "--json", "-")
	if code == exitUsage {
		t.Fatalf("exit 2; stderr:\n%s", stderr)
	}
	var rep harness.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	mustFails := 0
	for _, r := range rep.Results {
		if r.Verdict == scenarios.VerdictFail && r.Level == "must" {
			mustFails++
		}
	}
	want := exitOK
	if mustFails > 0 {
		want = exitFindings
	}
	if code != want {
		t.Errorf("--fail-on must: got exit %d; want %d (must failures: %d)", code, want, mustFails)
	}
}

func TestVersion(t *testing.T) {
	code, stdout, _ := invoke(t, context.Background(), "version")
	if code != exitOK || !strings.HasPrefix(stdout, "gatecheck "+harness.Version+" ") {
		t.Errorf("version: got exit %d, %q; want 0 and \"gatecheck %s (go…)\"", code, stdout, harness.Version)
	}
}
