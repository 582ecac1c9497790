package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gatecheck/gatecheck/bench"
	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/targets"
	"golang.org/x/term"
)

// benchFlags are the flags of `gatecheck bench` besides the scenario and timeout
// ones.
type benchFlags struct {
	target, mix, url, json, html             string
	upstream, control, image, upstreamImage  string
	rate                                     float64
	connections                              int
	duration, warmup, sampleInterval, settle time.Duration
	maxRequests, seed                        int64
	allowRemote                              stringList
	failOnLeak                               bool
}

// benchCmd loads one or more proxies with a mix of upstream faults (or plain
// GETs of a URL) and reports latency per outcome, the error mix, time to 502
// and 504 against the declared timeouts, the upstream's retries and
// connections, and the proxy's resources. Exit codes: 0 done (suspected leaks
// included, unless --fail-on-leak: then 1), 2 bad input or a target that did
// not start, 130 interrupted (the partial report is still written).
func benchCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("bench", "--target T --mix 'ID=WEIGHT,…' (--rate R | --connections C) [flags]")
	var f benchFlags
	fs.StringVar(&f.target, "target", "", "the proxy or proxies under load, `T[,T…]`: go-stdlib, "+strings.Join(targets.ProcessNames(), ", ")+", http://HOST:PORT of a proxy you run, or none (no proxy: the client dials the fake upstream, measuring gatecheck itself)")
	fs.StringVar(&f.mix, "mix", "", "the fault `mix`: scenario=weight,… as 'pass/ok=90,conn/reset-before-response=5,timeout/no-response=5' (single-request scenarios; gatecheck list shows the ids)")
	fs.StringVar(&f.url, "url", "", "plain mode: GET this `URL` (http://HOST:PORT/PATH) every request, no fake upstream; the outcome is the status code")
	fs.Float64Var(&f.rate, "rate", 0, "open loop: send `R` requests per second whatever the answers (latency from each request's intended start); at most "+fmt.Sprint(bench.MaxRate))
	fs.IntVar(&f.connections, "connections", 0, "closed loop without --rate: `C` connections, each sending its next request when the previous ended; with --rate: the cap on requests in flight (default "+fmt.Sprint(bench.DefaultConnections)+")")
	fs.DurationVar(&f.duration, "duration", bench.DefaultDuration, "the measured window (at most "+bench.MaxDuration.String()+")")
	fs.DurationVar(&f.warmup, "warmup", bench.DefaultWarmup, "sent and judged before the window, not counted (at most "+bench.MaxWarmup.String()+")")
	fs.Int64Var(&f.maxRequests, "max-requests", bench.DefaultMaxRequests, "cap on requests sent, warm-up included (at most "+fmt.Sprint(bench.MaxRequestsCap)+")")
	fs.Int64Var(&f.seed, "seed", 1, "picks each request's scenario from the mix: the same seed gives the same fault order, for every target")
	fs.DurationVar(&f.sampleInterval, "sample-interval", bench.DefaultSampleInterval, "how often the proxy's memory, open files and threads are read (process and container targets)")
	fs.DurationVar(&f.settle, "settle", bench.DefaultSettle, "how long the proxy is still sampled after the load, before the after figures are read")
	fs.StringVar(&f.json, "json", "", "write the report as JSON to `FILE`; - for stdout (the text then goes to stderr)")
	fs.StringVar(&f.html, "html", "", "write the report as a self-contained HTML page with plots to `FILE`")
	fs.Var(&f.allowRemote, "allow-remote", "allow loading this `HOST`, which is not loopback (repeatable; the name exactly as in --target, --url or --control)")
	fs.BoolVar(&f.failOnLeak, "fail-on-leak", false, "exit 1 when a target's open files, memory or threads grew past the leak thresholds after the load")
	fs.StringVar(&f.upstream, "upstream", "", "where the fake upstream listens, `ADDR`; default a free loopback port")
	fs.StringVar(&f.control, "control", "", "with --target http://HOST:PORT: the control API `URL` of a running gatecheck serve, whose fake upstream to use")
	fs.StringVar(&f.image, "image", "", "run the --target proxy kind from this container `IMAGE`, as gatecheck run does")
	fs.StringVar(&f.upstreamImage, "upstream-image", "", "with --image: the gatecheck `IMAGE` for the fake upstream")
	var sf scenarioFlags
	fs.Var(&sf.paths, "scenarios", "add the scenarios of a YAML `file or folder` to the built-in catalogue, for --mix (repeatable)")
	fs.BoolVar(&sf.noBuiltin, "no-builtin", false, "leave out the built-in catalogue: only the --scenarios files")
	var tf timeoutFlags
	tf.add(fs)
	if code := parse(fs, args, stdout, stderr); code >= 0 {
		return code
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "gatecheck bench: %v\n", err)
		return exitUsage
	}
	if fs.NArg() > 0 {
		return fail(fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	}
	timeouts, err := tf.timeouts()
	if err != nil {
		return fail(err)
	}
	cfg, err := f.config(sf, timeouts)
	if err != nil {
		return fail(err)
	}
	list, err := f.targets(timeouts)
	if err != nil {
		return fail(err)
	}
	if err := bench.Check(list, &cfg); err != nil {
		return fail(err)
	}

	human := stdout
	if f.json == "-" {
		human = stderr
	}
	var progress *progressLine
	if terminal(stderr) {
		progress = &progressLine{w: stderr}
		cfg.Progress = progress.show
	}
	names := make([]string, len(list))
	for i, t := range list {
		names[i] = t.String()
	}
	if cfg.URL != "" {
		names = []string{cfg.URL}
	}
	fmt.Fprintf(stderr, "gatecheck bench %s: loading %s\n", harness.Version, strings.Join(names, ", "))
	rep, runErr := bench.RunAll(ctx, list, cfg)
	progress.clear()
	interrupted := ctx.Err() != nil
	if rep == nil {
		return fail(runErr)
	}
	code := exitOK
	if runErr != nil {
		fmt.Fprintf(stderr, "gatecheck bench: %v\n", runErr)
	}
	leaked := false
	for _, t := range rep.Targets {
		if t.Error != "" && !t.Interrupted {
			code = exitUsage
		}
		leaked = leaked || (t.Resources != nil && len(t.Resources.Leaks) > 0)
	}
	if err := bench.WriteText(human, rep); err != nil {
		fmt.Fprintf(stderr, "gatecheck bench: write the summary: %v\n", err)
		code = exitUsage
	}
	if err := writeBenchReports(rep, f, stdout); err != nil {
		fmt.Fprintf(stderr, "gatecheck bench: %v\n", err)
		code = exitUsage
	}
	switch {
	case interrupted:
		return exitInterrupted
	case code == exitOK && leaked && f.failOnLeak:
		fmt.Fprintln(human, "suspected leak: exit 1 (--fail-on-leak)")
		return exitFindings
	}
	return code
}

// config checks the flags and makes the run's Config.
func (f *benchFlags) config(sf scenarioFlags, t scenarios.Timeouts) (bench.Config, error) {
	cfg := bench.Config{
		URL: f.url, Rate: f.rate, Connections: f.connections, Duration: f.duration, Warmup: f.warmup,
		MaxRequests: f.maxRequests, Seed: f.seed, SampleInterval: f.sampleInterval, Settle: f.settle,
		Timeouts: t, Options: harness.Options{UpstreamAddr: f.upstream},
	}
	switch {
	case f.duration <= 0:
		return cfg, fmt.Errorf("--duration %v: want more than 0 and at most %v", f.duration, bench.MaxDuration)
	case f.maxRequests <= 0:
		return cfg, fmt.Errorf("--max-requests %d: want 1 to %d", f.maxRequests, bench.MaxRequestsCap)
	case f.sampleInterval <= 0:
		return cfg, fmt.Errorf("--sample-interval %v: want %v to %v", f.sampleInterval, bench.MinSampleInterval, bench.MaxSampleInterval)
	case f.url != "" && (f.mix != "" || f.target != ""):
		return cfg, errors.New("--url is plain mode: it takes neither --mix nor --target")
	case f.url == "" && f.target == "":
		return cfg, fmt.Errorf("--target is required: one or more of %s, none, or http://HOST:PORT (or --url for plain GETs)", strings.Join(targets.Names(), ", "))
	case f.url == "" && f.mix == "":
		return cfg, errors.New("--mix is required: scenario=weight,… as 'pass/ok=90,conn/reset-before-response=5,timeout/no-response=5'")
	}
	if f.url != "" {
		if err := bench.CheckRemote("--url", f.url, f.allowRemote); err != nil {
			return cfg, err
		}
	} else {
		scs, err := sf.load()
		if err != nil {
			return cfg, err
		}
		if cfg.Mix, err = bench.ParseMix(f.mix, scs); err != nil {
			return cfg, err
		}
	}
	return cfg, cfg.Normalize()
}

// targets makes the targets --target names, refusing a remote one that
// --allow-remote does not name.
func (f *benchFlags) targets(t scenarios.Timeouts) ([]harness.Target, error) {
	if f.url != "" {
		return nil, nil
	}
	names := strings.Split(f.target, ",")
	if len(names) > 1 && (f.image != "" || f.control != "") {
		return nil, errors.New("--image and --control go with a single --target")
	}
	if f.control != "" {
		if err := bench.CheckRemote("--control", f.control, f.allowRemote); err != nil {
			return nil, err
		}
	}
	var list []harness.Target
	seen := map[string]bool{}
	for _, name := range names {
		name = strings.TrimSpace(name)
		switch {
		case name == "":
			return nil, fmt.Errorf("--target %q: an empty name", f.target)
		case seen[name]:
			return nil, fmt.Errorf("--target: %q given twice", name)
		}
		seen[name] = true
		if name == bench.NoneName {
			if f.image != "" || f.control != "" {
				return nil, errors.New("--target none takes neither --image nor --control")
			}
			list = append(list, bench.None(t))
			continue
		}
		if strings.Contains(name, "://") {
			if err := bench.CheckRemote("--target", name, f.allowRemote); err != nil {
				return nil, err
			}
		}
		target, err := newRunTarget(runFlags{target: name, upstream: f.upstream, control: f.control, image: f.image, upstreamImage: f.upstreamImage}, t)
		if err != nil {
			return nil, err
		}
		list = append(list, target)
	}
	return list, nil
}

// writeBenchReports writes the JSON and HTML reports the flags ask for.
func writeBenchReports(rep *bench.Report, f benchFlags, stdout io.Writer) error {
	var errs []error
	if f.json != "" {
		if err := writeJSON(f.json, rep, stdout); err != nil {
			errs = append(errs, err)
		}
	}
	if f.html != "" {
		if err := writeFile(f.html, func(w io.Writer) error { return bench.WriteHTML(w, rep) }); err != nil {
			errs = append(errs, fmt.Errorf("write --html %s: %w", f.html, err))
		}
	}
	return errors.Join(errs...)
}

// terminal reports whether w is a terminal, where a live progress line
// belongs. A character device that is no terminal (/dev/null) is not one.
func terminal(w io.Writer) bool {
	file, ok := w.(*os.File)
	return ok && term.IsTerminal(int(file.Fd()))
}

// progressLine redraws one line on a terminal with \r, at most four times a
// second (the engine calls show no more often).
type progressLine struct {
	mu    sync.Mutex
	w     io.Writer
	drawn bool
}

// show draws p over the previous line.
func (l *progressLine) show(p bench.Progress) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "\r%s\x1b[K", p)
	l.drawn = true
}

// clear erases the line, if one was drawn; a nil line does nothing.
func (l *progressLine) clear() {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.drawn {
		fmt.Fprint(l.w, "\r\x1b[K")
		l.drawn = false
	}
}
