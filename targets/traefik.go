package targets

import (
	"regexp"

	"github.com/gatecheck/gatecheck/scenarios"
)

// traefik: `traefik --configFile=FILE`, the static configuration in the work
// dir and the routes in a second file that its file provider reads once. Debian
// has no Traefik package: `make traefik` builds the binary from the Go module
// proxy (tools/traefik pins the version) into bin/, which has to be in PATH.
// Its dial and response-header timeouts take durations; with no retry
// middleware it retries nothing.
func init() {
	registerProcess(&Spec{
		Name:    "traefik",
		Install: "make traefik builds it into bin/ from tools/traefik (about 17 minutes on 2 cores the first time); bin/ must be in PATH or hold gatecheck",
		Binary:  "traefik",
		Config:  "traefik.yml",
		Files:   []File{{"dynamic.yml", "dynamic.yml"}},
		Args: func(in *Instance) []string {
			return []string{"--configFile=" + in.Config}
		},
		// "Version:      3.6.12"; a build without make traefik's -X flag says
		// "dev", which is no version.
		VersionArgs: []string{"version"},
		VersionRE:   regexp.MustCompile(`(?m)^Version:\s+v?(\d+\.\d+\.\d+)`),
		Logs:        []string{"access.log"},
		Timeouts:    noRetries,
		HTTP2:       []scenarios.Client{scenarios.ClientH2, scenarios.ClientH2TLS},
	})
}
