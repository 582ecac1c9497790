// Package suites ships gatecheck's scenarios as Ginkgo v2 specs that you register
// against your own proxy, the way kubernetes-csi's csi-sanity ships its specs:
//
//	var _ = suites.Register(suites.Config{Target: myProxy})
//
// at the top level of a _test.go file of a Ginkgo suite adds an Ordered container
// "gatecheck" with one spec per scenario, labelled with the client (h1, h2,
// h2-tls) and the scenario's family, level and tags, so that
// `--label-filter='h2 && must && !timeout'` works.
package suites

import (
	"context"
	"errors"
	"regexp"
	"slices"
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
	// Parallel, when above 1, runs the scenarios together, that many at once
	// (exclusive ones alone), the way `gatecheck run` does, in the container's
	// BeforeAll; each spec then asserts its scenario's result. A target's
	// catalogue takes seconds instead of minutes. The run covers the scenarios
	// whose specs the suite's --label-filter, --focus and --skip select; a spec's
	// own SpecTimeout no longer bounds its scenario (the batch has one bound:
	// the sum of the scenarios' deadlines over Parallel, plus slack).
	Parallel int
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
	// restartOverhead is what a scenario with its own declared timeouts adds:
	// the target is started again with them, which may take as long as opening
	// the session.
	restartOverhead = openTimeout
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
	container := append([]string{"gatecheck"}, ClientLabels(cfg.Options.Client)...)
	return Describe(name, Ordered, ContinueOnFailure, Label(container...), func() {
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
		// notServed is set when the target has no listener for the client:
		// every spec is then a skip that says so.
		var notServed *harness.NotServed
		var results []harness.Result
		// batch holds the results of a Parallel run, by scenario id.
		batch := map[string]harness.Result{}
		var started time.Time
		timeouts := cfg.Target.Timeouts()
		BeforeAll(func(ctx SpecContext) {
			started = time.Now()
			s, err := harness.Open(ctx, cfg.Target, opts)
			if errors.As(err, &notServed) {
				if cfg.ReportPath != "" {
					Expect(harness.NotServedReport(cfg.Target, selected(name, container, scs), notServed).WriteFile(cfg.ReportPath)).To(Succeed())
				}
				return
			}
			Expect(err).NotTo(HaveOccurred(), "open a gatecheck session on %s", cfg.Target)
			session = s
			DeferCleanup(func(ctx SpecContext) {
				Expect(s.Close(ctx)).To(Succeed(), "close the gatecheck session on %s", cfg.Target)
				if cfg.ReportPath != "" {
					Expect(s.Report(results, time.Since(started)).WriteFile(cfg.ReportPath)).To(Succeed())
				}
			}, NodeTimeout(closeTimeout))
			if cfg.Parallel > 1 {
				chosen := selected(name, container, scs)
				ctx, cancel := context.WithTimeout(ctx, BatchTimeout(chosen, timeouts, harness.Parallelism(cfg.Target, cfg.Parallel)))
				defer cancel()
				o := opts
				o.Parallel = cfg.Parallel
				for _, r := range s.RunAll(ctx, chosen, o) {
					batch[r.ID] = r
				}
			}
		}, NodeTimeout(openTimeout+batchCeiling))

		entries := make([]TableEntry, 0, len(scs))
		for _, sc := range scs {
			// A SpecTimeout also bounds the container's BeforeAll, which runs
			// within the first spec: with Parallel the batch there has its own
			// bound, so each spec's bound is on its own node.
			var bound any = SpecTimeout(SpecTimeoutFor(sc, timeouts))
			if cfg.Parallel > 1 {
				bound = NodeTimeout(SpecTimeoutFor(sc, timeouts))
			}
			entries = append(entries, Entry(sc.ID, Label(labels(sc)...), bound, sc))
		}
		DescribeTable("scenario", func(ctx SpecContext, sc *scenarios.Scenario) {
			if notServed != nil {
				Skip(sc.ID + ": " + notServed.Error())
			}
			r, ok := batch[sc.ID]
			if !ok {
				r = session.Run(ctx, sc)
			}
			results = append(results, r)
			switch {
			case r.Verdict == scenarios.VerdictSkip:
				Skip(r.ID + ": " + r.Actual)
			case cfg.Baseline != nil:
				Expect(r).To(MatchBaseline(cfg.Baseline))
			case r.Verdict == scenarios.VerdictFail && rank(r.Level) > rank(failOn):
				// A failure below FailOn: reported below, not failed.
			default:
				Expect(r).To(Pass())
			}
			// Only reached when the spec passes (a failed Expect ends it): say why
			// with -v and in reports, and what a pass rests on when it has notes
			// (its own declared timeouts, a proxy that never pooled).
			if r.Verdict != scenarios.VerdictPass || len(r.Notes) > 0 {
				AddReportEntry("gatecheck "+string(r.Verdict), describe(r), ReportEntryVisibilityFailureOrVerbose)
			}
		}, entries)
	})
}

// batchCeiling bounds a Parallel container's whole run, whatever its scenarios'
// deadlines add up to.
const batchCeiling = 20 * time.Minute

// BatchTimeout is the time a Parallel run of scs may take against a target with
// the given timeouts: the scenarios' spec timeouts (SpecTimeoutFor) added up and
// shared among parallel runners, exclusive ones and those with their own
// declared timeouts counted in full since they run alone, plus slack; at most
// batchCeiling.
func BatchTimeout(scs []*scenarios.Scenario, t scenarios.Timeouts, parallel int) time.Duration {
	var shared, alone time.Duration
	for _, sc := range scs {
		if sc.Exclusive || sc.Timeouts != nil {
			alone += SpecTimeoutFor(sc, t)
		} else {
			shared += SpecTimeoutFor(sc, t)
		}
	}
	return min(shared/time.Duration(max(parallel, 1))+alone+specSlack, batchCeiling)
}

// ClientLabels are the Ginkgo labels of a container of specs run through
// client: its protocol, h1 or h2, and h2-tls too for HTTP/2 over TLS; so
// --label-filter=h2 selects both HTTP/2 transports.
func ClientLabels(client scenarios.Client) []string {
	switch client {
	case "", scenarios.ClientH1:
		return []string{string(scenarios.ClientH1)}
	case scenarios.ClientH2TLS:
		return []string{string(scenarios.ClientH2), string(scenarios.ClientH2TLS)}
	}
	return []string{string(client)}
}

// selected are the scenarios whose specs in the container name (with the
// container's labels) the suite will run: those matching its --label-filter,
// and its --focus and --skip patterns when it has them (matched against the
// spec's full text, as Ginkgo does).
func selected(name string, container []string, scs []*scenarios.Scenario) []*scenarios.Scenario {
	suite, _ := GinkgoConfiguration()
	var focus, skip []*regexp.Regexp
	for _, f := range suite.FocusStrings {
		if re, err := regexp.Compile(f); err == nil {
			focus = append(focus, re)
		}
	}
	for _, f := range suite.SkipStrings {
		if re, err := regexp.Compile(f); err == nil {
			skip = append(skip, re)
		}
	}
	matches := func(res []*regexp.Regexp, text string) bool {
		return slices.ContainsFunc(res, func(re *regexp.Regexp) bool { return re.MatchString(text) })
	}
	var out []*scenarios.Scenario
	for _, sc := range scs {
		text := name + " scenario " + sc.ID
		if suite.LabelFilter != "" && !Label(append(slices.Clone(container), labels(sc)...)...).MatchesLabelFilter(suite.LabelFilter) {
			continue
		}
		if (len(focus) > 0 && !matches(focus, text)) || matches(skip, text) {
			continue
		}
		out = append(out, sc)
	}
	return out
}

// SpecTimeoutFor is the time one scenario's spec may take against a target with
// the given timeouts: (the scenario's deadline + the harness's overhead) for each
// repetition, the drain before an exclusive scenario, and slack. A scenario
// with its own declared timeouts is timed by them, plus the target's start.
func SpecTimeoutFor(sc *scenarios.Scenario, t scenarios.Timeouts) time.Duration {
	d := time.Duration(max(sc.Repeat, 1)) * (sc.Deadline(sc.DeclaredTimeouts(t)) + harnessOverhead)
	if sc.Exclusive {
		d += drainOverhead
	}
	if sc.Timeouts != nil {
		d += restartOverhead
	}
	return d + specSlack
}

// labels are a scenario's Ginkgo labels: its family, its level, its tags and
// "exclusive" when it runs alone, with characters Ginkgo refuses in labels
// (&|!,()/: and spaces) replaced by "-".
func labels(sc *scenarios.Scenario) []string {
	raw := append([]string{string(sc.Family()), string(sc.Level)}, sc.Tags...)
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
