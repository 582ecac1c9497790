package judge

import "github.com/gatecheck/gatecheck/scenarios"

// Judgement is the judge's decision about one observation.
type Judgement struct {
	// Outcome is the glossary word observed ("502", "aborted", "passthrough"...).
	Outcome scenarios.Outcome `json:"outcome"`
	Verdict scenarios.Verdict `json:"verdict"`
	// Expected and Actual are written for a human.
	Expected string `json:"expected"`
	Actual   string `json:"actual"`
	// Notes are remarks that do not change the verdict ("not pooled").
	Notes []string `json:"notes,omitempty"`
}
