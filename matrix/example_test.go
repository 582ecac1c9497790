package matrix_test

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/matrix"
	"github.com/gatecheck/gatecheck/scenarios"
)

// Build takes the catalogue and one report per target; WriteMarkdown, WriteHTML
// and WriteJSON render the result. Here, the Markdown up to its legend.
func ExampleBuild() {
	scs := []*scenarios.Scenario{
		{ID: "conn/refused", Level: scenarios.Should, Spec: scenarios.Spec{Section: "RFC 9110 §15.6.3"}},
		{ID: "body/truncated-chunked", Level: scenarios.Must, Spec: scenarios.Spec{Section: "RFC 9112 §8"}},
	}
	nginx := &harness.Report{Target: "nginx", TargetVersion: "nginx/1.22.1", Timeouts: scenarios.DefaultTimeouts(), Results: []harness.Result{
		{ID: "conn/refused", Verdict: scenarios.VerdictPass, Outcome: "502"},
		{ID: "body/truncated-chunked", Verdict: scenarios.VerdictPass, Outcome: "aborted"},
	}}
	varnish := &harness.Report{Target: "varnish", TargetVersion: "varnish/7.1.1", Timeouts: scenarios.DefaultTimeouts(), Results: []harness.Result{
		{ID: "conn/refused", Verdict: scenarios.VerdictNonStrict, Outcome: "503"},
		{ID: "body/truncated-chunked", Verdict: scenarios.VerdictFail, Outcome: "fake-complete"},
	}}
	m := matrix.Build(scs, []*harness.Report{nginx, varnish})

	var b bytes.Buffer
	if err := m.WriteMarkdown(&b); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	head, _, _ := strings.Cut(b.String(), "## Legend")
	fmt.Print(head)
	// Output:
	// # gatecheck compliance matrix
	//
	// 2 targets, 2 scenarios
	//
	// **Score** (share of `must` scenarios passed): nginx 1.22.1 h1 **100%** (1/1) · varnish 7.1.1 h1 **0%** (0/1)
	//
	// | target | must passed | ✓ pass | ~ non-strict | ✗ fail | ! error | - skip | timeouts |
	// |---|--:|--:|--:|--:|--:|--:|---|
	// | nginx 1.22.1 h1 | 1/1 | 2 | 0 | 0 | 0 | 0 | connect 1s, read 1s, 0 retries |
	// | varnish 7.1.1 h1 | 0/1 | 0 | 1 | 1 | 0 | 0 | connect 1s, read 1s, 0 retries |
	//
	// ## Timeouts and connection faults
	//
	// | scenario | RFC | level | nginx 1.22.1 h1 | varnish 7.1.1 h1 |
	// |---|---|---|---|---|
	// | [conn/refused](#connrefused) | 9110 §15.6.3 | should | ✓ pass | ~ 503 |
	//
	// ## Body broken after the head
	//
	// | scenario | RFC | level | nginx 1.22.1 h1 | varnish 7.1.1 h1 |
	// |---|---|---|---|---|
	// | [body/truncated-chunked](#bodytruncated-chunked) | 9112 §8 | must | ✓ pass | ✗ fake-complete |
}
