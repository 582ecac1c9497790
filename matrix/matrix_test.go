package matrix

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/scenarios"
)

// hostileBytes is what a proxy might send a client: markup that must stay text.
const hostileBytes = `HTTP/1.1 200 OK\r\nX-Evil: <script>alert(1)</script>\r\n\r\n<img src=x onerror=alert(2)>"'&amp;`

// fixture is a small catalogue and three targets' reports over it: a repeated
// scenario, an error, a missing result, a family the catalogue does not know,
// and hostile bytes and log.
func fixture(t testing.TB) ([]*scenarios.Scenario, []*harness.Report) {
	t.Helper()
	sc := func(id string, level scenarios.Level, spec string, also ...string) *scenarios.Scenario {
		return &scenarios.Scenario{ID: id, Summary: "summary of " + id, Level: level,
			Spec: scenarios.Spec{Section: spec, Also: also, Quote: "quote of " + id}}
	}
	// Deliberately not in catalogue order: Build groups by family.
	scs := []*scenarios.Scenario{
		sc("pass/ok", scenarios.Must, "RFC 9110 §7.7"),
		sc("body/truncated-chunked", scenarios.Must, "RFC 9112 §8"),
		sc("conn/refused", scenarios.Should, "RFC 9110 §15.6.3"),
		sc("header/nul-in-value", scenarios.Must, "RFC 9110 §5.5"),
		sc("timeout/no-response", scenarios.Should, "RFC 9110 §15.6.5"),
		sc("pass/early-4xx-then-reset-400", scenarios.May, "RFC 9112 §9.6"),
		sc("custom/thing", scenarios.Must, "my notes"),
	}
	ok := func(id string) harness.Result {
		return harness.Result{ID: id, Verdict: scenarios.VerdictPass, Outcome: "passthrough", Expected: "passthrough", Actual: "200 relayed"}
	}
	res := func(id string, v scenarios.Verdict, outcome, actual string) harness.Result {
		return harness.Result{ID: id, Verdict: v, Outcome: scenarios.Outcome(outcome), Expected: "expected of " + id, Actual: actual}
	}
	fake := res("body/truncated-chunked", scenarios.VerdictFail, "fake-complete", "200, chunked, last-chunk present, 30 bytes — truncation presented as complete")
	fake.FirstBytes = hostileBytes
	fake.Log = "line one\n<img src=x onerror=alert(3)>\n"
	repeated := res("pass/early-4xx-then-reset-400", scenarios.VerdictNonStrict, "502", "502 from the proxy (worst of 50 runs: passthrough ×48, 502 ×2)")
	repeated.Outcomes = map[scenarios.Outcome]int{"passthrough": 48, "502": 2}
	notPooled := ok("pass/ok")
	notPooled.Notes = []string{"not pooled"}

	report := func(name, version string, results ...harness.Result) *harness.Report {
		for i := range results {
			for _, s := range scs {
				if s.ID == results[i].ID {
					results[i].Summary, results[i].Spec, results[i].Level = s.Summary, s.Spec.String(), s.Level
				}
			}
		}
		return &harness.Report{SchemaVersion: harness.SchemaVersion, GatecheckVersion: "0.1.0-test", Target: name, TargetVersion: version,
			Timeouts: scenarios.DefaultTimeouts(), Results: results, Summary: harness.Summarize(results)}
	}
	return scs, []*harness.Report{
		report("nginx", "nginx/1.22.1",
			ok("pass/ok"), fake, res("conn/refused", scenarios.VerdictPass, "502", "502 from the proxy"),
			ok("header/nul-in-value"), res("timeout/no-response", scenarios.VerdictPass, "504", "504 from the proxy"),
			repeated, ok("custom/thing")),
		report("haproxy", "2.6.12",
			notPooled, ok("body/truncated-chunked"), res("conn/refused", scenarios.VerdictNonStrict, "503", "503 from the proxy"),
			res("header/nul-in-value", scenarios.VerdictError, "", "client: connection refused by the proxy"),
			res("timeout/no-response", scenarios.VerdictNonStrict, "502", "502 from the proxy"),
			ok("pass/early-4xx-then-reset-400"), ok("custom/thing")),
		report("go-stdlib", "go1.26.8",
			ok("pass/ok"), res("body/truncated-chunked", scenarios.VerdictSkip, "", "interrupted"),
			res("conn/refused", scenarios.VerdictPass, "502", "502 from the proxy"), res("header/nul-in-value", scenarios.VerdictFail, "raw-relay", "NUL forwarded"),
			res("timeout/no-response", scenarios.VerdictPass, "504", "504"), ok("pass/early-4xx-then-reset-400"),
			res("extra/only-in-report", scenarios.VerdictPass, "502", "502")), // no custom/thing; one id not in scs
	}
}

// built is the fixture's matrix.
func built(t testing.TB) *Matrix {
	t.Helper()
	return Build(fixture(t))
}

func TestBuild(t *testing.T) {
	m := built(t)
	var ids []string
	for _, r := range m.Rows {
		ids = append(ids, r.Family+" "+r.ID)
	}
	want := []string{"T conn/refused", "T timeout/no-response", "H header/nul-in-value", "B body/truncated-chunked",
		"P pass/ok", "P pass/early-4xx-then-reset-400", "custom custom/thing", "extra extra/only-in-report"}
	if !reflect.DeepEqual(ids, want) {
		t.Errorf("rows:\n got %q\nwant %q", ids, want)
	}
	var fams []string
	for _, f := range m.Families {
		fams = append(fams, f.Name+" "+f.Title+" "+joinFamilies(f.Labels, "+"))
	}
	wantFams := []string{"T Timeouts and connection faults conn+timeout", "H Header section header", "B Body broken after the head body",
		"P Passthrough of valid responses pass", "custom custom custom", "extra extra extra"}
	if !reflect.DeepEqual(fams, wantFams) {
		t.Errorf("families:\n got %q\nwant %q", fams, wantFams)
	}
	if m.GatecheckVersion != "0.1.0-test" || !m.Generated.IsZero() || m.SchemaVersion != SchemaVersion {
		t.Errorf("matrix: version %q, generated %v, schema %d; want 0.1.0-test, zero, %d", m.GatecheckVersion, m.Generated, m.SchemaVersion, SchemaVersion)
	}

	scores := []struct {
		label        string
		score        Score
		pass, ns, fl int
		errs, skips  int
	}{
		// must rows: header/nul-in-value, body/truncated-chunked, pass/ok, custom/thing.
		{"nginx 1.22.1 h1", Score{3, 4, 75}, 5, 1, 1, 0, 1},
		{"haproxy 2.6.12 h1", Score{3, 4, 75}, 4, 2, 0, 1, 1},
		{"go-stdlib go1.26.8 h1", Score{1, 4, 25}, 5, 0, 1, 0, 2},
	}
	for i, want := range scores {
		c := m.Targets[i]
		s := c.Summary
		if c.Label() != want.label || c.Score != want.score || s.Pass != want.pass || s.NonStrict != want.ns || s.Fail != want.fl || s.Error != want.errs || s.Skip != want.skips {
			t.Errorf("target %d: got %s %+v %+v; want %s %+v pass %d non-strict %d fail %d error %d skip %d",
				i, c.Label(), c.Score, s, want.label, want.score, want.pass, want.ns, want.fl, want.errs, want.skips)
		}
	}
	if got := m.Targets[1].ByLevel[scenarios.Must]; got != (Counts{Pass: 3, Error: 1}) {
		t.Errorf("haproxy must counts: got %+v; want 3 pass, 1 error", got)
	}

	custom := m.Rows[6]
	if c := custom.Cells[2]; c.Verdict != scenarios.VerdictSkip || c.Actual != "not in this target's report" {
		t.Errorf("custom/thing for go-stdlib: got %s %q; want a skip saying it is not in the report", c.Verdict, c.Actual)
	}
	extra := m.Rows[7]
	if extra.Cells[0].Verdict != scenarios.VerdictSkip || extra.Cells[2].Verdict != scenarios.VerdictPass {
		t.Errorf("extra/only-in-report: got %s, %s; want skip for nginx, pass for go-stdlib", extra.Cells[0].Verdict, extra.Cells[2].Verdict)
	}
	if r := m.Rows[0]; r.Spec != "RFC 9110 §15.6.3" || r.Quote != "quote of conn/refused" || r.Level != scenarios.Should {
		t.Errorf("conn/refused row: got %q %q %s; want the scenario's spec, quote and level", r.Spec, r.Quote, r.Level)
	}
}

func TestBuildNoReports(t *testing.T) {
	scs, _ := fixture(t)
	m := Build(scs, nil)
	if len(m.Targets) != 0 || len(m.Rows) != len(scs) {
		t.Fatalf("no reports: got %d targets, %d rows; want 0, %d", len(m.Targets), len(m.Rows), len(scs))
	}
	for _, w := range []func(*bytes.Buffer) error{
		func(b *bytes.Buffer) error { return m.WriteMarkdown(b) },
		func(b *bytes.Buffer) error { return m.WriteHTML(b) },
		func(b *bytes.Buffer) error { return m.WriteJSON(b) },
	} {
		var b bytes.Buffer
		if err := w(&b); err != nil {
			t.Errorf("writing a matrix without targets: %v", err)
		}
	}
}

func TestCellText(t *testing.T) {
	tests := []struct {
		c    Cell
		want string
	}{
		{Cell{Verdict: scenarios.VerdictPass, Outcome: "502"}, "✓ pass"},
		{Cell{Verdict: scenarios.VerdictNonStrict, Outcome: "503"}, "~ 503"},
		{Cell{Verdict: scenarios.VerdictFail, Outcome: "fake-complete"}, "✗ fake-complete"},
		{Cell{Verdict: scenarios.VerdictFail}, "✗ fail"},
		{Cell{Verdict: scenarios.VerdictError, Outcome: "x"}, "! error"},
		{Cell{Verdict: scenarios.VerdictSkip}, "- skip"},
		{Cell{Verdict: "odd"}, "? odd"},
		{Cell{Verdict: scenarios.VerdictFail, Outcome: "fake-complete", Outcomes: map[scenarios.Outcome]int{"aborted": 47, "fake-complete": 3}}, "✗ fake-complete (3/50)"},
		{Cell{Verdict: scenarios.VerdictPass, Outcome: "aborted", Outcomes: map[scenarios.Outcome]int{"aborted": 47, "502": 3}}, "✓ pass"},
		{Cell{Verdict: scenarios.VerdictPass, Outcome: "passthrough", Pool: harness.PoolUntested}, "○ pass (not pooled)"},
		{Cell{Verdict: scenarios.VerdictPass, Outcome: "passthrough", Pool: harness.PoolDiscarded}, "✓ pass"},
		{Cell{Verdict: scenarios.VerdictPass, Outcome: "passthrough", Pool: harness.PoolReused}, "✓ pass"},
		{Cell{Verdict: scenarios.VerdictFail, Outcome: "raw-relay", Pool: harness.PoolUntested}, "✗ raw-relay"},
	}
	for _, tt := range tests {
		if got := tt.c.Text(); got != tt.want {
			t.Errorf("Text(%+v): got %q; want %q", tt.c, got, tt.want)
		}
	}
	c := Cell{Outcomes: map[scenarios.Outcome]int{"502": 2, "aborted": 2, "passthrough": 46}}
	if got, want := c.OutcomeCounts(), "passthrough ×46, 502 ×2, aborted ×2"; got != want {
		t.Errorf("OutcomeCounts: got %q; want %q", got, want)
	}
}

func TestColumnLabel(t *testing.T) {
	tests := []struct {
		name, version string
		client        scenarios.Client
		want          string
	}{
		{"apache", "apache/2.4.71", "", "apache 2.4.71"},
		{"nginx", "NGINX/1.22.1", "h1", "nginx 1.22.1 h1"},
		{"go-stdlib", "go1.26.8", "h2-tls", "go-stdlib go1.26.8 h2-tls"},
		{"external", "", "h2", "external h2"},
		{"nginx", "nginx/", "", "nginx nginx/"},
	}
	for _, tt := range tests {
		if got := (Column{Name: tt.name, Version: tt.version, Client: tt.client}).Label(); got != tt.want {
			t.Errorf("Label(%q, %q): got %q; want %q", tt.name, tt.version, got, tt.want)
		}
	}
}

func TestTrimLog(t *testing.T) {
	var long []string
	for i := range 100 {
		long = append(long, "line "+strings.Repeat("x", i%7))
	}
	got := trimLog(strings.Join(long, "\n") + "\n")
	lines := strings.Split(got, "\n")
	if len(lines) != logLines+1 || lines[0] != "…" || lines[len(lines)-1] != long[99] {
		t.Errorf("100 lines: got %d lines from %q to %q; want …, then the last %d", len(lines), lines[0], lines[len(lines)-1], logLines)
	}
	wide := strings.Repeat(strings.Repeat("y", 999)+"\n", 5)
	if got := trimLog(wide); len(got) > logBytes+len("…\n") || !strings.HasPrefix(got, "…\n") {
		t.Errorf("5 lines of 1000 bytes: got %d bytes; want at most %d, starting with …", len(got), logBytes)
	}
	if got := trimLog("a\nb\n"); got != "a\nb" {
		t.Errorf("short log: got %q; want it whole", got)
	}
}

func TestByteLines(t *testing.T) {
	got := byteLines(`HTTP/1.1 200\r\nX: a\\n\r\n\r\nbody`)
	want := []string{`HTTP/1.1 200\r\n`, `X: a\\n\r\n`, `\r\n`, `body`}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("byteLines:\n got %q\nwant %q", got, want)
	}
}

func TestCitations(t *testing.T) {
	got := citations("RFC 9112 §8, RFC 9110 §15.6.3, my notes")
	want := []citation{
		{"9112 §8", "https://www.rfc-editor.org/rfc/rfc9112#section-8"},
		{"9110 §15.6.3", "https://www.rfc-editor.org/rfc/rfc9110#section-15.6.3"},
		{Text: "my notes"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("citations:\n got %+v\nwant %+v", got, want)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	m := built(t)
	m.Generated = time.Date(2026, 11, 27, 4, 0, 0, 0, time.UTC)
	var first bytes.Buffer
	if err := m.WriteJSON(&first); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "matrix.json")
	if err := os.WriteFile(path, first.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	back, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if !reflect.DeepEqual(back, m) {
		t.Errorf("Load(WriteJSON(m)) differs from m:\n got %+v\nwant %+v", back, m)
	}
	var second bytes.Buffer
	if err := back.WriteJSON(&second); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		t.Error("WriteJSON after Load gives different bytes")
	}
	for _, s := range []string{`"schema_version": 1`, `"must_passed": 3`, `"non-strict": 1`, `"generated": "2026-11-27T04:00:00Z"`, `"502": 2`} {
		if !strings.Contains(first.String(), s) {
			t.Errorf("matrix.json lacks %s", s)
		}
	}
}

func TestLoadRejects(t *testing.T) {
	tests := []struct{ name, json, want string }{
		{"unknown field", `{"schema_version":1,"targets":[],"families":[],"rows":[],"colour":"red"}`, `unknown field "colour"`},
		{"schema", `{"schema_version":2,"targets":[],"families":[],"rows":[]}`, "schema version 2"},
		{"cells", `{"schema_version":1,"targets":[{"name":"a"}],"families":[{"name":"T"}],"rows":[{"id":"conn/x","family":"T","cells":[]}]}`, `row "conn/x": 0 cells for 1 targets`},
		{"family", `{"schema_version":1,"targets":[],"families":[],"rows":[{"id":"conn/x","family":"T","cells":[]}]}`, `family "T" is not listed`},
		{"trailing", `{"schema_version":1,"targets":[],"families":[],"rows":[]} {}`, "data after the matrix"},
		{"not json", `<html>`, "invalid character"},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-")+".json")
		if err := os.WriteFile(path, []byte(tt.json), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "matrix "+path+": ") {
			t.Errorf("%s: got error %v; want \"matrix %s: …%s…\"", tt.name, err, path, tt.want)
		}
	}
	if _, err := Load(filepath.Join(dir, "missing.json")); err == nil || !strings.HasPrefix(err.Error(), "matrix: open ") {
		t.Errorf("missing file: got %v; want \"matrix: open …\"", err)
	}
}

// TestProtocolDiffs: a target's h1 and h2 columns are compared row by row; a
// skip on either side is no difference, and another target's column is never
// its pair.
func TestProtocolDiffs(t *testing.T) {
	scs := []*scenarios.Scenario{
		{ID: "body/a", Level: scenarios.Must}, {ID: "body/b", Level: scenarios.Must}, {ID: "interim/c", Level: scenarios.Must},
	}
	res := func(id string, v scenarios.Verdict, o string) harness.Result {
		return harness.Result{ID: id, Verdict: v, Outcome: scenarios.Outcome(o)}
	}
	rep := func(name string, client scenarios.Client, rs ...harness.Result) *harness.Report {
		return &harness.Report{Target: name, Client: client, Results: rs}
	}
	m := Build(scs, []*harness.Report{
		rep("nginx", scenarios.ClientH1, res("body/a", "pass", "aborted"), res("body/b", "pass", "aborted"), res("interim/c", "pass", "passthrough")),
		rep("nginx", scenarios.ClientH2, res("body/a", "fail", "fake-complete"), res("body/b", "pass", "aborted"), res("interim/c", "skip", "none")),
		rep("caddy", scenarios.ClientH2, res("body/a", "pass", "aborted"), res("body/b", "fail", "raw-relay"), res("interim/c", "pass", "passthrough")),
	})
	got := m.ProtocolDiffs()
	if len(got) != 1 || got[0].ID != "body/a" || got[0].Target != "nginx" || got[0].Was != "✓ pass" || !strings.Contains(got[0].Now, "fake-complete") {
		t.Fatalf("got %+v; want one: nginx body/a, pass then fake-complete", got)
	}
	var md bytes.Buffer
	if err := m.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "## Where HTTP/2 differs from HTTP/1.1") || !strings.Contains(md.String(), "| nginx h1 → h2 | [body/a]") {
		t.Errorf("markdown lacks the differing row:\n%s", md.String())
	}
}
