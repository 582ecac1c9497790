package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/scenarios"
)

// invoke runs the CLI in-process with args and returns the exit code, stdout and
// stderr.
func invoke(t testing.TB, ctx context.Context, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := dispatch(ctx, args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// writeTemp writes a file into a fresh temp dir and returns its path.
func writeTemp(t testing.TB, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestUsageErrors(t *testing.T) {
	typo := writeTemp(t, "typo.yaml", "id: my/typo\nsummary: a typo\nwirte: \"x\"\n")
	tests := []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"no command", nil, "usage"},
		{"unknown command", []string{"rnu"}, `unknown command "rnu"`},
		{"unknown flag", []string{"run", "--target", "go-stdlib", "--bogus"}, "-bogus"},
		{"no target", []string{"run"}, "--target is required"},
		{"unknown target", []string{"run", "--target", "no-such-proxy"}, "no-such-proxy"},
		{"only matches nothing", []string{"run", "--target", "go-stdlib", "--only", "no-such-family/*"}, "no-such-family/*"},
		{"bad fail-on", []string{"run", "--target", "go-stdlib", "--fail-on", "sometimes"}, "--fail-on"},
		{"unknown client", []string{"run", "--target", "go-stdlib", "--client", "h3"}, `--client "h3": unknown client "h3"`},
		{"baseline with two clients", []string{"run", "--target", "go-stdlib", "--client", "h1,h2", "--baseline", "x.yaml"}, "give one --client"},
		{"bad parallel", []string{"run", "--target", "go-stdlib", "--parallel", "-1"}, "--parallel"},
		{"bad retries", []string{"run", "--target", "go-stdlib", "--retries", "-1"}, "--retries"},
		{"bad timeout", []string{"run", "--target", "go-stdlib", "--read-timeout", "soon"}, "-read-timeout"},
		{"invalid scenario file", []string{"run", "--target", "go-stdlib", "--scenarios", typo}, "typo.yaml:"},
		{"missing scenario file", []string{"run", "--target", "go-stdlib", "--scenarios", "no/such.yaml"}, "no/such.yaml"},
		{"missing baseline", []string{"run", "--target", "go-stdlib", "--baseline", "no/such-baseline.yaml"}, "no/such-baseline.yaml"},
		{"no-builtin alone", []string{"list", "--no-builtin"}, "--scenarios"},
		{"lint nothing", []string{"lint"}, "no files"},
		{"stray argument", []string{"run", "--target", "go-stdlib", "extra.yaml"}, `"extra.yaml"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := invoke(t, context.Background(), tt.args...)
			if code != exitUsage {
				t.Errorf("exit code: got %d; want %d (stderr %q)", code, exitUsage, stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr: got %q; want it to mention %q", stderr, tt.want)
			}
			if n := strings.Count(strings.TrimSpace(stderr), "\n"); tt.args != nil && n > 0 && tt.name != "invalid scenario file" {
				t.Errorf("stderr: got %d lines; want one clear line: %q", n+1, stderr)
			}
		})
	}
}

func TestHelpExitsZero(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"run", "-h"}, {"serve", "--help"}, {"lint", "-h"}} {
		code, stdout, _ := invoke(t, context.Background(), args...)
		if code != exitOK || !strings.Contains(stdout, "usage") {
			t.Errorf("%v: got exit %d, stdout %q; want 0 and a usage text", args, code, stdout)
		}
	}
}

func TestLint(t *testing.T) {
	typo := writeTemp(t, "typo.yaml", "id: my/typo\nsummary: a typo\nwirte: \"x\"\n")
	code, stdout, stderr := invoke(t, context.Background(), "lint", typo)
	if code != exitUsage {
		t.Errorf("lint of a bad file: got exit %d; want %d", code, exitUsage)
	}
	if !regexp.MustCompile(`(?m)^.*typo\.yaml:\d+: `).MatchString(stderr) {
		t.Errorf("lint of a bad file: stderr %q; want file:line: lines", stderr)
	}
	if stdout != "" {
		t.Errorf("lint of a bad file: stdout %q; want nothing", stdout)
	}

	code, stdout, stderr = invoke(t, context.Background(), "lint", "../../scenarios/catalogue")
	if code != exitOK {
		t.Fatalf("lint of the built-in catalogue: got exit %d (stderr %q); want 0", code, stderr)
	}
	if !regexp.MustCompile(`^ok: \d+ scenarios? in \d+ files?\n$`).MatchString(stdout) {
		t.Errorf("lint of the built-in catalogue: stdout %q; want \"ok: N scenarios in M files\"", stdout)
	}
}

func TestListJSON(t *testing.T) {
	code, stdout, stderr := invoke(t, context.Background(), "list", "--json")
	if code != exitOK {
		t.Fatalf("list --json: exit %d, stderr %q", code, stderr)
	}
	var entries []map[string]any
	if err := json.Unmarshal([]byte(stdout), &entries); err != nil {
		t.Fatalf("list --json: %v", err)
	}
	if len(entries) == 0 {
		t.Fatal("list --json: no scenarios")
	}
	for _, e := range entries {
		for _, k := range []string{"id", "summary", "spec", "level", "tags"} {
			if _, ok := e[k]; !ok {
				t.Errorf("%v: lacks %q", e["id"], k)
			}
		}
		if _, ok := e["spec"].(string); !ok {
			t.Errorf("%v: spec %v; want a string", e["id"], e["spec"])
		}
	}
	code, stdout, _ = invoke(t, context.Background(), "list")
	if code != exitOK || !strings.HasPrefix(stdout, "ID ") {
		t.Errorf("list: exit %d, stdout %q; want a table with a header", code, stdout)
	}
}

func TestRunJSONAndJUnit(t *testing.T) {
	if testing.Short() {
		t.Skip("runs scenarios")
	}
	junitPath := filepath.Join(t.TempDir(), "junit.xml")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code, stdout, stderr := invoke(t, ctx, "run", "--target", "go-stdlib", "--only", "pass/*", "--json", "-", "--junit", junitPath)
	if code != exitOK && code != exitFindings {
		t.Fatalf("run: got exit %d; want 0 or 1; stderr:\n%s", code, stderr)
	}
	var rep harness.Report
	dec := json.NewDecoder(strings.NewReader(stdout))
	if err := dec.Decode(&rep); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, stdout)
	}
	if dec.More() {
		t.Errorf("stdout carries more than one JSON value")
	}
	if rep.SchemaVersion != 1 || len(rep.Results) == 0 || rep.Target == "" {
		t.Errorf("report: schema %d, %d results, target %q; want 1, some, go-stdlib", rep.SchemaVersion, len(rep.Results), rep.Target)
	}
	for _, r := range rep.Results {
		if !strings.Contains(stderr, r.ID) {
			t.Errorf("stderr lacks the human line for %s", r.ID)
		}
	}
	if !strings.Contains(stderr, "scenario") || !strings.Contains(stderr, " pass") {
		t.Errorf("stderr lacks the summary line:\n%s", stderr)
	}

	data, err := os.ReadFile(junitPath)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Suites []struct {
			Cases []struct {
				Name      string `xml:"name,attr"`
				Classname string `xml:"classname,attr"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("junit: %v", err)
	}
	if len(doc.Suites) != 1 || len(doc.Suites[0].Cases) != len(rep.Results) {
		t.Fatalf("junit: got %d suites; want 1 with %d testcases:\n%s", len(doc.Suites), len(rep.Results), data)
	}
	for i, c := range doc.Suites[0].Cases {
		want := "h1." + string(scenarios.FamilyOf(rep.Results[i].ID))
		if c.Name != rep.Results[i].ID || c.Classname != want {
			t.Errorf("testcase %d: got %s (class %s); want %s (class %s)", i, c.Name, c.Classname, rep.Results[i].ID, want)
		}
	}
}

func TestRunInterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("runs scenarios")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	code, _, stderr := invoke(t, ctx, "run", "--target", "go-stdlib")
	if code != exitInterrupted {
		t.Errorf("interrupted run: got exit %d; want %d; stderr %q", code, exitInterrupted, stderr)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("interrupted run took %v; want it to stop promptly", d)
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestServeStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() { done <- dispatch(ctx, []string{"serve", "--listen", "127.0.0.1:0"}, &stdout, &stderr) }()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(stdout.String(), "ready;") {
		select {
		case code := <-done:
			t.Fatalf("serve returned %d before it was ready; stderr %q", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve not ready after 10s; stdout %q", stdout.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	out := stdout.String()
	for _, want := range []string{"location /gatecheck/ {", "location /gatecheck-refused/ {", "location /gatecheck-connect-timeout/ {",
		"proxy_http_version 1.1;", `proxy_set_header Connection "";`, "proxy_connect_timeout 1s;", "proxy_read_timeout 1s;"} {
		if !strings.Contains(out, want) {
			t.Errorf("serve output lacks %q:\n%s", want, out)
		}
	}
	m := regexp.MustCompile(`(?m)^\s+main\s+(\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("serve output lacks the main address:\n%s", out)
	}
	conn, err := net.DialTimeout("tcp", m[1], 2*time.Second)
	if err != nil {
		t.Fatalf("dial the main endpoint %s: %v", m[1], err)
	}
	conn.Close()
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("serve: got exit %d after cancel; want 0; stderr %q", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop within 10s of cancel")
	}
	if conn, err := net.DialTimeout("tcp", m[1], 2*time.Second); err == nil {
		conn.Close()
		t.Errorf("the main endpoint %s still accepts connections after serve returned", m[1])
	}
}
