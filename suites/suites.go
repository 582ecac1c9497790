// Package suites ships gatecheck's scenarios as Ginkgo v2 specs that you register
// against your own proxy, the way kubernetes-csi's csi-sanity ships its specs:
//
//	var _ = suites.Register(suites.Config{Target: myProxy})
//
// at the top level of a _test.go file of a Ginkgo suite adds an Ordered container
// "gatecheck" with one spec per scenario, labelled with the scenario's family,
// level and tags, so that `--label-filter='must && !timeout'` works.
package suites

import (
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/scenarios"
)

// Config says which proxy Register checks and how strictly.
type Config struct {
	// Target is the proxy under test; required.
	Target harness.Target
	// Scenarios are the scenarios to register, in order; nil means the built-in
	// catalogue, scenarios.Builtin().
	Scenarios []*scenarios.Scenario
	// Baseline, when set, lists the target's known non-pass verdicts: a spec then
	// fails only when its result changes from the baseline.
	Baseline *harness.Baseline
	// FailOn is the lowest level whose failures fail a spec: must, should or may
	// (the default: a failure at any level). Failures below it are reported as
	// report entries and the spec passes.
	FailOn scenarios.Level
	// Options tune the session, as UpstreamAddr for an external target whose routes
	// point at a fixed address. Parallel and Progress are not used: specs run one
	// at a time.
	Options harness.Options
	// Name labels the container, "gatecheck" by default; give each Register its
	// own when one suite checks several targets.
	Name string
	// ReportPath, when set, is where the container writes its harness.Report as
	// JSON once its last spec ran (for `gatecheck matrix --from`).
	ReportPath string
}

// Time bounds of the session's setup and teardown, and the slack each spec gets
// beyond its scenario's own deadline.
const (
	openTimeout  = 2 * time.Minute
	closeTimeout = time.Minute
	specSlack    = 10 * time.Second
	// harnessOverhead is what the harness adds to a scenario's deadline per run:
	// the dial to the proxy, and the drain before an exclusive scenario.
	harnessOverhead = 5 * time.Second
	drainOverhead   = 2 * time.Second
)

// Register adds the container "gatecheck": BeforeAll opens a harness.Session on
// cfg.Target, AfterAll (a DeferCleanup) closes it, and a DescribeTable holds one
// Entry per scenario, run in order. Each spec runs its scenario with a SpecTimeout
// of the scenario's deadline × repeats plus slack, and asserts with Pass (or, with
// a baseline, MatchBaseline). It returns true so it can be called at the top level
// of a file: var _ = suites.Register(cfg).
func Register(cfg Config) bool {
	name := cfg.Name
	if name == "" {
		name = "gatecheck"
	}
	return Describe(name, Ordered, ContinueOnFailure, Label("gatecheck"), func() {
		if cfg.Target == nil {
			It("has a target", func() { Fail("suites.Register: Config.Target is nil") })
			return
		}
		scs := cfg.Scenarios
		if scs == nil {
			scs = scenarios.Builtin()
		}
		failOn := cfg.FailOn
		if failOn == "" {
			failOn = scenarios.May
		}
		opts := cfg.Options
		opts.Progress = nil

		var session *harness.Session
		var results []harness.Result
		var started time.Time
		BeforeAll(func(ctx SpecContext) {
			started = time.Now()
			s, err := harness.Open(ctx, cfg.Target, opts)
			Expect(err).NotTo(HaveOccurred(), "open a gatecheck session on %s", cfg.Target)
			session = s
			DeferCleanup(func(ctx SpecContext) {
				Expect(s.Close(ctx)).To(Succeed(), "close the gatecheck session on %s", cfg.Target)
				if cfg.ReportPath != "" {
					Expect(s.Report(results, time.Since(started)).WriteFile(cfg.ReportPath)).To(Succeed())
				}
			}, NodeTimeout(closeTimeout))
		}, NodeTimeout(openTimeout))

		timeouts := cfg.Target.Timeouts()
		entries := make([]TableEntry, 0, len(scs))
		for _, sc := range scs {
			entries = append(entries, Entry(sc.ID, Label(labels(sc)...), SpecTimeout(SpecTimeoutFor(sc, timeouts)), sc))
		}
		DescribeTable("scenario", func(ctx SpecContext, sc *scenarios.Scenario) {
			r := session.Run(ctx, sc)
			results = append(results, r)
			switch {
			case r.Verdict == harness.Skip:
				Skip(r.ID + ": " + r.Actual)
			case cfg.Baseline != nil:
				Expect(r).To(MatchBaseline(cfg.Baseline))
			case r.Verdict == harness.Fail && rank(r.Level) > rank(failOn):
				// A failure below FailOn: reported below, not failed.
			default:
				Expect(r).To(Pass())
			}
			// Only reached when the spec passes (a failed Expect ends it): say why
			// with -v and in reports.
			if r.Verdict != harness.Pass {
				AddReportEntry("gatecheck "+string(r.Verdict), describe(r), ReportEntryVisibilityFailureOrVerbose)
			}
		}, entries)
	})
}

// SpecTimeoutFor is the time one scenario's spec may take against a target with
// the given timeouts: (the scenario's deadline + the harness's overhead) for each
// repetition, the drain before an exclusive scenario, and slack.
func SpecTimeoutFor(sc *scenarios.Scenario, t scenarios.Timeouts) time.Duration {
	d := time.Duration(max(sc.Repeat, 1)) * (sc.Deadline(t) + harnessOverhead)
	if sc.Exclusive {
		d += drainOverhead
	}
	return d + specSlack
}

// labels are a scenario's Ginkgo labels: its family, its level, its tags and
// "exclusive" when it runs alone, with characters Ginkgo refuses in labels
// (&|!,()/: and spaces) replaced by "-".
func labels(sc *scenarios.Scenario) []string {
	family, _, _ := strings.Cut(sc.ID, "/")
	raw := append([]string{family, string(sc.Level)}, sc.Tags...)
	if sc.Exclusive {
		raw = append(raw, "exclusive")
	}
	clean := strings.NewReplacer("&", "-", "|", "-", "!", "-", ",", "-", "(", "-", ")", "-", "/", "-", ":", "-", " ", "-")
	var out []string
	seen := map[string]bool{}
	for _, l := range raw {
		l = clean.Replace(strings.TrimSpace(l))
		if l != "" && !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}

// rank orders levels: must 0, should 1, may 2.
func rank(l scenarios.Level) int {
	switch l {
	case scenarios.Must:
		return 0
	case scenarios.Should:
		return 1
	}
	return 2
}
