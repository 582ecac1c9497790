package harness

import (
	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/wire"
)

// Result is one scenario's result against one target: the worst judgement over its
// repetitions and requests, with every outcome counted.
type Result struct {
	ID       string                    `json:"id"`
	Summary  string                    `json:"summary"`
	Spec     string                    `json:"spec"`
	Level    scenarios.Level           `json:"level"`
	Verdict  scenarios.Verdict         `json:"verdict"`
	Outcome  scenarios.Outcome         `json:"outcome"`
	Outcomes map[scenarios.Outcome]int `json:"outcomes,omitempty"`
	Expected string                    `json:"expected"`
	Actual   string                    `json:"actual"`
	Notes    []string                  `json:"notes,omitempty"`
	// ElapsedMS is the wall time of the scenario, all repetitions.
	ElapsedMS int64 `json:"elapsed_ms"`
	// UpstreamAttempts is the journal's count of attempts of the main request (the
	// most seen over repetitions).
	UpstreamAttempts int `json:"upstream_attempts"`
	// FirstBytes is the start of what the client received, for reports (for
	// an HTTP/2 client, the decoded field blocks and the DATA).
	FirstBytes string `json:"first_bytes,omitempty"`
	// H2 is, for an HTTP/2 client, the main request's stream in the graded run:
	// every frame with its time, END_STREAM, RST_STREAM, GOAWAY and the proxy's
	// protocol errors.
	H2 *wire.H2Stream `json:"h2,omitempty"`
	// Log is the proxy's log, attached to failing verdicts where the target has one.
	Log string `json:"log,omitempty"`
	// Pool says, for a scenario whose follow-ups check reuse, what its verdict
	// rests on: a pooled connection, a proxy that pools but discarded this one,
	// or a proxy that never pooled (the fault then went untested).
	Pool PoolEvidence `json:"pool,omitempty"`
}
