// Package docker holds the container images' build scripts and Dockerfiles, and
// the tests that need a Docker Engine: the images are built here, locally,
// from scratch (nothing is pulled), the catalogue runs through the container
// target, and the verdicts are compared with the same proxy's process target.
// Without Docker the tests skip with a line saying so, unless
// GATECHECK_REQUIRE_DOCKER=all; they also skip in -short mode. Everything
// they create in Docker carries targets.OwnerLabels, and TestMain first runs
// targets.SweepDocker: what a killed test run left behind goes at the next.
package docker

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/targets"
)

// tag is the tag of every image the tests build; TestMain removes them.
var tag = fmt.Sprintf("test-%d", os.Getpid())

// built lists the images TestMain built, as "caddy"; empty when Docker is
// unavailable (then skipReason says why).
var (
	built      = map[string]bool{}
	skipReason string
)

func TestMain(m *testing.M) {
	if tag := os.Getenv(containerOwnerEnv); tag != "" {
		os.Exit(containerOwner(tag))
	}
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if os.Getenv("TESTCONTAINERS_RYUK_DISABLED") == "" {
		// No image can be pulled here, Ryuk's included; Stop removes everything.
		os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	}
	if short() {
		skipReason = "-short: the Docker tests build images and run the catalogue"
		return m.Run()
	}
	if err := dockerAvailable(); err != nil {
		skipReason = "Docker unavailable: " + err.Error()
		return m.Run()
	}
	swept, err := targets.SweepDocker(context.Background())
	if len(swept) > 0 {
		fmt.Fprintf(os.Stderr, "docker tests: removed, left behind by test runs that no longer run: %s\n", strings.Join(swept, ", "))
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "docker tests: sweep: %v\n", err)
	}
	defer exec.Command("sh", "remove-images.sh", tag).Run()
	// The caddy process target runs the same static Caddy as the Caddy image.
	os.Setenv("PATH", caddyDir()+string(os.PathListSeparator)+os.Getenv("PATH"))
	images := "gatecheck caddy"
	for _, p := range []string{"nginx", "haproxy"} {
		if _, err := exec.LookPath(p); err == nil {
			images += " " + p
		} else if _, err := os.Stat("/usr/sbin/" + p); err == nil {
			images += " " + p
		}
	}
	start := time.Now()
	cmd := exec.Command("sh", "build-images.sh", tag)
	cmd.Env = append(os.Environ(), "IMAGES="+images, "CADDY_CACHE="+caddyDir(), "LABELS="+labelArgs())
	out, err := cmd.CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "docker tests: build-images.sh %s: %v\n%s", tag, err, out)
		return 1
	}
	for _, im := range strings.Fields(images) {
		built[im] = true
	}
	fmt.Fprintf(os.Stderr, "docker tests: built %s:%s in %.1fs\n", images, tag, time.Since(start).Seconds())
	defer closeProcesses()
	return m.Run()
}

// labelArgs is targets.OwnerLabels as KEY=VALUE words, for build-images.sh.
func labelArgs() string {
	var words []string
	for k, v := range targets.OwnerLabels() {
		words = append(words, k+"="+v)
	}
	slices.Sort(words)
	return strings.Join(words, " ")
}

// short reports -short without flag.Parse having run yet.
func short() bool {
	for _, a := range os.Args[1:] {
		if a == "-test.short" || a == "-test.short=true" {
			return true
		}
	}
	return false
}

// requireImage skips (or, with GATECHECK_REQUIRE_DOCKER=all, fails) a test
// whose image was not built.
func requireImage(t testing.TB, image string) {
	t.Helper()
	if built[image] {
		return
	}
	reason := skipReason
	if reason == "" {
		reason = image + " image not built (is the proxy installed?)"
	}
	if os.Getenv("GATECHECK_REQUIRE_DOCKER") == "all" && !short() {
		t.Fatalf("GATECHECK_REQUIRE_DOCKER=all: %s", reason)
	}
	t.Skip("SKIP docker: " + reason)
}

// dockerAvailable says why Docker cannot be used, if it cannot.
func dockerAvailable() error {
	if runtime.GOOS != "linux" {
		return fmt.Errorf("the tests dial containers on their network, which needs Linux (not %s)", runtime.GOOS)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "docker", "version", "--format", "{{.Server.Version}}").CombinedOutput()
	if err != nil {
		return fmt.Errorf("docker version: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// caddyDir is where build-images.sh keeps the static Caddy it builds, which the
// caddy process target then runs too.
func caddyDir() string {
	if d := os.Getenv("CADDY_CACHE"); d != "" {
		return d
	}
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	return filepath.Join(base, "gatecheck", "caddy-v2.10.2")
}
