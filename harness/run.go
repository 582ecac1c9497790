package harness

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/scenarios"
)

// SchemaVersion is the version of the Report's JSON shape.
const SchemaVersion = 1

// Report is the result of running scenarios against one target.
type Report struct {
	SchemaVersion    int                `json:"schema_version"`
	GatecheckVersion string             `json:"gatecheck_version"`
	Target           string             `json:"target"`
	TargetVersion    string             `json:"target_version,omitempty"`
	Timeouts         scenarios.Timeouts `json:"timeouts"`
	ElapsedMS        int64              `json:"elapsed_ms"`
	Results          []Result           `json:"results"`
	Summary          Summary            `json:"summary"`
}

// Summary counts results per verdict, and per verdict within each level.
type Summary struct {
	Pass, NonStrict, Fail, Error, Skip int
	ByLevel                            map[scenarios.Level]map[scenarios.Verdict]int
}

// MarshalJSON writes the counts under the verdicts' own names, as
// {"pass":N,"non-strict":N,...,"by_level":{"must":{"pass":N,...}}}.
func (s Summary) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{
		string(scenarios.VerdictPass): s.Pass, string(scenarios.VerdictNonStrict): s.NonStrict, string(scenarios.VerdictFail): s.Fail,
		string(scenarios.VerdictError): s.Error, string(scenarios.VerdictSkip): s.Skip, "by_level": s.ByLevel,
	})
}

// UnmarshalJSON reads what MarshalJSON writes, so a report read back keeps its
// counts.
func (s *Summary) UnmarshalJSON(data []byte) error {
	var raw struct {
		Pass      int                                           `json:"pass"`
		NonStrict int                                           `json:"non-strict"`
		Fail      int                                           `json:"fail"`
		Error     int                                           `json:"error"`
		Skip      int                                           `json:"skip"`
		ByLevel   map[scenarios.Level]map[scenarios.Verdict]int `json:"by_level"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	*s = Summary{Pass: raw.Pass, NonStrict: raw.NonStrict, Fail: raw.Fail, Error: raw.Error, Skip: raw.Skip, ByLevel: raw.ByLevel}
	return nil
}

// WriteFile writes the report as indented JSON to path, creating its folder.
func (r *Report) WriteFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// ReadReport reads a report WriteFile wrote; a different schema version is an
// error.
func ReadReport(path string) (*Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rep Report
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, fmt.Errorf("report %s: %w", path, err)
	}
	if rep.SchemaVersion != SchemaVersion {
		return nil, fmt.Errorf("report %s: schema_version %d, want %d", path, rep.SchemaVersion, SchemaVersion)
	}
	return &rep, nil
}

// FileName is a target's name made safe as a file name: anything but letters,
// digits, dots and dashes becomes "-" (http://127.0.0.1:8080 becomes
// http-127.0.0.1-8080). Reports and baselines are named so.
func FileName(target string) string {
	return unsafeName.ReplaceAllString(target, "-")
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9.-]+`)

// Summarize counts the results.
func Summarize(results []Result) Summary {
	s := Summary{ByLevel: map[scenarios.Level]map[scenarios.Verdict]int{}}
	for _, r := range results {
		switch r.Verdict {
		case scenarios.VerdictPass:
			s.Pass++
		case scenarios.VerdictNonStrict:
			s.NonStrict++
		case scenarios.VerdictFail:
			s.Fail++
		case scenarios.VerdictError:
			s.Error++
		case scenarios.VerdictSkip:
			s.Skip++
		}
		if s.ByLevel[r.Level] == nil {
			s.ByLevel[r.Level] = map[scenarios.Verdict]int{}
		}
		s.ByLevel[r.Level][r.Verdict]++
	}
	return s
}

// Run opens a session on the target, runs every scenario (in parallel, exclusive
// ones alone after the rest) and closes the session. Results are in the order of
// scs. A cancelled ctx stops the run: scenarios not yet started are skipped, and
// the partial report is returned with ctx's error.
func Run(ctx context.Context, t Target, scs []*scenarios.Scenario, opts Options) (*Report, error) {
	start := time.Now()
	s, err := Open(ctx, t, opts)
	if err != nil {
		return nil, err
	}
	results := s.RunAll(ctx, scs, opts)
	rep := s.Report(results, 0)
	closeErr := s.Close(context.WithoutCancel(ctx))
	rep.ElapsedMS = time.Since(start).Milliseconds()
	return rep, errors.Join(ctx.Err(), closeErr)
}

// Report is the report of results this session produced; elapsed is the run's
// wall time (0 when unknown).
func (s *Session) Report(results []Result, elapsed time.Duration) *Report {
	return &Report{
		SchemaVersion:    SchemaVersion,
		GatecheckVersion: Version,
		Target:           s.target.String(),
		TargetVersion:    s.TargetVersion(),
		Timeouts:         s.Timeouts(),
		ElapsedMS:        elapsed.Milliseconds(),
		Results:          results,
		Summary:          Summarize(results),
	}
}

// RunAll runs scenarios on an open session: the non-exclusive ones on
// opts.Parallel workers (capped by a Paralleled target's limit), each repetition
// of a repeated scenario on its own worker, then, one by one through Run, the
// exclusive ones and those with their own declared timeouts. Results are in
// the order of scs, graded as Run grades them.
func (s *Session) RunAll(ctx context.Context, scs []*scenarios.Scenario, opts Options) []Result {
	parallel := Parallelism(s.target, opts.Parallel)
	results := make([]Result, len(scs))
	var progress sync.Mutex
	report := func(i int, r Result) {
		results[i] = r
		if opts.Progress != nil {
			progress.Lock()
			opts.Progress(r)
			progress.Unlock()
		}
	}
	// A repeated scenario's repetitions are independent runs: spread over the
	// workers they take the time of a few, not of all of them one after another.
	type pending struct {
		i       int
		sc      *scenarios.Scenario
		scripts []fakeupstream.Script
		reps    []repetition
		mu      sync.Mutex
		start   time.Time
		left    int
		// failed is set once a repetition failed: those not yet started are
		// left out (ran stays false), since they cannot change the verdict.
		failed bool
		ran    []bool
	}
	type job struct {
		p   *pending
		rep int
	}
	jobs := make(chan job)
	var wg sync.WaitGroup
	for range parallel {
		wg.Go(func() {
			for jb := range jobs {
				p := jb.p
				p.mu.Lock()
				if p.start.IsZero() {
					p.start = time.Now()
				}
				skip := p.failed
				p.mu.Unlock()
				var r repetition
				if !skip {
					s.exclusive.RLock()
					r = s.repetition(ctx, p.sc, p.scripts)
					s.exclusive.RUnlock()
				}
				p.mu.Lock()
				if !skip {
					p.reps[jb.rep], p.ran[jb.rep] = r, true
					p.failed = p.failed || r.j.Verdict == scenarios.VerdictFail
				}
				p.left--
				last := p.left == 0
				p.mu.Unlock()
				if last {
					var done []repetition
					for k, rep := range p.reps {
						if p.ran[k] {
							done = append(done, rep)
						}
					}
					report(p.i, s.withPoolEvidence(ctx, p.sc, s.grade(ctx, p.sc, p.start, done)))
				}
			}
		})
	}
	for i, sc := range scs {
		if sc.Exclusive || s.retimes(sc) {
			continue
		}
		start := time.Now()
		scripts, failed, ok := s.prepare(ctx, sc)
		if !ok {
			report(i, finish(resultOf(sc), start, failed))
			continue
		}
		n := max(sc.Repeat, 1)
		p := &pending{i: i, sc: sc, scripts: scripts, reps: make([]repetition, n), ran: make([]bool, n), left: n}
		for rep := range n {
			jobs <- job{p, rep}
		}
	}
	close(jobs)
	wg.Wait()
	for i, sc := range scs {
		if sc.Exclusive || s.retimes(sc) {
			report(i, s.Run(ctx, sc))
		}
	}
	return results
}

// defaultParallel is how many scenarios run at once when neither the options nor
// the target say.
const defaultParallel = 8

// Parallelism is how many scenarios RunAll runs at once on target t when the run
// asks for asked (0: the target's own number, else the default): never more
// than a Paralleled target's number.
func Parallelism(t Target, asked int) int {
	own := 0
	if p, ok := t.(Paralleled); ok {
		own = p.Parallel()
	}
	n := asked
	if n <= 0 {
		n = cmp.Or(own, defaultParallel)
	}
	if own > 0 {
		n = min(n, own)
	}
	return n
}
