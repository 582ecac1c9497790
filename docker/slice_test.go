package docker

import "github.com/gatecheck/gatecheck/scenarios"

// sliceGlobs are the scenarios the container and compose tests compare with
// the process targets: a slice of the catalogue with rows of every family,
// the pooled-connection rows (exclusive, with follow-ups on the same client
// connection), a repeated row, stray bytes after a complete response and a row
// with its own declared timeouts (which compose must skip, saying why). What
// these tests prove is that a proxy judged in a container or under compose
// gets the verdicts it gets as a process; the whole catalogue against every
// proxy is the suite's job, and running it twice more per proxy here cost ten
// minutes of CI for no further evidence.
var sliceGlobs = []string{
	"conn/refused", "conn/reset-before-response", "conn/close-mid-head-headers",
	"timeout/no-response", "timeout/first-byte-after-connect",
	"status/http09", "status/garbage-2oo", "status/no-reason-no-space",
	"header/space-before-colon", "header/obs-fold", "header/connection-listed", "header/hop-by-hop",
	"framing/conflicting-content-length-two-fields", "framing/te-and-cl", "framing/bad-chunk-size-zz",
	"framing/chunk-data-mismatch-short", "framing/extra-bytes-after-body", "framing/no-content-with-body-204",
	"framing/close-delimited-without-fin", "framing/trailers",
	"body/truncated-content-length", "body/truncated-chunked", "body/reset-mid-body", "body/large-intact-chunked",
	"pass/ok", "pass/ok-chunked", "pass/upstream-5xx-503", "pass/upstream-4xx-404", "pass/unknown-status-599",
	"interim/continue", "interim/early-hints", "interim/then-close",
	"retry/post-reset-after-request", "retry/upstream-connection-close", "retry/pool-control",
}

// slice is the scenarios of sliceGlobs, in the catalogue's order.
func slice() []*scenarios.Scenario { return scenarios.Select(scenarios.Builtin(), sliceGlobs) }

// onlyArgs are sliceGlobs as gatecheck's --only flags.
func onlyArgs() []string {
	var out []string
	for _, g := range sliceGlobs {
		out = append(out, "--only", g)
	}
	return out
}
