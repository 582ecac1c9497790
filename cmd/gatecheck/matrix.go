package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/matrix"
	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/targets"
)

// matrixFlags are the flags of `gatecheck matrix` besides the scenario and
// timeout ones.
type matrixFlags struct {
	targets, from, out, baselines, control, client string
	jobs, runs                                     int
}

// matrixCmd runs the catalogue against several targets (or reads their saved
// reports) and writes the compliance matrix: matrix.json, matrix.md and
// matrix.html. It exits 0 when the matrix was written — failing scenarios are
// findings, not errors — 1 when a report changed from its baseline, 2 on bad
// input, a target that would not start, or a scenario that ended in error.
func matrixCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("matrix", "[--targets all|LIST] [--from DIR] [--out DIR] [flags]")
	var f matrixFlags
	fs.StringVar(&f.targets, "targets", "all", "the targets, comma-separated, or `all`: go-stdlib and every installed proxy")
	fs.StringVar(&f.from, "from", "", "build the matrix from the reports (*.json) in `DIR` instead of running anything")
	fs.StringVar(&f.out, "out", ".", "the `folder` to write matrix.json, matrix.md, matrix.html and, after a run, reports/<target>.json to")
	fs.StringVar(&f.baselines, "baselines", "", "compare each report with `DIR`/<target>.yaml where it exists; exit 1 on a change")
	fs.IntVar(&f.jobs, "jobs", 2, "how many targets run at once")
	fs.StringVar(&f.control, "control", "", "the control API `URL` of a running gatecheck serve that the http:// targets forward to (as in docker-compose.yml); they then run one at a time")
	fs.StringVar(&f.client, "client", "h1,h2", "the `CLIENT`s, comma-separated, a column per target and client: h1, h2, h2-tls or all; a target without an h2c listener gets its h2 column over h2-tls, and one with no HTTP/2 at all a column of skips that says why")
	fs.IntVar(&f.runs, "runs", 1, "run the whole matrix `N` times and report every verdict that differed between runs (exit 1 if any); the matrix shows the last run")
	var sf scenarioFlags
	sf.add(fs)
	var tf timeoutFlags
	tf.add(fs)
	if code := parse(fs, args, stdout, stderr); code >= 0 {
		return code
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "gatecheck matrix: %v\n", err)
		return exitUsage
	}
	if fs.NArg() > 0 {
		return fail(fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	}
	if f.jobs < 1 || f.jobs > 8 {
		return fail(fmt.Errorf("--jobs %d: want 1 to 8", f.jobs))
	}
	if f.control != "" {
		// The targets share one fake upstream, and an exclusive scenario closes
		// every idle connection it has: one target at a time.
		f.jobs = 1
	}
	if f.runs < 1 || f.runs > 20 || (f.runs > 1 && f.from != "") {
		return fail(fmt.Errorf("--runs %d: want 1 to 20, and not with --from", f.runs))
	}
	scs, err := sf.load()
	if err != nil {
		return fail(err)
	}
	var reports []*harness.Report
	code := exitOK
	if f.from != "" {
		if reports, err = readReports(f.from); err != nil {
			return fail(err)
		}
	} else {
		timeouts, err := tf.timeouts()
		if err != nil {
			return fail(err)
		}
		names, err := matrixTargets(f.targets, stderr)
		if err != nil {
			return fail(err)
		}
		clients, err := scenarios.ParseClients(f.client)
		if err != nil {
			return fail(fmt.Errorf("--client %q: %w", f.client, err))
		}
		var runs [][]*harness.Report
		for i := range f.runs {
			if f.runs > 1 {
				fmt.Fprintf(stdout, "run %d of %d\n", i+1, f.runs)
			}
			var c int
			reports, c = runTargets(ctx, names, clients, scs, timeouts, f, stdout, stderr)
			code = max(code, c)
			if ctx.Err() != nil {
				fmt.Fprintln(stderr, "gatecheck matrix: interrupted; no matrix written")
				return exitInterrupted
			}
			runs = append(runs, reports)
		}
		if f.runs > 1 && reportDifferences(runs, stdout) > 0 && code == exitOK {
			code = exitFindings
		}
	}
	if len(reports) == 0 {
		return fail(errors.New("no reports to build a matrix from"))
	}
	if f.baselines != "" {
		if c := compareBaselines(reports, f.baselines, stdout); c > code {
			code = c
		}
	}
	m := matrix.Build(scs, reports)
	if err := writeMatrix(m, f.out); err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "matrix of %d targets × %d scenarios: %s\n", len(m.Targets), len(m.Rows),
		strings.Join([]string{filepath.Join(f.out, "matrix.md"), filepath.Join(f.out, "matrix.html"), filepath.Join(f.out, "matrix.json")}, ", "))
	return code
}

// matrixTargets resolves --targets (targets.Expand). "all" is go-stdlib and
// every process target whose proxy is installed; a missing one is named on
// stderr, or is an error when GATECHECK_REQUIRE_PROXIES=all requires it.
func matrixTargets(list string, stderr io.Writer) ([]string, error) {
	names, err := targets.Expand(list, func(name string) error {
		err := targets.Unavailable(name)
		if errors.Is(err, targets.ErrRequired) {
			return err
		}
		fmt.Fprintf(stderr, "skip %v\n", err)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, errors.New("--targets names no target")
	}
	return names, nil
}

// runTargets runs the scenarios against each target through each client,
// f.jobs runs at a time, writes each report to
// f.out/reports/<target>[.<client>].json and prints a summary line per run.
// Reports come back in the order of names, then of clients.
func runTargets(ctx context.Context, names []string, clients []scenarios.Client, scs []*scenarios.Scenario, t scenarios.Timeouts, f matrixFlags, stdout, stderr io.Writer) ([]*harness.Report, int) {
	reports := make([]*harness.Report, len(names)*len(clients))
	code := exitOK
	var mu sync.Mutex
	sem := make(chan struct{}, f.jobs)
	var wg sync.WaitGroup
	for i, name := range names {
		for j, client := range clients {
			wg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				rep, err := runTarget(ctx, name, client, scs, t, f.control)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					fmt.Fprintf(stderr, "gatecheck matrix: %s over %s: %v\n", name, client, err)
					code = exitUsage
					return
				}
				if rep.Summary.Error > 0 {
					code = exitUsage
				}
				fmt.Fprintln(stdout, summaryLine(rep))
				if err := rep.WriteFile(filepath.Join(f.out, "reports", harness.ClientFileName(name, rep.Client)+".json")); err != nil {
					fmt.Fprintf(stderr, "gatecheck matrix: %v\n", err)
					code = exitUsage
				}
				reports[i*len(clients)+j] = rep
			})
		}
	}
	wg.Wait()
	return slices.DeleteFunc(reports, func(r *harness.Report) bool { return r == nil }), code
}

// runTarget runs the scenarios against one target through client. For the
// matrix's h2 column, a target that declares HTTP/2 only over TLS is run over
// h2-tls instead, and its report says so.
func runTarget(ctx context.Context, name string, client scenarios.Client, scs []*scenarios.Scenario, t scenarios.Timeouts, control string) (*harness.Report, error) {
	target, err := newRunTarget(runFlags{target: name, control: control}, t)
	if err != nil {
		return nil, err
	}
	if client == scenarios.ClientH2 {
		client = harness.PreferredHTTP2(target)
	}
	return harness.Run(ctx, target, scs, harness.Options{Client: client})
}

// readReports reads every *.json report in dir, sorted by file name.
func readReports(dir string) ([]*harness.Report, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("--from %s: no *.json reports", dir)
	}
	slices.Sort(files)
	reports := make([]*harness.Report, 0, len(files))
	for _, file := range files {
		rep, err := harness.ReadReport(file)
		if err != nil {
			return nil, err
		}
		reports = append(reports, rep)
	}
	// A target's columns in the order of clients, h1 first, whatever the
	// file names sort as.
	slices.SortStableFunc(reports, func(a, b *harness.Report) int {
		return cmp.Or(cmp.Compare(harness.FileName(a.Target), harness.FileName(b.Target)),
			cmp.Compare(slices.Index(scenarios.Clients, cmp.Or(a.Client, scenarios.ClientH1)), slices.Index(scenarios.Clients, cmp.Or(b.Client, scenarios.ClientH1))))
	})
	return reports, nil
}

// compareBaselines prints every change of a report from its target's baseline in
// dir and returns exitFindings when there is one.
func compareBaselines(reports []*harness.Report, dir string, stdout io.Writer) int {
	code := exitOK
	for _, rep := range reports {
		path := filepath.Join(dir, harness.ClientFileName(rep.Target, rep.Client)+".yaml")
		base, err := harness.LoadBaseline(path)
		if errors.Is(err, os.ErrNotExist) {
			fmt.Fprintf(stdout, "no baseline for %s (%s)\n", rep.Target, path)
			continue
		}
		if err != nil {
			fmt.Fprintf(stdout, "%v\n", err)
			code = exitUsage
			continue
		}
		if n := base.VersionNotice(rep); n != "" {
			fmt.Fprintln(stdout, n)
		}
		diffs := base.Compare(rep)
		writeBaselineDiffs(stdout, path, diffs)
		if len(diffs) > 0 && code == exitOK {
			code = exitFindings
		}
	}
	return code
}

// reportDifferences prints every scenario whose verdict or outcome differed
// between runs of the same target, and returns how many did.
func reportDifferences(runs [][]*harness.Report, stdout io.Writer) int {
	seen := map[string][]string{} // "target\x00id" -> "verdict outcome" per run
	var keys []string
	for _, reports := range runs {
		for _, rep := range reports {
			for _, r := range rep.Results {
				k := rep.Target + " " + string(cmp.Or(rep.Client, scenarios.ClientH1)) + "\x00" + r.ID
				if _, ok := seen[k]; !ok {
					keys = append(keys, k)
				}
				seen[k] = append(seen[k], string(r.Verdict)+" "+string(r.Outcome))
			}
		}
	}
	differing := 0
	for _, k := range keys {
		vals := seen[k]
		if len(slices.Compact(slices.Clone(vals))) > 1 || len(vals) != len(runs) {
			target, id, _ := strings.Cut(k, "\x00")
			fmt.Fprintf(stdout, "differs: %s %s: %s\n", target, id, strings.Join(vals, " | "))
			differing++
		}
	}
	fmt.Fprintf(stdout, "determinism: %d runs, %d verdicts compared per run, %d differed\n", len(runs), len(keys), differing)
	return differing
}

// writeMatrix writes the three renderings of m into dir.
func writeMatrix(m *matrix.Matrix, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, write := range map[string]func(io.Writer) error{
		"matrix.json": m.WriteJSON, "matrix.md": m.WriteMarkdown, "matrix.html": m.WriteHTML,
	} {
		if err := writeFile(filepath.Join(dir, name), write); err != nil {
			return fmt.Errorf("write %s: %w", filepath.Join(dir, name), err)
		}
	}
	return nil
}
