package docker

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/scenarios"
)

// TestCompose runs docker-compose.yml with docker-compose.local.yml (the images
// built here) under docker-compose v1, the way a CI job would, and wants the
// runner's verdicts for each proxy to be ones the same proxy gives as a process
// target. v1 fails recreating containers on current engines, so the project has
// a name of its own and is brought down before and after.
func TestCompose(t *testing.T) {
	t.Parallel()
	for _, im := range []string{"gatecheck", "caddy", "nginx", "haproxy"} {
		requireImage(t, im)
	}
	if _, err := exec.LookPath("docker-compose"); err != nil {
		if os.Getenv("GATECHECK_REQUIRE_DOCKER") == "all" {
			t.Fatal("GATECHECK_REQUIRE_DOCKER=all: docker-compose not installed")
		}
		t.Skip("SKIP docker: docker-compose (v1) not installed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	out := t.TempDir()
	project := fmt.Sprintf("gatecheck-test-%d", rand.IntN(1<<30))
	compose := func(ctx context.Context, args ...string) ([]byte, error) {
		cmd := exec.CommandContext(ctx, "docker-compose", append([]string{"-p", project,
			"-f", filepath.Join("..", "docker-compose.yml"), "-f", filepath.Join("..", "docker-compose.local.yml")}, args...)...)
		cmd.Env = append(os.Environ(), "GATECHECK_TAG="+tag, "GATECHECK_OUT="+out)
		return cmd.CombinedOutput()
	}
	down := func() {
		dctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if b, err := compose(dctx, "down", "-v", "--remove-orphans"); err != nil {
			t.Errorf("docker-compose down: %v: %s", err, b)
		}
	}
	down()
	t.Cleanup(down)
	start := time.Now()
	if b, err := compose(ctx, "up", "--no-build", "--exit-code-from", "runner"); err != nil {
		t.Fatalf("docker-compose up: %v: %s", err, tailLines(string(b), 40))
	}
	t.Logf("docker-compose up: runner done in %.1fs", time.Since(start).Seconds())

	all := scenarios.Builtin()
	for _, kind := range []string{"nginx", "caddy", "haproxy"} {
		rep, err := harness.ReadReport(filepath.Join(out, "reports", harness.FileName("http://"+kind+":8080")+".json"))
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		pr := processResults(t, kind)
		s, pres := pr.session, pr.results
		unstable := 0
		for i, r := range rep.Results {
			p := pres[i]
			if r.ID != p.ID {
				t.Fatalf("%s: result %d is %s in compose, %s as a process", kind, i, r.ID, p.ID)
			}
			if !graded(r) || !graded(p) {
				t.Errorf("%s %s: not graded: compose %s (%s); process %s (%s)", kind, r.ID, r.Verdict, r.Actual, p.Verdict, p.Actual)
				continue
			}
			if r.Verdict == p.Verdict {
				continue
			}
			pv := rerun(ctx, s, all[i], p.Verdict)
			if pv[r.Verdict] == 0 { // r is graded: checked above
				t.Errorf("%s %s: compose %s (%s); process %v", kind, r.ID, r.Verdict, r.Actual, pv)
				continue
			}
			unstable++
		}
		t.Logf("%s: compose %s; process %s; %d verdicts unstable in %s itself", kind, summary(rep.Results), summary(pres), unstable, kind)
	}
}

// tailLines is the last n lines of s.
func tailLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(len(lines)-n, 0):], "\n")
}
