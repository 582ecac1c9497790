package targets

import (
	"strings"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/scenarios"
)

// TestTraefikConfig: the declared timeouts in milliseconds on the servers
// transport every service uses, no retry middleware, no calls home, the access
// log in the work dir.
func TestTraefikConfig(t *testing.T) {
	got, err := Config("traefik", testEndpoints, scenarios.Timeouts{Connect: 1500 * time.Millisecond, Read: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`dialTimeout: "1500ms"`,
		`responseHeaderTimeout: "2000ms"`,
		"checkNewVersion: false",
		"sendAnonymousUsage: false",
		`filePath: "/tmp/gatecheck-traefik/access.log"`,
		`filename: "/tmp/gatecheck-traefik/dynamic.yml"`,
		"rule: \"PathPrefix(`/gatecheck-refused/`)\"",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("config lacks %s:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "serversTransport: gatecheck"); n != 3 {
		t.Errorf("%d services use the gatecheck servers transport; want 3", n)
	}
	for line := range strings.Lines(got) {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		for _, bad := range []string{"retry", "middlewares", "api:", "ping:", "metrics:", "tracing:"} {
			if strings.Contains(line, bad) {
				t.Errorf("config sets %q: %s", bad, line)
			}
		}
	}
}

// TestTraefikVersion: the version line of a build with make traefik's -X flag,
// with or without the v; a plain go build's "dev" is no version.
func TestTraefikVersion(t *testing.T) {
	re := mustSpec(t, "traefik").VersionRE
	for out, want := range map[string]string{
		"Version:      v3.6.12\nCodename:     cheddar\n": "3.6.12",
		"Version:      3.6.12\nCodename:     cheddar\n":  "3.6.12",
		"Version:      dev\nCodename:     cheddar\n":     "",
	} {
		got := ""
		if m := re.FindStringSubmatch(out); m != nil {
			got = m[1]
		}
		if got != want {
			t.Errorf("version of %q = %q; want %q", out, got, want)
		}
	}
}
