package docker

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/targets"
)

var update = flag.Bool("update", false, "rewrite docker/compose/* from the templates")

// composeProxies are the proxies docker-compose.yml runs, each with the config
// file it mounts; every one was run here (TestCompose).
var composeProxies = map[string]string{"nginx": "nginx.conf", "caddy": "Caddyfile", "haproxy": "haproxy.cfg"}

// TestComposeConfigs checks that the configs docker-compose.yml mounts are the
// ones the container target renders from the same templates, routed to the
// compose service "upstream" with the default timeouts. Run with -update after a
// template changed.
func TestComposeConfigs(t *testing.T) {
	eps := fakeupstream.Endpoints{Main: "upstream:8081", Refused: "upstream:8082", ConnectTimeout: "upstream:8083"}
	for kind, file := range composeProxies {
		want, err := targets.ContainerConfigText(kind, eps, scenarios.DefaultTimeouts())
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("compose", file)
		if *update {
			if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Errorf("docker/%s differs from the %s template's container config; go test ./docker -run TestComposeConfigs -update", path, kind)
		}
	}
}

// TestComposeOwnerLabels checks, with docker-compose config (no Docker Engine
// needed), that the file TestCompose adds puts the owner labels on every
// service and on the project's network.
func TestComposeOwnerLabels(t *testing.T) {
	if _, err := exec.LookPath("docker-compose"); err != nil {
		t.Skip("SKIP docker: docker-compose (v1) not installed")
	}
	base := filepath.Join("..", "docker-compose.yml")
	out, err := exec.Command("docker-compose", "-f", base, "-f", filepath.Join("..", "docker-compose.local.yml"),
		"-f", ownerOverride(t, base), "config").CombinedOutput()
	if err != nil {
		t.Fatalf("docker-compose config: %v: %s", err, out)
	}
	var cfg struct {
		Services map[string]struct {
			Labels map[string]string `yaml:"labels"`
		} `yaml:"services"`
		Networks map[string]struct {
			Labels map[string]string `yaml:"labels"`
		} `yaml:"networks"`
	}
	if err := yaml.Unmarshal(out, &cfg); err != nil {
		t.Fatalf("docker-compose config: %v:\n%s", err, out)
	}
	pid := targets.OwnerLabels()[targets.LabelOwnerPID]
	for name, s := range cfg.Services {
		if s.Labels[targets.LabelOwnerPID] != pid || s.Labels[targets.LabelManaged] != "true" {
			t.Errorf("service %s: labels %v; want the owner labels", name, s.Labels)
		}
	}
	if l := cfg.Networks["default"].Labels; l[targets.LabelOwnerPID] != pid {
		t.Errorf("network default: labels %v; want the owner labels", l)
	}
	if len(cfg.Services) < 5 || !strings.Contains(string(out), "runner") {
		t.Errorf("docker-compose config: %d services; want upstream, the proxies and runner:\n%s", len(cfg.Services), out)
	}
}
