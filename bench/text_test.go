package bench

import (
	"strings"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/scenarios"
)

func TestWriteText(t *testing.T) {
	lat := func(p50, p99 float64) Percentiles {
		return Percentiles{Count: 1, P50: p50, P90: p50, P99: p99, P999: p99, Max: p99}
	}
	rep := &Report{
		GatecheckVersion: "1.2.3",
		Settings: Settings{Mode: OpenLoop, Rate: 2000, Connections: 512, DurationMS: 10_000, WarmupMS: 1000, Seed: 1,
			Mix: []MixEntry{{"pass/ok", 90}, {"timeout/no-response", 10}}},
		Targets: []TargetReport{{
			Target: "nginx", TargetVersion: "nginx/1.22.1", Timeouts: scenarios.DefaultTimeouts(),
			ElapsedMS: 10_000, Sent: 20_000, Completed: 20_000, ThroughputRPS: 2000, Latency: lat(0.412, 1003),
			Outcomes: []OutcomeStats{
				{Scenario: "pass/ok", Outcome: "passthrough", Verdict: "pass", Count: 18_000, Share: 0.9, Latency: lat(0.4, 2.5)},
				{Scenario: "timeout/no-response", Outcome: "504", Verdict: "pass", Count: 2000, Share: 0.1, Latency: lat(1012, 1030),
					Against: "read_timeout", AgainstMS: 1000, OverP50MS: 12, OverP99MS: 30},
			},
			Upstream:     &UpstreamStats{Requests: 20_000, Connections: 2000, ConnectionsPerRequest: 0.1},
			ClientErrors: map[string]int64{"connect to 127.0.0.1:8080: connection refused": 3},
			Resources: &Resources{Samples: make([]Sample, 3),
				Before: Sample{Procs: 2, RSSBytes: 11 << 20, FDs: 20, Threads: 2},
				After:  Sample{Procs: 2, RSSBytes: 13 << 20, FDs: 400, Threads: 2},
				Leaks:  []string{"open files 20 -> 400 (+380) after the load"}},
		}, {Target: "haproxy", Error: `start target "haproxy": not installed`}},
	}
	var b strings.Builder
	if err := WriteText(&b, rep); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"gatecheck bench 1.2.3: open-loop 2000/s (at most 512 connections), 10s measured after 1s warm-up",
		"mix: pass/ok=90, timeout/no-response=10 (seed 1)",
		"nginx (nginx/1.22.1) — timeouts: connect 1s, read 1s, 0 retries",
		"20000 sent, 20000 completed in 10.0s: 2000.0/s",
		"latency: p50 0.412ms, p90 0.412ms, p99 1003ms",
		"timeout/no-response  504          pass",
		"vs read_timeout 1s: p50 +12.0ms, p99 +30.0ms",
		"upstream: 20000 requests on 2000 new connections: 0.000 retries and 0.100 connections per request",
		"client error ×3: connect to 127.0.0.1:8080: connection refused",
		"memory 11.0 MiB -> 13.0 MiB, open files 20 -> 400, threads 2 -> 2, processes 2 -> 2",
		"suspected leak: open files 20 -> 400 (+380) after the load",
		`haproxy: start target "haproxy": not installed`,
		"side by side",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	// The table's numbers line up on the right, under their heading.
	lines := strings.Split(out, "\n")
	var header string
	for _, l := range lines {
		if strings.Contains(l, "scenario") && strings.Contains(l, "p99.9") {
			header = l
		}
	}
	end := strings.Index(header, " p99 ") + len(" p99")
	for _, row := range []struct{ prefix, p99 string }{{"  pass/ok ", "2.50"}, {"  timeout/no-response ", "1030"}} {
		found := false
		for _, l := range lines {
			if strings.HasPrefix(l, row.prefix) {
				found = true
				if len(l) < end || !strings.HasSuffix(l[:end], row.p99) {
					t.Errorf("row %q: p99 not under its heading:\n%s\n%s", row.prefix, header, l)
				}
			}
		}
		if !found {
			t.Errorf("no row %q", row.prefix)
		}
	}
}

func TestFormatMS(t *testing.T) {
	tests := []struct {
		ms   float64
		want string
	}{{0.0412, "0.041"}, {0.412, "0.412"}, {4.12, "4.12"}, {41.2, "41.2"}, {412.4, "412"}, {1003, "1003"}}
	for _, tt := range tests {
		if got := formatMS(tt.ms); got != tt.want {
			t.Errorf("formatMS(%v) = %q; want %q", tt.ms, got, tt.want)
		}
	}
	if got := signedMS(-998.7); got != "-999" {
		t.Errorf("signedMS(-998.7) = %q; want -999", got)
	}
}

func TestProgressLine(t *testing.T) {
	p := Progress{Target: "nginx", Phase: "measuring", Elapsed: 4200 * time.Millisecond, Duration: 10 * time.Second,
		Sent: 8400, Completed: 8390, InFlight: 10, P99: 1003 * time.Millisecond,
		Outcomes: map[string]int64{"passthrough": 7551, "502": 420, "504": 419}}
	want := "nginx measuring 4.2s/10s sent 8400 done 8390 in flight 10 p99 1003ms | passthrough 90.0% 502 5.0% 504 5.0%"
	if got := p.String(); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
