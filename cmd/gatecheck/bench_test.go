package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/bench"
)

func TestBenchUsageErrors(t *testing.T) {
	mix := "pass/ok=1"
	tests := []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"no target", []string{"--mix", mix, "--rate", "10"}, "--target is required"},
		{"no mix", []string{"--target", "none", "--rate", "10"}, "--mix is required"},
		{"no rate or connections", []string{"--target", "none", "--mix", mix}, "--rate R (open loop) or --connections C"},
		{"unknown scenario", []string{"--target", "none", "--mix", "pass/okk=1", "--rate", "10"}, `unknown scenario "pass/okk" (gatecheck list`},
		{"duplicate scenario", []string{"--target", "none", "--mix", "pass/ok=1,pass/ok=2", "--rate", "10"}, "given twice"},
		{"follow-up scenario", []string{"--target", "none", "--mix", "framing/te-in-http10=1", "--rate", "10"}, "single-request"},
		{"bad weight", []string{"--target", "none", "--mix", "pass/ok=x", "--rate", "10"}, "whole number"},
		{"rate too high", []string{"--target", "none", "--mix", mix, "--rate", "60000"}, "--rate 60000"},
		{"negative rate", []string{"--target", "none", "--mix", mix, "--rate", "-1"}, "--rate -1"},
		{"rate not a number", []string{"--target", "none", "--mix", mix, "--rate", "fast"}, "-rate"},
		{"too many connections", []string{"--target", "none", "--mix", mix, "--connections", "20000"}, "--connections 20000"},
		{"duration too long", []string{"--target", "none", "--mix", mix, "--rate", "10", "--duration", "11m"}, "--duration 11m0s"},
		{"zero duration", []string{"--target", "none", "--mix", mix, "--rate", "10", "--duration", "0"}, "--duration 0s"},
		{"warm-up too long", []string{"--target", "none", "--mix", mix, "--rate", "10", "--warmup", "2m"}, "--warmup 2m0s"},
		{"no requests", []string{"--target", "none", "--mix", mix, "--rate", "10", "--max-requests", "0"}, "--max-requests 0"},
		{"too many requests", []string{"--target", "none", "--mix", mix, "--rate", "10", "--max-requests", "20000000"}, "--max-requests 20000000"},
		{"sampling too often", []string{"--target", "none", "--mix", mix, "--rate", "10", "--sample-interval", "1ms"}, "--sample-interval 1ms"},
		{"settle too long", []string{"--target", "none", "--mix", mix, "--rate", "10", "--settle", "2m"}, "--settle 2m0s"},
		{"bad read timeout", []string{"--target", "none", "--mix", mix, "--rate", "10", "--read-timeout", "0s"}, "--read-timeout"},
		{"url with mix", []string{"--url", "http://127.0.0.1:1/", "--mix", mix, "--rate", "10"}, "--url is plain mode"},
		{"url not http", []string{"--url", "ftp://127.0.0.1:1/", "--rate", "10"}, "want http://HOST:PORT/PATH"},
		{"unknown target", []string{"--target", "no-such-proxy", "--mix", mix, "--rate", "10"}, `"no-such-proxy"`},
		{"target twice", []string{"--target", "none,none", "--mix", mix, "--rate", "10"}, "given twice"},
		{"empty target in list", []string{"--target", "none,", "--mix", mix, "--rate", "10"}, "an empty name"},
		{"image for two", []string{"--target", "nginx,haproxy", "--image", "nginx:1", "--mix", mix, "--rate", "10"}, "--image and --control go with a single --target"},
		{"remote target", []string{"--target", "http://10.1.2.3:8080", "--mix", mix, "--rate", "10"}, "10.1.2.3 is not a loopback address; bench loads a remote gateway only when told so with --allow-remote 10.1.2.3"},
		{"remote target, other host allowed", []string{"--target", "http://10.1.2.3:8080", "--allow-remote", "10.1.2.4", "--mix", mix, "--rate", "10"}, "--allow-remote 10.1.2.3"},
		{"remote url", []string{"--url", "http://gateway.example/", "--rate", "10"}, "--allow-remote gateway.example"},
		{"remote control", []string{"--target", "http://127.0.0.1:8080", "--control", "http://10.1.2.3:8084", "--mix", mix, "--rate", "10"}, "--allow-remote 10.1.2.3"},
		{"none with the refused endpoint", []string{"--target", "none", "--mix", "pass/ok=1,conn/refused=1", "--rate", "10"}, "refused endpoint"},
		{"stray argument", []string{"--target", "none", "--mix", mix, "--rate", "10", "extra"}, `"extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := invoke(t, context.Background(), append([]string{"bench"}, tt.args...)...)
			if code != exitUsage {
				t.Errorf("exit code: got %d; want %d (stderr %q)", code, exitUsage, stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr: got %q; want it to mention %q", stderr, tt.want)
			}
			if n := strings.Count(strings.TrimSpace(stderr), "\n"); n > 0 {
				t.Errorf("stderr: got %d lines; want one clear line: %q", n+1, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout: got %q; want nothing", stdout)
			}
		})
	}
}

func TestBenchHelp(t *testing.T) {
	code, stdout, _ := invoke(t, context.Background(), "bench", "-h")
	if code != exitOK || !strings.Contains(stdout, "--mix") && !strings.Contains(stdout, "-mix") {
		t.Errorf("bench -h: exit %d, stdout %q; want 0 and the flags", code, stdout)
	}
	code, stdout, _ = invoke(t, context.Background(), "help")
	if code != exitOK || !strings.Contains(stdout, "bench") {
		t.Errorf("help: exit %d; want bench listed in %q", code, stdout)
	}
}

// TestBenchJSONToStdout runs a short load against none with --json - and
// --html: stdout carries only the JSON report, the text goes to stderr, with
// no progress line (stderr is no terminal), and the HTML file is written.
func TestBenchJSONToStdout(t *testing.T) {
	htmlPath := filepath.Join(t.TempDir(), "bench.html")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	code, stdout, stderr := invoke(t, ctx, "bench", "--target", "none", "--mix", "pass/ok=3,status/garbage-2oo=1",
		"--rate", "100", "--duration", "500ms", "--warmup", "0", "--settle", "0", "--json", "-", "--html", htmlPath)
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	var rep bench.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("stdout is not only the JSON report: %v\n%s", err, stdout)
	}
	if rep.SchemaVersion != bench.SchemaVersion || len(rep.Targets) != 1 || rep.Targets[0].Target != "none" || rep.Targets[0].Completed != 50 {
		t.Errorf("report: %+v; want one target, none, 50 requests", rep)
	}
	if rep.Settings.Mode != bench.OpenLoop || rep.Settings.Rate != 100 || rep.Settings.Seed != 1 || len(rep.Settings.Mix) != 2 {
		t.Errorf("settings: %+v", rep.Settings)
	}
	for _, want := range []string{"none", "pass/ok", "status/garbage-2oo", "upstream:"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr: want the text summary, with %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "\r") {
		t.Errorf("stderr holds a progress line, though it is no terminal: %q", stderr)
	}
	page, err := os.ReadFile(htmlPath)
	if err != nil || !strings.Contains(strings.ToLower(string(page[:min(len(page), 200)])), "<!doctype html") {
		t.Errorf("--html: %v; want a page", err)
	}
}

// TestBenchInterrupted ends a 30s run after a second, as Ctrl-C does: exit
// 130, and the partial report is still printed and written.
func TestBenchInterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("a 1s load")
	}
	jsonPath := filepath.Join(t.TempDir(), "bench.json")
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	code, stdout, stderr := invoke(t, ctx, "bench", "--target", "none", "--mix", "pass/ok=1",
		"--rate", "50", "--duration", "30s", "--warmup", "0", "--json", jsonPath)
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("interrupted run took %v", took)
	}
	if code != exitInterrupted {
		t.Errorf("exit %d; want %d\nstderr: %s", code, exitInterrupted, stderr)
	}
	if !strings.Contains(stdout, "interrupted") || !strings.Contains(stdout, "pass/ok") {
		t.Errorf("stdout: want the partial summary:\n%s", stdout)
	}
	data, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var rep bench.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if !rep.Interrupted || len(rep.Targets) != 1 || !rep.Targets[0].Interrupted || rep.Targets[0].Completed == 0 {
		t.Errorf("report: interrupted %v, targets %+v; want an interrupted partial report", rep.Interrupted, rep.Targets)
	}
}
