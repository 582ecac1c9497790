// Package bench loads a proxy with a mix of upstream faults and measures what it
// does under them: latency per outcome (HDR histograms, corrected for coordinated
// omission in open-loop mode), the error mix, how fast it answers 502 and 504
// against its declared timeouts, the upstream's retries and connections per
// request, and the proxy's own RSS, open files and threads over the run.
//
// The data flows once: a Config and a harness.Target go to Run, which opens a
// harness.Session (the fake upstream and the proxy), sends requests picked from
// the mix by a seeded generator, judges each response with judge.Judge (so an
// outcome here is the same glossary word a `gatecheck run` verdict uses), and
// returns a TargetReport. A Report holds one TargetReport per target, side by
// side, and renders as text, JSON and a self-contained HTML page with SVG plots.
package bench

import (
	"time"

	"github.com/gatecheck/gatecheck/scenarios"
)

// SchemaVersion is the version of the Report's JSON shape.
const SchemaVersion = 1

// Mode is how the load is generated.
type Mode string

const (
	// OpenLoop sends at a constant rate whatever the responses do; latency is
	// measured from each request's intended start, so a stalled proxy cannot hide
	// the requests it delayed (coordinated omission).
	OpenLoop Mode = "open-loop"
	// ClosedLoop keeps a fixed number of connections busy, each sending its next
	// request when the previous one ended.
	ClosedLoop Mode = "closed-loop"
)

// MixEntry is one scenario of the fault mix and its weight.
type MixEntry struct {
	// ID is a scenario id, as "conn/reset-before-response".
	ID string `json:"id"`
	// Weight is the scenario's share of requests, relative to the other entries'.
	Weight int `json:"weight"`
}

// Settings are the load's parameters as the report records them.
type Settings struct {
	Mode Mode       `json:"mode"`
	Mix  []MixEntry `json:"mix,omitempty"`
	// URL is set instead of Mix in plain mode: every request is a GET of this
	// URL, no fake upstream, the outcome is the response's status.
	URL string `json:"url,omitempty"`
	// Rate is the open-loop rate in requests per second.
	Rate float64 `json:"rate,omitempty"`
	// Connections is the closed-loop connection count, or the open-loop cap on
	// connections in use at once.
	Connections int `json:"connections"`
	// DurationMS is the measured part of the run, WarmupMS the part before it
	// whose requests are sent but not counted.
	DurationMS int64 `json:"duration_ms"`
	WarmupMS   int64 `json:"warmup_ms"`
	// MaxRequests caps the requests sent, warm-up included.
	MaxRequests int64 `json:"max_requests"`
	// Seed makes the order of the mix's scenarios reproducible.
	Seed int64 `json:"seed"`
	// SampleIntervalMS is how often the proxy's resources are sampled.
	SampleIntervalMS int64 `json:"sample_interval_ms"`
}

// Report is a bench run over one or more targets.
type Report struct {
	SchemaVersion    int       `json:"schema_version"`
	GatecheckVersion string    `json:"gatecheck_version"`
	Started          time.Time `json:"started"`
	Settings         Settings  `json:"settings"`
	// Interrupted is set when the run was stopped (Ctrl-C) before its end: the
	// figures cover what ran.
	Interrupted bool           `json:"interrupted,omitempty"`
	Targets     []TargetReport `json:"targets"`
}

// TargetReport is what one target did under the load.
type TargetReport struct {
	Target        string             `json:"target"`
	TargetVersion string             `json:"target_version,omitempty"`
	Timeouts      scenarios.Timeouts `json:"timeouts"`
	// Error is set when the target could not be measured (it did not start);
	// the other fields are then empty.
	Error string `json:"error,omitempty"`
	// Interrupted is set when this target's load was cut short.
	Interrupted bool `json:"interrupted,omitempty"`
	// ElapsedMS is the measured window's length (warm-up excluded).
	ElapsedMS int64 `json:"elapsed_ms"`
	// Sent counts requests sent in the measured window; Completed those that got
	// an outcome (every sent one, unless the run was cut short). In open-loop
	// mode a request that finds every allowed connection busy waits for one, and
	// its latency still runs from its intended start; Backlog counts the due
	// requests still waiting when the window closed (the load fell behind).
	Sent      int64 `json:"sent"`
	Completed int64 `json:"completed"`
	Backlog   int64 `json:"backlog"`
	// ThroughputRPS is Completed per second of the measured window.
	ThroughputRPS float64 `json:"throughput_rps"`
	// Latency is over every completed request.
	Latency Percentiles `json:"latency"`
	// Outcomes are per scenario and outcome, in mix order then by count.
	Outcomes []OutcomeStats `json:"outcomes"`
	// Upstream is what the fake upstream saw (absent in plain mode).
	Upstream *UpstreamStats `json:"upstream,omitempty"`
	// Timeline is one point per second of the measured window.
	Timeline []TimePoint `json:"timeline"`
	// Resources are the proxy's process group's figures; absent for targets whose
	// processes gatecheck cannot see (external, in-process).
	Resources *Resources `json:"resources,omitempty"`
	// ClientErrors counts requests the load generator itself failed (could not
	// dial the proxy, a local socket error), by message; they carry no outcome.
	ClientErrors map[string]int64 `json:"client_errors,omitempty"`
	// Resent counts requests sent a second time, on a new connection, because
	// the keep-alive connection they went out on ended before any byte of an
	// answer and the upstream never saw them: the proxy had closed it while
	// idle (RFC 9112 §9.3.1; the journal is how a client knows the request
	// was never applied, RFC 9110 §9.2.2). Latency still runs from the first
	// send.
	Resent int64 `json:"resent,omitempty"`
}

// Percentiles summarise a latency histogram, in milliseconds.
type Percentiles struct {
	Count int64   `json:"count"`
	Mean  float64 `json:"mean_ms"`
	P50   float64 `json:"p50_ms"`
	P90   float64 `json:"p90_ms"`
	P99   float64 `json:"p99_ms"`
	P999  float64 `json:"p99_9_ms"`
	Max   float64 `json:"max_ms"`
}

// OutcomeStats are the requests of one scenario that ended in one outcome.
type OutcomeStats struct {
	// Scenario is the mix entry's id ("" in plain mode).
	Scenario string `json:"scenario,omitempty"`
	// Outcome is the glossary word judge.Judge decided ("502", "504",
	// "passthrough", "aborted", …), or the status code in plain mode.
	Outcome string `json:"outcome"`
	// Verdict is how the scenario grades that outcome: pass, non-strict or fail.
	Verdict string `json:"verdict,omitempty"`
	Count   int64  `json:"count"`
	// Share is Count over all completed requests of the target.
	Share         float64     `json:"share"`
	ThroughputRPS float64     `json:"throughput_rps"`
	Latency       Percentiles `json:"latency"`
	// Spectrum is the latency at percentiles from 0 to 100 on a log scale of
	// 1/(1-q), for the distribution plot.
	Spectrum []SpectrumPoint `json:"spectrum"`
	// Against, for 502 and 504, names the declared timeout this outcome is
	// measured against ("read_timeout", "connect_timeout") and gives it;
	// OverP50MS and OverP99MS are the p50 and p99 latency minus it (negative:
	// answered before the timeout ran out, as a 502 for a reset should).
	Against   string  `json:"against,omitempty"`
	AgainstMS float64 `json:"against_ms,omitempty"`
	OverP50MS float64 `json:"over_p50_ms,omitempty"`
	OverP99MS float64 `json:"over_p99_ms,omitempty"`
}

// SpectrumPoint is one point of a latency distribution.
type SpectrumPoint struct {
	Percentile float64 `json:"percentile"`
	MS         float64 `json:"ms"`
}

// UpstreamStats are the fake upstream journal's figures over the measured window.
type UpstreamStats struct {
	// Requests the upstream received, Connections it accepted.
	Requests    int64 `json:"requests"`
	Connections int64 `json:"connections"`
	// RetriesPerRequest is the upstream's extra attempts (beyond the first) per
	// client request; ConnectionsPerRequest the connections opened per client
	// request (1 means no reuse at all).
	RetriesPerRequest     float64 `json:"retries_per_request"`
	ConnectionsPerRequest float64 `json:"connections_per_request"`
	// Unseen counts client requests that never reached the upstream.
	Unseen int64 `json:"unseen"`
}

// TimePoint is one second of the measured window.
type TimePoint struct {
	// T is the second's start, from the window's start, in seconds.
	T float64 `json:"t"`
	// Completed counts requests that ended in that second, by outcome.
	Completed map[string]int64 `json:"completed"`
	P50       float64          `json:"p50_ms"`
	P99       float64          `json:"p99_ms"`
	Max       float64          `json:"max_ms"`
}

// Resources are the proxy's process group over the run.
type Resources struct {
	// Samples cover warm-up, the measured window and the settle time after it;
	// T is seconds from the measured window's start (negative in warm-up).
	Samples []Sample `json:"samples"`
	// Before is the last sample before the load, After the last after it had
	// settled.
	Before Sample `json:"before"`
	After  Sample `json:"after"`
	// Leaks lists each figure that grew from Before to After by more than the
	// threshold, as "open files 64 -> 412 (+348) after the load": a suspected
	// leak, not a proof.
	Leaks []string `json:"leaks,omitempty"`
}

// Sample is one reading of the proxy's processes, summed over its process group.
type Sample struct {
	T        float64 `json:"t"`
	Procs    int     `json:"procs"`
	RSSBytes int64   `json:"rss_bytes"`
	FDs      int     `json:"fds"`
	Threads  int     `json:"threads"`
}
