package docker

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

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
