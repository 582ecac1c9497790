package docker

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/targets"
)

// TestContainerStartFailure starts an image that has no nginx in it as the
// nginx container target: Open must fail, saying why, and leave no container
// and no network behind.
func TestContainerStartFailure(t *testing.T) {
	requireImage(t, "gatecheck")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	before := dockerList(ctx, t)
	ctr, err := targets.NewContainer(targets.ContainerConfig{Kind: "nginx", Image: "gatecheck:" + tag,
		UpstreamImage: "gatecheck:" + tag, Timeouts: scenarios.DefaultTimeouts()})
	if err != nil {
		t.Fatal(err)
	}
	s, err := harness.Open(ctx, ctr, harness.Options{})
	if err == nil {
		_ = s.Close(ctx)
		t.Fatal("got a session for an image without nginx")
	}
	if !strings.Contains(err.Error(), "proxy container gatecheck:"+tag) {
		t.Errorf("got %v; want it to name the proxy container", err)
	}
	t.Log(err)
	if after := dockerList(ctx, t); after != before {
		t.Errorf("left behind: before\n%s\nafter\n%s", before, after)
	}
}

// dockerList lists the containers and networks that exist, one per line.
func dockerList(ctx context.Context, t testing.TB) string {
	t.Helper()
	var b strings.Builder
	for _, args := range [][]string{{"ps", "-aq"}, {"network", "ls", "-q"}} {
		out, err := exec.CommandContext(ctx, "docker", args...).Output()
		if err != nil {
			t.Fatalf("docker %s: %v", strings.Join(args, " "), err)
		}
		b.Write(out)
	}
	return b.String()
}

// TestContainersPublishOnLoopbackOnly opens a container target and wants every
// port Docker publishes for gatecheck's containers bound to the host's
// loopback: testcontainers-go would otherwise publish each port an image
// EXPOSEs on all the host's addresses, the fake upstream's control API included.
func TestContainersPublishOnLoopbackOnly(t *testing.T) {
	requireImage(t, "nginx")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ctr, err := targets.NewContainer(targets.ContainerConfig{Kind: "nginx", Image: "gatecheck-nginx:" + tag,
		UpstreamImage: "gatecheck:" + tag, Timeouts: scenarios.DefaultTimeouts()})
	if err != nil {
		t.Fatal(err)
	}
	open(ctx, t, ctr)
	out := dockerOutput(ctx, t, "ps", "--filter", "name=gatecheck-", "--format", "{{.Names}} {{.Ports}}")
	published := 0
	for line := range strings.Lines(out) {
		name, ports, _ := strings.Cut(strings.TrimSpace(line), " ")
		for p := range strings.SplitSeq(ports, ", ") {
			if !strings.Contains(p, "->") {
				continue
			}
			published++
			if !strings.HasPrefix(p, "127.0.0.1:") {
				t.Errorf("%s publishes %s: want the host's loopback only", name, p)
			}
		}
	}
	if published == 0 {
		t.Errorf("no published port seen in\n%s", out)
	}
}
