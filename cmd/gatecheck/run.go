package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	tclog "github.com/testcontainers/testcontainers-go/log"

	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/targets"
)

// runFlags are the flags of `gatecheck run` besides the scenario and timeout ones.
type runFlags struct {
	target, failOn, json, junit, upstream, baseline, updateBaseline string
	control, image, upstreamImage, client                           string
	parallel                                                        int
}

// run runs the chosen scenarios against a target, prints a line per scenario as
// results arrive and a summary, writes the JSON and JUnit reports, and returns the
// exit code: 0 nothing failed at the --fail-on levels (or nothing changed from the
// baseline), 1 something did, 2 bad input or a scenario ended in error, 130
// interrupted.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("run", "--target T [flags]")
	var f runFlags
	fs.StringVar(&f.target, "target", "", "the proxy under test: go-stdlib, a proxy gatecheck starts ("+strings.Join(targets.ProcessNames(), ", ")+"), or http://HOST:PORT of a proxy you run (see gatecheck serve)")
	fs.StringVar(&f.failOn, "fail-on", "may", "lowest `level` whose failures make the exit code 1: must, should or may")
	fs.StringVar(&f.json, "json", "", "write the report as JSON to `FILE`; - for stdout (human lines then go to stderr)")
	fs.StringVar(&f.junit, "junit", "", "write a JUnit XML report to `FILE`")
	fs.StringVar(&f.upstream, "upstream", "", "where the fake upstream listens, `ADDR` (refused and connect-timeout take the next two ports); default a free loopback port")
	fs.StringVar(&f.control, "control", "", "with --target http://HOST:PORT: use the fake upstream of a running `gatecheck serve` through its control API at `URL` (http://HOST:PORT) instead of starting one")
	fs.StringVar(&f.image, "image", "", "run the --target proxy kind from this container `IMAGE` (config from its template copied in; the fake upstream in a container of its own, on a network gatecheck creates and removes)")
	fs.StringVar(&f.upstreamImage, "upstream-image", "", "with --image: the gatecheck `IMAGE` for the fake upstream; default: built from this (static) gatecheck binary, removed afterwards")
	fs.IntVar(&f.parallel, "parallel", 0, "how many scenarios run at once (exclusive ones run alone); default the target's own: 16 for go-stdlib, 1 for h2o, else 8")
	fs.StringVar(&f.baseline, "baseline", "", "a baseline `FILE` of known verdicts: exit 1 only on a change from it")
	fs.StringVar(&f.updateBaseline, "update-baseline", "", "write this run's non-pass verdicts as a baseline to `FILE`, keeping the reasons of unchanged entries")
	fs.StringVar(&f.client, "client", "h1", "the `CLIENT`s to run through, comma-separated: h1 (HTTP/1.1), h2 (HTTP/2 cleartext by prior knowledge), h2-tls (HTTP/2 over TLS, ALPN h2, trusting a CA made for the run), or all")
	var sf scenarioFlags
	sf.add(fs)
	var tf timeoutFlags
	tf.add(fs)
	if code := parse(fs, args, stdout, stderr); code >= 0 {
		return code
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "gatecheck run: %v\n", err)
		return exitUsage
	}
	if fs.NArg() > 0 {
		return fail(fmt.Errorf("unexpected argument %q (scenario files go with --scenarios)", fs.Arg(0)))
	}
	if f.target == "" {
		return fail(fmt.Errorf("--target is required: one of %v, or http://HOST:PORT", targets.Names()))
	}
	failOn, err := parseLevel(f.failOn)
	if err != nil {
		return fail(err)
	}
	if f.parallel < 0 {
		return fail(fmt.Errorf("--parallel %d: want 1 or more (0: the target's own)", f.parallel))
	}
	timeouts, err := tf.timeouts()
	if err != nil {
		return fail(err)
	}
	scs, err := sf.load()
	if err != nil {
		return fail(err)
	}
	clients, err := scenarios.ParseClients(f.client)
	if err != nil {
		return fail(fmt.Errorf("--client %q: %w", f.client, err))
	}
	if len(clients) > 1 && (f.baseline != "" || f.updateBaseline != "") {
		return fail(fmt.Errorf("--baseline and --update-baseline hold one client's verdicts: give one --client (got %s)", f.client))
	}
	var base *harness.Baseline
	if f.baseline != "" {
		if base, err = harness.LoadBaseline(f.baseline); err != nil {
			return fail(err)
		}
		if base.ClientOf() != clients[0] {
			return fail(fmt.Errorf("baseline %s holds the verdicts of the %s client, and the run is over %s", f.baseline, base.ClientOf(), clients[0]))
		}
	}
	target, err := newRunTarget(f, timeouts)
	if err != nil {
		return fail(err)
	}

	human := stdout
	if f.json == "-" {
		human = stderr
	}
	started := time.Now()
	code := exitOK
	var reps []*harness.Report
	for _, c := range clients {
		rep, c := runClient(ctx, target, scs, c, f, failOn, base, human, stderr)
		code = max(code, c)
		if rep != nil {
			reps = append(reps, rep)
		}
		if ctx.Err() != nil {
			break
		}
	}
	interrupted := ctx.Err() != nil
	if len(reps) > 0 {
		if err := writeReports(reps, f, base, started, stdout, interrupted); err != nil {
			fmt.Fprintf(stderr, "gatecheck run: %v\n", err)
			code = exitUsage
		}
	}
	if interrupted {
		return exitInterrupted
	}
	return code
}

// runClient runs the scenarios against the target through one client and
// prints its results, its summary and its changes from the baseline. It
// returns the report (nil when the run could not start) and the exit code the
// run alone earns.
func runClient(ctx context.Context, target harness.Target, scs []*scenarios.Scenario, client scenarios.Client, f runFlags,
	failOn scenarios.Level, base *harness.Baseline, human, stderr io.Writer) (*harness.Report, int) {
	opts := harness.Options{
		UpstreamAddr: f.upstream,
		Parallel:     f.parallel,
		Client:       client,
		Progress: func(r harness.Result) {
			if ctx.Err() != nil && r.Verdict == scenarios.VerdictSkip {
				return // not started because of the interrupt: counted in the summary
			}
			writeResult(human, r)
		},
	}
	timeouts := target.Timeouts()
	fmt.Fprintf(human, "gatecheck %s: %d scenarios against %s over %s (connect timeout %v, read timeout %v, retries %d)\n",
		harness.Version, len(scs), target, client, timeouts.Connect, timeouts.Read, timeouts.Retries)
	rep, runErr := harness.Run(ctx, target, scs, opts)
	interrupted := ctx.Err() != nil
	if rep == nil {
		fmt.Fprintf(stderr, "gatecheck run: %v\n", runErr)
		if interrupted {
			return nil, exitInterrupted
		}
		return nil, exitUsage
	}
	code := verdictCode(rep, failOn)
	if rep.NotServed() {
		// No scenario ran, so no result line said why.
		fmt.Fprintf(human, "- every scenario skipped: %s\n", rep.NotServedReason)
	}
	fmt.Fprintln(human)
	if interrupted {
		fmt.Fprintf(human, "interrupted: partial results\n")
	}
	fmt.Fprintln(human, summaryLine(rep))
	if base != nil {
		if n := base.VersionNotice(rep); n != "" {
			fmt.Fprintln(human, n)
		}
		diffs := base.Compare(rep)
		writeBaselineDiffs(human, f.baseline, diffs)
		code = exitOK
		if len(diffs) > 0 {
			code = exitFindings
		}
	}
	if rep.Summary.Error > 0 {
		fmt.Fprintf(human, "%d scenario(s) ended in error: gatecheck could not judge them (exit 2)\n", rep.Summary.Error)
		code = exitUsage
	}
	if runErr != nil && !interrupted {
		fmt.Fprintf(stderr, "gatecheck run: %v\n", runErr)
		code = exitUsage
	}
	return rep, code
}

// verdictCode is exitFindings when a scenario failed at failOn's level or a
// stronger one, else exitOK.
func verdictCode(rep *harness.Report, failOn scenarios.Level) int {
	for _, r := range rep.Results {
		if r.Verdict == scenarios.VerdictFail && rank(r.Level) <= rank(failOn) {
			return exitFindings
		}
	}
	return exitOK
}

// writeReports writes the JSON, JUnit and baseline files the flags ask for:
// the JSON is the report, or with several clients a list of them, one per
// client; the JUnit file has a testsuite per client. An interrupted run writes
// its partial reports but no baseline (which only one client's run writes).
func writeReports(reps []*harness.Report, f runFlags, base *harness.Baseline, started time.Time, stdout io.Writer, interrupted bool) error {
	var errs []error
	if f.json != "" {
		var v any = reps
		if len(reps) == 1 {
			v = reps[0]
		}
		if err := writeJSON(f.json, v, stdout); err != nil {
			errs = append(errs, err)
		}
	}
	if f.junit != "" {
		if err := writeFile(f.junit, func(w io.Writer) error { return writeJUnit(w, reps, started) }); err != nil {
			errs = append(errs, fmt.Errorf("write --junit %s: %w", f.junit, err))
		}
	}
	if f.updateBaseline != "" && !interrupted {
		old := base
		if old == nil {
			old, _ = harness.LoadBaseline(f.updateBaseline) // keep its reasons when it exists
		}
		data, err := harness.NewBaseline(reps[0], old).Marshal()
		if err == nil {
			err = os.WriteFile(f.updateBaseline, data, 0o644)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("write --update-baseline %s: %w", f.updateBaseline, err))
		}
	}
	return errors.Join(errs...)
}

// writeFile creates path and writes it with write.
// writeJSON writes v, indented, to path, or to stdout when path is "-"; the
// error names the --json flag and path.
func writeJSON(path string, v any, stdout io.Writer) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err == nil {
		data = append(data, '\n')
		if path == "-" {
			_, err = stdout.Write(data)
		} else {
			err = os.WriteFile(path, data, 0o644)
		}
	}
	if err != nil {
		return fmt.Errorf("write --json %s: %w", path, err)
	}
	return nil
}

func writeFile(path string, write func(io.Writer) error) error {
	file, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(file); err != nil {
		file.Close()
		return err
	}
	return file.Close()
}

// parseLevel reads a --fail-on value.
func parseLevel(s string) (scenarios.Level, error) {
	for _, l := range levels {
		if string(l) == s {
			return l, nil
		}
	}
	return "", fmt.Errorf("--fail-on %q: want must, should or may", s)
}

// rank orders levels: must 0, should 1, may 2.
func rank(l scenarios.Level) int {
	for i, x := range levels {
		if x == l {
			return i
		}
	}
	return len(levels)
}

// newRunTarget makes the target of `gatecheck run`: a proxy kind in a container
// (--image), a registered kind, or an external proxy (with the control API of a
// running fake upstream when --control is given), by its spec (targets.New).
func newRunTarget(f runFlags, t scenarios.Timeouts) (harness.Target, error) {
	opts := url.Values{}
	switch {
	case f.image != "":
		if f.control != "" || f.upstream != "" {
			return nil, fmt.Errorf("--image excludes --control and --upstream: the fake upstream runs in its own container")
		}
		// testcontainers-go's own progress lines would interleave with the results.
		tclog.SetDefault(tclog.NewNoopLogger())
		opts.Set("image", f.image)
		if f.upstreamImage != "" {
			opts.Set("upstream-image", f.upstreamImage)
		}
	case f.upstreamImage != "":
		return nil, fmt.Errorf("--upstream-image goes with --image")
	case f.control != "" && !strings.Contains(f.target, "://"):
		return nil, fmt.Errorf("--control goes with --target http://HOST:PORT, not %q", f.target)
	case f.control != "" && f.upstream != "":
		return nil, fmt.Errorf("--control and --upstream exclude each other: the fake upstream is the one behind --control")
	case f.control != "":
		opts.Set("control", f.control)
	}
	spec := f.target
	if len(opts) > 0 {
		// A spec may carry options of its own (?h2=…): join, never a second "?".
		sep := "?"
		if strings.Contains(spec, "?") {
			sep = "&"
		}
		spec += sep + opts.Encode()
	}
	return targets.New(spec, t)
}
