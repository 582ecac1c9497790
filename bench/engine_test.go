package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/harness"
)

// TestOutcomesAgainstGoStdlib loads go-stdlib with the mix and checks
// each scenario's outcome, the time to the proxy's 502 against the read
// timeout, the upstream figures, and that nothing is left running.
func TestOutcomesAgainstGoStdlib(t *testing.T) {
	if testing.Short() {
		t.Skip("a 2s load")
	}
	goroutines, fds := runtime.NumGoroutine(), openFDs(t)
	tr := run(t, goStdlib(), Config{
		Mix:      mustMix(t, "pass/ok=80,conn/reset-before-response=10,timeout/no-response=10"),
		Rate:     100,
		Duration: 2 * time.Second,
		Warmup:   200 * time.Millisecond,
		Timeouts: fast,
	})
	if tr.Error != "" || tr.Interrupted {
		t.Fatalf("report: error %q, interrupted %v", tr.Error, tr.Interrupted)
	}
	if tr.Sent != 200 || tr.Completed != 200 || tr.Backlog != 0 {
		t.Errorf("sent %d, completed %d, backlog %d; want 200, 200, 0", tr.Sent, tr.Completed, tr.Backlog)
	}
	if tr.TargetVersion == "" || tr.Timeouts != fast {
		t.Errorf("target version %q, timeouts %+v; want go's version and %+v", tr.TargetVersion, tr.Timeouts, fast)
	}
	readMS := float64(fast.Read.Milliseconds())

	ok, found := row(tr, "pass/ok", "passthrough")
	if !found || ok.Verdict != "pass" || ok.Count < 100 {
		t.Errorf("pass/ok: %+v; want passthrough, pass, most requests", ok)
	}
	if ok.Against != "" {
		t.Errorf("pass/ok: measured against %q; want nothing", ok.Against)
	}

	// A reset before the head is answered 502 at once: far under the read
	// timeout.
	reset, found := row(tr, "conn/reset-before-response", "502")
	if !found || reset.Verdict != "pass" {
		t.Errorf("conn/reset-before-response: %+v; want 502, pass", tr.Outcomes)
	}
	if reset.Against != "read_timeout" || reset.AgainstMS != readMS || reset.OverP50MS >= 0 {
		t.Errorf("conn/reset-before-response: against %s %vms, p50 over it %vms; want read_timeout %vms, p50 under it",
			reset.Against, reset.AgainstMS, reset.OverP50MS, readMS)
	}

	// A stall: httputil.ReverseProxy answers its response-header timeout with
	// 502 (non-strict; suites/baselines/go-stdlib.yaml), never before the read
	// timeout ran out.
	stall, found := row(tr, "timeout/no-response", "502")
	if !found || stall.Verdict != "non-strict" {
		t.Errorf("timeout/no-response: %+v; want 502, non-strict", tr.Outcomes)
	}
	if stall.Latency.P50 < readMS || stall.OverP50MS < 0 || stall.OverP99MS < 0 {
		t.Errorf("timeout/no-response: p50 %vms, over the read timeout by %vms (p99 %vms); want at least the read timeout %vms",
			stall.Latency.P50, stall.OverP50MS, stall.OverP99MS, readMS)
	}
	if stall.Latency.P99 > readMS+500 {
		t.Errorf("timeout/no-response: p99 %vms; want within 500ms of the read timeout", stall.Latency.P99)
	}

	var sum int64
	for _, o := range tr.Outcomes {
		sum += o.Count
		if len(o.Spectrum) == 0 {
			t.Errorf("%s %s: no spectrum", o.Scenario, o.Outcome)
		}
	}
	if sum != tr.Completed {
		t.Errorf("outcome counts add up to %d; want %d", sum, tr.Completed)
	}
	u := tr.Upstream
	if u == nil || u.Requests < tr.Completed || u.Unseen != 0 || u.Connections == 0 {
		t.Errorf("upstream: %+v; want every request seen at least once, and new connections (resets and stalls close theirs)", u)
	}
	var timeline int64
	for _, p := range tr.Timeline {
		for _, n := range p.Completed {
			timeline += n
		}
	}
	if timeline != tr.Completed || len(tr.Timeline) < 2 || len(tr.Timeline) > 4 {
		t.Errorf("timeline: %d points, %d requests; want 2 to 4 points (the window and the drain) and %d", len(tr.Timeline), timeline, tr.Completed)
	}
	if tr.Resources != nil {
		t.Errorf("resources of an in-process proxy: %+v; want none", tr.Resources)
	}
	checkNothingLeft(t, goroutines, fds)
}

// TestOpenLoopRate checks the rate an open-loop run achieves, against none.
func TestOpenLoopRate(t *testing.T) {
	if testing.Short() {
		t.Skip("a 2s load")
	}
	goroutines, fds := runtime.NumGoroutine(), openFDs(t)
	start := time.Now()
	tr := run(t, None(fast), Config{Mix: mustMix(t, "pass/ok=1"), Rate: 200, Duration: 2 * time.Second, Timeouts: fast})
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("a 2s run took %v", took)
	}
	if tr.Sent != 400 || tr.Completed != 400 {
		t.Errorf("sent %d, completed %d; want 400 each", tr.Sent, tr.Completed)
	}
	if tr.ThroughputRPS < 180 || tr.ThroughputRPS > 220 {
		t.Errorf("throughput %.1f/s; want 200 ± 10%%", tr.ThroughputRPS)
	}
	if tr.ElapsedMS != 2000 {
		t.Errorf("elapsed %dms; want the window, 2000ms", tr.ElapsedMS)
	}
	if o, _ := row(tr, "pass/ok", "passthrough"); o.Count != 400 {
		t.Errorf("outcomes %+v; want 400 passthrough", tr.Outcomes)
	}
	if u := tr.Upstream; u.Connections > 50 || u.RetriesPerRequest != 0 {
		t.Errorf("upstream: %+v; want connections kept alive, no retries", u)
	}
	checkNothingLeft(t, goroutines, fds)
}

// TestClosedLoop runs two connections back to back for a second.
func TestClosedLoop(t *testing.T) {
	goroutines, fds := runtime.NumGoroutine(), openFDs(t)
	tr := run(t, None(fast), Config{Mix: mustMix(t, "pass/ok=1"), Connections: 2, Duration: time.Second, Timeouts: fast})
	if tr.Completed < 50 || tr.Sent != tr.Completed || tr.Backlog != 0 {
		t.Errorf("sent %d, completed %d, backlog %d; want at least 50, all completed", tr.Sent, tr.Completed, tr.Backlog)
	}
	if tr.ElapsedMS != 1000 {
		t.Errorf("elapsed %dms; want 1000", tr.ElapsedMS)
	}
	checkNothingLeft(t, goroutines, fds)
}

// TestSameSeedSameFaults caps runs at 300 requests and checks each scenario's
// count: the same for one connection and for eight, in either mode, and the
// count Pick gives for requests 0 to 299.
func TestSameSeedSameFaults(t *testing.T) {
	mix := mustMix(t, "pass/ok=60,pass/ok-chunked=20,status/garbage-2oo=20")
	want := map[string]int64{}
	for i := range int64(300) {
		want[mix.Entries[mix.Pick(9, i)].ID]++
	}
	for _, cfg := range []Config{
		{Connections: 1},
		{Connections: 8},
		{Rate: 2000, Connections: 8},
	} {
		cfg.Mix, cfg.Seed, cfg.MaxRequests, cfg.Duration, cfg.Timeouts = mix, 9, 300, 10*time.Second, fast
		tr := run(t, None(fast), cfg)
		got := map[string]int64{}
		for _, o := range tr.Outcomes {
			got[o.Scenario] += o.Count
		}
		for id, n := range want {
			if got[id] != n {
				t.Errorf("%s over %d connections (rate %v): %s ×%d; want ×%d", cfg.Mode(), cfg.Connections, cfg.Rate, id, got[id], n)
			}
		}
		if tr.ElapsedMS >= 10_000 {
			t.Errorf("elapsed %dms; want the run to stop at --max-requests", tr.ElapsedMS)
		}
	}
}

// TestCoordinatedOmission sends 20 requests a second over one connection to a
// stall that takes the read timeout (200ms) each: the connection serves 5 a
// second, and latency from each request's intended start must show the wait
// the slow proxy caused, not just the 200ms of service.
func TestCoordinatedOmission(t *testing.T) {
	if testing.Short() {
		t.Skip("a 1s load")
	}
	tr := run(t, goStdlib(), Config{Mix: mustMix(t, "timeout/no-response=1"), Rate: 20, Connections: 1,
		Duration: time.Second, Timeouts: fast})
	if tr.Backlog < 5 {
		t.Errorf("backlog %d; want the requests one connection could not send in time (about 14)", tr.Backlog)
	}
	service := float64(fast.Read.Milliseconds())
	if tr.Latency.Max < 3*service || tr.Latency.P99 < 3*service {
		t.Errorf("latency p99 %vms, max %vms; want several times the %vms of service (corrected for coordinated omission)",
			tr.Latency.P99, tr.Latency.Max, service)
	}
	if tr.Latency.P50 <= service {
		t.Errorf("latency p50 %vms; want above the %vms of service", tr.Latency.P50, service)
	}
}

// TestWarmupExcluded checks that the warm-up's requests are sent but not
// counted: 100/s for 0.5s of warm-up and 1s of window counts 100 requests.
func TestWarmupExcluded(t *testing.T) {
	var phases []Phase
	tr := run(t, None(fast), Config{Mix: mustMix(t, "pass/ok=1"), Rate: 100, Duration: time.Second,
		Warmup: 500 * time.Millisecond, Timeouts: fast, Progress: func(p Progress) { phases = append(phases, p.Phase) }})
	if tr.Sent != 100 || tr.Completed != 100 {
		t.Errorf("sent %d, completed %d; want 100 (the window's), not 150", tr.Sent, tr.Completed)
	}
	if tr.Upstream.Requests != 100 {
		t.Errorf("upstream requests %d; want the window's 100", tr.Upstream.Requests)
	}
	if len(phases) == 0 || phases[0] != PhaseWarmup || !slices.Contains(phases, PhaseMeasuring) {
		t.Errorf("progress phases %q; want warm-up, then measuring", phases)
	}
}

// TestInterruptWritesPartialReport cancels a 30s run once 40 requests are
// done, from the progress callback, and checks the partial report and that a
// second target is listed as not run.
func TestInterruptWritesPartialReport(t *testing.T) {
	goroutines, fds := runtime.NumGoroutine(), openFDs(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := Config{Mix: mustMix(t, "pass/ok=9,timeout/no-response=1"), Rate: 100, Duration: 30 * time.Second, Timeouts: fast,
		Progress: func(p Progress) {
			if p.Completed >= 40 {
				cancel()
			}
		}}
	start := time.Now()
	rep, err := RunAll(ctx, []harness.Target{goStdlib(), None(fast)}, cfg)
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("interrupted run took %v; want it to stop at once", took)
	}
	if err != nil {
		t.Fatalf("RunAll: %v", err)
	}
	if !rep.Interrupted || len(rep.Targets) != 2 {
		t.Fatalf("report: interrupted %v, %d targets; want interrupted, 2", rep.Interrupted, len(rep.Targets))
	}
	tr := rep.Targets[0]
	if !tr.Interrupted || tr.Completed < 40 || tr.ElapsedMS >= 30_000 || len(tr.Outcomes) == 0 || tr.Latency.Count != tr.Completed {
		t.Errorf("partial report: interrupted %v, completed %d, elapsed %dms, %d outcome rows", tr.Interrupted, tr.Completed, tr.ElapsedMS, len(tr.Outcomes))
	}
	if tr.Sent < tr.Completed || tr.Sent > tr.Completed+5 {
		t.Errorf("sent %d, completed %d; want the few cut short at most in between", tr.Sent, tr.Completed)
	}
	if second := rep.Targets[1]; second.Error != "not run: interrupted" {
		t.Errorf("second target: %+v; want not run", second)
	}
	checkNothingLeft(t, goroutines, fds)
}

// TestPlainMode GETs a local server's URL: outcomes are status codes, no
// verdict, no upstream figures.
func TestPlainMode(t *testing.T) {
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n++ // one handler at a time: one connection
		if r.URL.Path != "/status" || r.URL.RawQuery != "q=1" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		if n%4 == 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	defer srv.Close()
	tr := run(t, nil, Config{URL: srv.URL + "/status?q=1", Connections: 1, MaxRequests: 200, Duration: 10 * time.Second})
	if tr.Upstream != nil || tr.Target != srv.URL+"/status?q=1" {
		t.Errorf("target %q, upstream %+v; want the URL, no upstream", tr.Target, tr.Upstream)
	}
	got := map[string]int64{}
	for _, o := range tr.Outcomes {
		if o.Verdict != "" || o.Scenario != "" {
			t.Errorf("plain row %+v; want no scenario, no verdict", o)
		}
		got[o.Outcome] = o.Count
	}
	if got["200"] != 150 || got["503"] != 50 || len(got) != 2 {
		t.Errorf("outcomes %v; want 200 ×150 and 503 ×50", got)
	}
}

func TestNoneRefusesOtherEndpoints(t *testing.T) {
	_, err := Run(context.Background(), None(fast), Config{Mix: mustMix(t, "pass/ok=1,conn/refused=1"), Rate: 10, Timeouts: fast})
	if err == nil || !strings.Contains(err.Error(), "conn/refused") || !strings.Contains(err.Error(), "refused endpoint") {
		t.Errorf("got %v; want conn/refused refused for --target none", err)
	}
}

// BenchmarkRequestNone is one request end to end against none: build, send,
// receive, read the journal, forget, judge, record.
func BenchmarkRequestNone(b *testing.B) {
	ctx := context.Background()
	cfg := Config{Mix: mustMix(b, "pass/ok=1"), Connections: 1, Timeouts: fast}
	if err := cfg.Normalize(); err != nil {
		b.Fatal(err)
	}
	sess, err := harness.Open(ctx, None(fast), harness.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer sess.Close(ctx)
	e := &engine{cfg: cfg, addr: sess.Addr(), host: sess.Addr(), up: sess.Upstream(), timeouts: fast, prefix: "bench"}
	if err := e.prepare(ctx, sess); err != nil {
		b.Fatal(err)
	}
	e.xctx, e.cancelX = context.WithCancel(ctx)
	defer e.cancelX()
	e.windowStart = time.Now()
	e.rec = newRecorder(time.Minute, e.windowStart)
	w := &worker{e: e}
	defer w.close()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range int64(b.N) {
		w.request(job{i: i, start: time.Now(), measured: true})
	}
	b.StopTimer()
	if e.rec.completed != int64(b.N) {
		b.Errorf("completed %d of %d", e.rec.completed, b.N)
	}
}
