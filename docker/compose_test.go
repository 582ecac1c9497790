package docker

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/internal/certs"
	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/targets"
)

// TestCompose runs docker-compose.yml with docker-compose.local.yml (the images
// built here) under docker-compose v1, the way a CI job would, and wants the
// runner's verdicts for each proxy to be ones the same proxy gives as a process
// target. v1 fails recreating containers on current engines, so the project has
// a name of its own and is brought down before and after; a third file puts
// targets.OwnerLabels on every service and the project's network, so that a
// killed test's project is swept like any container of gatecheck's.
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
	// The run's TLS material, as go run ./docker/mkcerts writes it.
	tlsDir := t.TempDir()
	if _, err := certs.New(tlsDir); err != nil {
		t.Fatal(err)
	}
	specs := runnerTargets(t, filepath.Join("..", "docker-compose.yml"))
	labels := ownerOverride(t, filepath.Join("..", "docker-compose.yml"))
	sliced := sliceOverride(t, filepath.Join("..", "docker-compose.yml"))
	project := fmt.Sprintf("gatecheck-test-%d", rand.IntN(1<<30))
	compose := func(ctx context.Context, args ...string) ([]byte, error) {
		cmd := exec.CommandContext(ctx, "docker-compose", append([]string{"-p", project,
			"-f", filepath.Join("..", "docker-compose.yml"), "-f", filepath.Join("..", "docker-compose.local.yml"), "-f", labels, "-f", sliced}, args...)...)
		cmd.Env = append(os.Environ(), "GATECHECK_TAG="+tag, "GATECHECK_OUT="+out, "GATECHECK_CERTS="+tlsDir)
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

	all := slice()
	for _, kind := range []string{"nginx", "caddy", "haproxy"} {
		spec, ok := specs[kind]
		if !ok {
			t.Fatalf("the runner names no target for %s", kind)
		}
		rep, err := harness.ReadReport(filepath.Join(out, "reports", harness.FileName(spec)+".json"))
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
			if all[i].Timeouts != nil {
				// Its own declared timeouts cannot be given to a proxy that
				// compose started: the runner skips it, and says why.
				if r.Verdict != scenarios.VerdictSkip || !strings.Contains(r.Actual, "external target's timeouts") {
					t.Errorf("%s %s declares its own timeouts: compose %s (%s); want a skip that says why", kind, r.ID, r.Verdict, r.Actual)
				}
				continue
			}
			if r.NotForClient() && p.NotForClient() {
				continue // an h2-only row: the run's client is h1
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

// runnerTargets are the target specs the runner service of the compose file
// base names after --targets, by the proxy's host name (nginx, caddy...):
// the runner's reports are named by them.
func runnerTargets(t testing.TB, base string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(base)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Services map[string]struct {
			Command []string `yaml:"command"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(data, &file); err != nil {
		t.Fatalf("%s: %v", base, err)
	}
	cmd := file.Services["runner"].Command
	i := slices.Index(cmd, "--targets")
	if i < 0 || i+1 >= len(cmd) {
		t.Fatalf("%s: the runner's command %q has no --targets", base, cmd)
	}
	specs := map[string]string{}
	for spec := range strings.SplitSeq(cmd[i+1], ",") {
		u, err := url.Parse(spec)
		if err != nil {
			t.Fatalf("%s: runner target %q: %v", base, spec, err)
		}
		specs[u.Hostname()] = spec
	}
	return specs
}

// ownerOverride writes a compose file that puts targets.OwnerLabels on every
// service of the compose file base and on the project's default network, and
// returns its path.
func ownerOverride(t testing.TB, base string) string {
	t.Helper()
	data, err := os.ReadFile(base)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Services map[string]any `yaml:"services"`
	}
	if err := yaml.Unmarshal(data, &file); err != nil || len(file.Services) == 0 {
		t.Fatalf("%s: no services (%v)", base, err)
	}
	owner := targets.OwnerLabels()
	var labels strings.Builder
	for _, k := range slices.Sorted(maps.Keys(owner)) {
		fmt.Fprintf(&labels, "      %s: %q\n", k, owner[k])
	}
	var b strings.Builder
	b.WriteString("version: \"2.4\"\nservices:\n")
	for _, name := range slices.Sorted(maps.Keys(file.Services)) {
		fmt.Fprintf(&b, "  %s:\n    labels:\n%s", name, labels.String())
	}
	fmt.Fprintf(&b, "networks:\n  default:\n    labels:\n%s", labels.String())
	path := filepath.Join(t.TempDir(), "owner-labels.yml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// sliceOverride writes a compose file that gives the runner of base its own
// command with --only for each of the slice's globs, and returns its path:
// the test compares the slice, not the whole catalogue.
func sliceOverride(t testing.TB, base string) string {
	t.Helper()
	data, err := os.ReadFile(base)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Services map[string]struct {
			Command []string `yaml:"command"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(data, &file); err != nil || len(file.Services["runner"].Command) == 0 {
		t.Fatalf("%s: no runner command (%v)", base, err)
	}
	cmd := append(slices.Clone(file.Services["runner"].Command), onlyArgs()...)
	var b strings.Builder
	b.WriteString("version: \"2.4\"\nservices:\n  runner:\n    command:\n")
	for _, a := range cmd {
		fmt.Fprintf(&b, "      - %q\n", a)
	}
	path := filepath.Join(t.TempDir(), "runner-slice.yml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// tailLines is the last n lines of s.
func tailLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(len(lines)-n, 0):], "\n")
}
