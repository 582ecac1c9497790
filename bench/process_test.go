package bench

import (
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/targets"
)

// TestResourcesOfNginx loads nginx, a process target, and checks that its
// process group (master and worker) is sampled through the run, from before
// the warm-up to after the settle time, with no suspected leak.
func TestResourcesOfNginx(t *testing.T) {
	if testing.Short() {
		t.Skip("starts nginx")
	}
	if !targets.Installed("nginx") {
		t.Skip("nginx not installed")
	}
	p, err := targets.NewProcess("nginx", fast)
	if err != nil {
		t.Fatal(err)
	}
	tr := run(t, p, Config{Mix: mustMix(t, "pass/ok=9,conn/reset-before-response=1"), Rate: 200, Duration: time.Second,
		Warmup: 200 * time.Millisecond, Settle: 300 * time.Millisecond, SampleInterval: MinSampleInterval, Timeouts: fast})
	r := tr.Resources
	if r == nil {
		t.Fatal("no resources for a process target")
	}
	if r.Before.Procs < 2 || r.After.Procs != r.Before.Procs || r.Before.RSSBytes == 0 || r.Before.FDs == 0 || r.Before.Threads == 0 {
		t.Errorf("before %+v, after %+v; want nginx's master and workers, with memory, files and threads", r.Before, r.After)
	}
	first, last := r.Samples[0].T, r.Samples[len(r.Samples)-1].T
	if first > -0.19 || last < 1.29 || len(r.Samples) < 20 {
		t.Errorf("%d samples from t=%v to t=%v; want every 50ms from before the warm-up (-0.2) to after the settle time (1.3)", len(r.Samples), first, last)
	}
	if len(r.Leaks) > 0 {
		t.Errorf("leaks %q; want none from a short healthy load", r.Leaks)
	}
	if tr.TargetVersion == "" || tr.Completed != 200 {
		t.Errorf("version %q, completed %d; want nginx's, 200", tr.TargetVersion, tr.Completed)
	}
}
