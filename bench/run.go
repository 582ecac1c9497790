package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/wire"
)

// Bounds of a target's run around the load itself.
const (
	// dialTimeout bounds one connect to the proxy.
	dialTimeout = 5 * time.Second
	// interruptGrace is how long requests in flight may still finish after
	// the run was interrupted.
	interruptGrace = time.Second
	// drainSlack is added to the longest request deadline for the wait on the
	// requests in flight when the window closes.
	drainSlack = time.Second
	// stopTimeout bounds stopping the target and the fake upstream.
	stopTimeout = 30 * time.Second
	// closeIdleTimeout bounds the wait for the proxy to close its idle
	// upstream connections after the load.
	closeIdleTimeout = 5 * time.Second
	// progressEvery is how often Config.Progress is called.
	progressEvery = 250 * time.Millisecond
)

// processGroup is what targets.ProcessGroup promises: the proxy's processes,
// for resource samples. Targets that implement it get a Resources section.
type processGroup interface {
	Pids() ([]int, error)
}

// RunAll puts the load of cfg on each target in turn and gathers one Report:
// the same settings and the same seed for every target, so each sees the same
// requests in the same order. In plain mode (cfg.URL) targets must be empty:
// the URL is the one target. A target that does not start gets a
// TargetReport with Error set, and the others still run; after an interrupt
// (ctx ended) the targets not yet run are listed with Error "not run:
// interrupted". The error joins every target's; the Report is nil only when
// Check fails, and then nothing ran.
func RunAll(ctx context.Context, targets []harness.Target, cfg Config) (*Report, error) {
	if err := Check(targets, &cfg); err != nil {
		return nil, err
	}
	if cfg.URL != "" {
		targets = []harness.Target{nil}
	}
	rep := &Report{
		SchemaVersion:    SchemaVersion,
		GatecheckVersion: harness.Version,
		Started:          time.Now().UTC().Truncate(time.Second),
		Settings:         cfg.Settings(),
		Targets:          []TargetReport{},
	}
	var errs []error
	for _, t := range targets {
		if ctx.Err() != nil {
			rep.Targets = append(rep.Targets, TargetReport{Target: targetName(t, cfg), Error: "not run: interrupted", Interrupted: true})
			continue
		}
		tr, err := Run(ctx, t, cfg)
		if err != nil {
			errs = append(errs, err)
		}
		if tr != nil {
			rep.Targets = append(rep.Targets, *tr)
		}
	}
	rep.Interrupted = ctx.Err() != nil
	return rep, errors.Join(errs...)
}

// Check normalizes cfg (see Config.Normalize) and checks that it suits the
// targets: none in plain mode, and a mix whose every scenario each target can
// route (see None). RunAll checks the same before it starts anything.
func Check(targets []harness.Target, cfg *Config) error {
	if err := cfg.Normalize(); err != nil {
		return err
	}
	if cfg.URL != "" && len(targets) > 0 {
		return errors.New("plain mode (--url) takes no --target")
	}
	for _, t := range targets {
		if err := checkNone(t, cfg.Mix); err != nil {
			return err
		}
	}
	return nil
}

// targetName is how a report names t: its String, or the URL in plain mode.
func targetName(t harness.Target, cfg Config) string {
	if t == nil {
		return cfg.URL
	}
	return t.String()
}

// Run puts the load of cfg on one target: it opens a harness session (the fake
// upstream and the proxy; target nil in plain mode, where the URL's server is
// the target), loads the mix's scenarios, samples the proxy's processes when
// the target shows them, sends the warm-up and then the measured window's
// requests, waits for those in flight, lets the proxy settle, and stops
// everything. When ctx ends the load stops at once, the requests in flight get
// a second to finish, and the figures cover what ran (Interrupted).
//
// The error is the target's failure to start (the TargetReport then has only
// Target and Error) or to stop (the figures are still valid).
func Run(ctx context.Context, target harness.Target, cfg Config) (*TargetReport, error) {
	if err := cfg.Normalize(); err != nil {
		return nil, err
	}
	if (target == nil) != (cfg.URL != "") {
		return nil, errors.New("bench: a mix goes with a target, a URL with none")
	}
	e := &engine{cfg: cfg, timeouts: cfg.Timeouts}
	prefix := make([]byte, 4)
	_, _ = rand.Read(prefix)
	e.prefix = hex.EncodeToString(prefix)
	tr := &TargetReport{Target: targetName(target, cfg), Timeouts: cfg.Timeouts}
	if err := ctx.Err(); err != nil {
		tr.Error, tr.Interrupted = "not run: interrupted", true
		return tr, err
	}
	if target == nil {
		u, _ := parsePlainURL(cfg.URL) // checked by Normalize
		e.addr, e.host = u.addr, u.host
		e.plainHead, _ = wire.BuildHTTP1Request(wire.Request{Method: "GET", Path: u.target, Host: u.host})
		e.run(ctx, tr, nil)
		return tr, nil
	}
	if err := checkNone(target, cfg.Mix); err != nil {
		tr.Error = err.Error()
		return tr, err
	}
	sess, err := harness.Open(ctx, target, cfg.Options)
	if err != nil {
		tr.Error, tr.Interrupted = err.Error(), ctx.Err() != nil
		return tr, err
	}
	stop := func() error {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), stopTimeout)
		defer cancel()
		return sess.Close(sctx)
	}
	tr.TargetVersion, tr.Timeouts = sess.TargetVersion(), sess.Timeouts()
	e.addr, e.host, e.up, e.timeouts = sess.Addr(), sess.Addr(), sess.Upstream(), sess.Timeouts()
	if err := e.prepare(ctx, sess); err != nil {
		tr.Error = err.Error()
		return tr, errors.Join(err, stop())
	}
	var pids func() ([]int, error)
	if pg, ok := target.(processGroup); ok {
		pids = pg.Pids
	}
	e.run(ctx, tr, pids)
	if err := stop(); err != nil {
		return tr, fmt.Errorf("%s: %w", tr.Target, err)
	}
	return tr, nil
}

// The engine's own phases of a target's run; the load is warm-up or
// measuring by the clock (Phase).
const (
	phaseLoad int32 = iota // warm-up or measuring, by the clock
	phaseDrain
	phaseSettle
)

// run loads the target and fills tr. pids, when set, lists the proxy's
// processes for the resource samples.
func (e *engine) run(ctx context.Context, tr *TargetReport, pids func() ([]int, error)) {
	cfg := e.cfg
	var smp *sampler
	if pids != nil {
		smp = startSampler(pids, cfg.SampleInterval) // its first sample is Before
	}
	e.xctx, e.cancelX = context.WithCancel(context.WithoutCancel(ctx))
	defer e.cancelX()
	e.t0 = time.Now()
	e.windowStart = e.t0.Add(cfg.Warmup)
	e.windowEnd = e.windowStart.Add(cfg.Duration)
	e.rec = newRecorder(cfg.Warmup+cfg.Duration, e.windowStart)
	stopProgress := e.startProgress(tr.Target)

	stopped, backlog := e.load(ctx)

	if smp != nil && ctx.Err() == nil {
		e.phase.Store(phaseSettle)
		if e.up != nil {
			// The proxy's pool of idle upstream connections is no leak: the
			// fake upstream closes its side, as before an exclusive scenario,
			// and a proxy that keeps the sockets still shows them.
			cctx, cancel := context.WithTimeout(ctx, closeIdleTimeout)
			_ = e.up.CloseIdle(cctx) // bounded; what stays open is the finding
			cancel()
		}
		t := time.NewTimer(cfg.Settle)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
	}
	stopProgress()
	interrupted := ctx.Err() != nil
	elapsed := min(max(stopped.Sub(e.windowStart), 0), cfg.Duration)
	var ids []string
	if cfg.Mix != nil {
		ids = make([]string, len(cfg.Mix.Entries))
		for i, m := range cfg.Mix.Entries {
			ids[i] = m.ID
		}
	}
	e.rec.fill(tr, elapsed, ids, e.against)
	tr.Backlog, tr.Interrupted = backlog, interrupted
	if smp != nil {
		tr.Resources = resources(smp.finish(), e.windowStart, interrupted)
	}
}

// startProgress calls Config.Progress every progressEvery until the returned
// function is called; that function waits for the last call to end.
func (e *engine) startProgress(target string) func() {
	if e.cfg.Progress == nil {
		return func() {}
	}
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(progressEvery)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				e.cfg.Progress(e.progress(target))
			}
		}
	}()
	return func() {
		close(stop)
		<-done
	}
}

// progress is the run's state now.
func (e *engine) progress(target string) Progress {
	sent, completed, outcomes, p99 := e.rec.snapshot()
	now := time.Now()
	p := Progress{Target: target, Elapsed: now.Sub(e.windowStart), Duration: e.cfg.Duration, Warmup: e.cfg.Warmup,
		Sent: sent, Completed: completed, InFlight: e.inflight.Load(), Outcomes: outcomes, P99: p99}
	switch e.phase.Load() {
	case phaseDrain:
		p.Phase = PhaseDraining
	case phaseSettle:
		p.Phase = PhaseSettling
	default:
		p.Phase = PhaseMeasuring
		if now.Before(e.windowStart) {
			p.Phase = PhaseWarmup
		}
	}
	return p
}

// engineState is shared by run and the load's goroutines.
type engineState struct {
	inflight atomic.Int64
	phase    atomic.Int32
}
