package docker

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/targets"
)

// reruns is how often a scenario whose verdicts differ runs again on each
// side, to tell the proxy's own races from a difference the container makes.
const reruns = 5

// TestContainerMatchesProcess runs the whole catalogue against a proxy image
// through the container target and against the same proxy binary as a process
// target, and wants the same verdict for every scenario. The Caddy image holds
// the static Caddy that build-images.sh builds from the Go module proxy, and the
// caddy process target runs that same binary (TestMain puts it first in PATH),
// not Debian's older caddy; the nginx image holds this machine's nginx. The
// proxies, and docker-compose, run side by side: each has its own upstream.
//
// Some proxies race internally (Caddy flushes a head on one goroutine while
// another sees the upstream's error), so a first difference is not yet a
// failure: the scenario runs again on both sides, and the verdicts must then
// share one the proxy gives either way.
func TestContainerMatchesProcess(t *testing.T) {
	for _, kind := range []string{"caddy", "nginx"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			requireImage(t, kind)
			ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
			defer cancel()
			to := scenarios.DefaultTimeouts()
			ctr, err := targets.NewContainer(targets.ContainerConfig{Kind: kind, Image: "gatecheck-" + kind + ":" + tag,
				UpstreamImage: "gatecheck:" + tag, Timeouts: to})
			if err != nil {
				t.Fatal(err)
			}
			inContainer := open(ctx, t, ctr)
			all := scenarios.Builtin()
			start := time.Now()
			cres := inContainer.RunAll(ctx, all, harness.Options{})
			ctime := time.Since(start)
			pr := processResults(t, kind)
			asProcess, pres, ptime := pr.session, pr.results, pr.elapsed
			if v, w := inContainer.TargetVersion(), asProcess.TargetVersion(); v != w || v == "" {
				t.Errorf("versions: container %q, process %q; want the same binary", v, w)
			}
			unstable := 0
			for i, r := range cres {
				p := pres[i]
				if r.NotForClient() && p.NotForClient() {
					continue // an h2-only row: the run's client is h1
				}
				if !graded(r) || !graded(p) {
					t.Errorf("%s: not graded: container %s (%s); process %s (%s)\n%s", r.ID, r.Verdict, r.Actual, p.Verdict, p.Actual, r.Log)
					continue
				}
				if r.Verdict == p.Verdict {
					continue
				}
				cv := rerun(ctx, inContainer, all[i], r.Verdict)
				pv := rerun(ctx, asProcess, all[i], p.Verdict)
				if !overlap(cv, pv) {
					t.Errorf("%s: container %v; process %v (first: container %s; process %s)", r.ID, cv, pv, r.Actual, p.Actual)
					continue
				}
				unstable++
				t.Logf("%s: unstable in %s itself: container %v, process %v", r.ID, kind, cv, pv)
			}
			t.Logf("%s %s: %d scenarios, %d unstable in the proxy itself; container %s in %.1fs, process %s in %.1fs",
				kind, inContainer.TargetVersion(), len(cres), unstable,
				summary(cres), ctime.Seconds(), summary(pres), ptime.Seconds())
		})
	}
}

// open opens a session on target and closes it when the test ends.
func open(ctx context.Context, t testing.TB, target harness.Target) *harness.Session {
	t.Helper()
	s, err := harness.Open(ctx, target, harness.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(context.Background()); err != nil {
			t.Errorf("close %s: %v", target, err)
		}
	})
	return s
}

// rerun runs sc `reruns` more times and counts every verdict, first included.
func rerun(ctx context.Context, s *harness.Session, sc *scenarios.Scenario, first scenarios.Verdict) map[scenarios.Verdict]int {
	seen := map[scenarios.Verdict]int{first: 1}
	for range reruns {
		seen[s.Run(ctx, sc).Verdict]++
	}
	return seen
}

// overlap says whether both sides gave one verdict that grades the proxy:
// a skip or an error agrees with nothing.
func overlap(a, b map[scenarios.Verdict]int) bool {
	for v := range a {
		if grades(v) && b[v] > 0 {
			return true
		}
	}
	return false
}

// graded says whether r graded the proxy.
func graded(r harness.Result) bool { return grades(r.Verdict) }

// grades says whether v grades the proxy: not a skip (the run's time was up
// before the scenario started) and not an error of gatecheck's own.
func grades(v scenarios.Verdict) bool {
	return v != scenarios.VerdictSkip && v != scenarios.VerdictError
}

// summary is the results' counts, as "99 pass, 8 non-strict, 13 fail, 0 error".
func summary(results []harness.Result) string {
	s := harness.Summarize(results)
	return fmt.Sprintf("%d pass, %d non-strict, %d fail, %d error, %d skip", s.Pass, s.NonStrict, s.Fail, s.Error, s.Skip)
}
