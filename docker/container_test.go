package docker

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/targets"
	"github.com/gatecheck/gatecheck/wire"
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
			all := slice()
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

// TestContainerHTTP2 starts each proxy image through the container target and
// sends one request over each of its HTTP/2 listeners (h2c by prior knowledge
// on 8088, TLS with ALPN h2 on 8443, the run's certificate copied in), at the
// container's address on its network: each must reach the fake upstream's
// container once and bring back its status and body.
func TestContainerHTTP2(t *testing.T) {
	for _, kind := range []string{"nginx", "caddy", "haproxy"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			requireImage(t, kind)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			ctr, err := targets.NewContainer(targets.ContainerConfig{Kind: kind, Image: "gatecheck-" + kind + ":" + tag,
				UpstreamImage: "gatecheck:" + tag, Timeouts: scenarios.DefaultTimeouts()})
			if err != nil {
				t.Fatal(err)
			}
			s := open(ctx, t, ctr)
			const id, body = "docker-http2", "through the container"
			script := fakeupstream.Script{Steps: []fakeupstream.Step{fakeupstream.Read{}, fakeupstream.Write{Data: []byte(
				"HTTP/1.1 202 Accepted\r\nContent-Type: text/plain\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body)}}}
			if err := s.Upstream().Replace(ctx, id, []fakeupstream.Script{script}); err != nil {
				t.Fatal(err)
			}
			for _, client := range []scenarios.Client{scenarios.ClientH2, scenarios.ClientH2TLS} {
				l, err := ctr.HTTP2(client)
				if err != nil {
					t.Errorf("HTTP2(%s): %v", client, err)
					continue
				}
				token := "via" + strings.ReplaceAll(string(client), "-", "")
				x, err := wire.GetHTTP2(ctx, l.Addr, l.TLS, fakeupstream.PathPrefix+id+"/"+token+"/0", 10*time.Second)
				switch {
				case err != nil:
					t.Errorf("%s at %s: %v\n%s", client, l.Addr, err, ctr.Log())
					continue
				case x.H2.Reset != "" || x.Response.Final.Status != 202 || string(x.Response.Body) != body:
					t.Errorf("%s at %s: %d %q (reset %q, frames %v); want the upstream's 202 %q", client, l.Addr, x.Response.Final.Status, x.Response.Body, x.H2.Reset, x.H2.Frames, body)
					continue
				}
				wctx, wcancel := context.WithTimeout(ctx, 5*time.Second)
				rec, err := s.Upstream().Wait(wctx, token, func(r fakeupstream.Record) bool { return r.Attempts(0) > 0 })
				wcancel()
				if err != nil || rec.Attempts(0) != 1 {
					t.Errorf("%s: the fake upstream saw %d attempts (%v); want 1", client, rec.Attempts(0), err)
				}
				t.Logf("%s %s at %s: %d, %d frames", ctr, client, l.Addr, x.Response.Final.Status, len(x.H2.Frames))
			}
		})
	}
}
