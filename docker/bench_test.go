package docker

import (
	"context"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/bench"
	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/targets"
)

// TestBenchContainer loads the nginx image through the container target with a
// fault mix: the outcomes are judged as for the process target (a reset is a
// 502, a stall past the read timeout a 504), and the proxy's processes are
// found inside the container (its init pid's process tree) and sampled — the
// container side of gatecheck bench's resources, which no process test covers.
func TestBenchContainer(t *testing.T) {
	requireImage(t, "nginx")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	to := scenarios.Timeouts{Connect: time.Second, Read: 300 * time.Millisecond}
	ctr, err := targets.NewContainer(targets.ContainerConfig{Kind: "nginx", Image: "gatecheck-nginx:" + tag,
		UpstreamImage: "gatecheck:" + tag, Timeouts: to})
	if err != nil {
		t.Fatal(err)
	}
	mix, err := bench.ParseMix("pass/ok=80,conn/reset-before-response=10,timeout/no-response=10", scenarios.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := bench.Run(ctx, ctr, bench.Config{
		Mix: mix, Rate: 100, Connections: 64, Duration: 2 * time.Second, Warmup: 500 * time.Millisecond,
		Seed: 1, SampleInterval: 100 * time.Millisecond, Settle: time.Second, Timeouts: to,
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Error != "" {
		t.Fatalf("bench against the nginx container: %s", rep.Error)
	}
	want := map[string]string{"pass/ok": "passthrough", "conn/reset-before-response": "502", "timeout/no-response": "504"}
	for _, o := range rep.Outcomes {
		if want[o.Scenario] != o.Outcome {
			t.Errorf("%s: %d × %s (%s); want %s", o.Scenario, o.Count, o.Outcome, o.Verdict, want[o.Scenario])
		}
	}
	if rep.Completed < 150 {
		t.Errorf("%d requests completed in 2s at 100/s", rep.Completed)
	}
	res := rep.Resources
	if res == nil || len(res.Samples) == 0 {
		t.Fatalf("no resource samples for the container: %+v", res)
	}
	if b := res.Before; b.Procs < 2 || b.FDs == 0 || b.RSSBytes == 0 || b.Threads == 0 {
		t.Errorf("before the load: %+v; want nginx's master and worker, with open files, memory and threads", b)
	}
	t.Logf("nginx container: %d completed, %d samples, before %+v, after %+v", rep.Completed, len(res.Samples), res.Before, res.After)
}
