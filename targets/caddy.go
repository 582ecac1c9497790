package targets

import (
	"regexp"

	"github.com/gatecheck/gatecheck/scenarios"
)

// caddy: `caddy run --config FILE --adapter caddyfile`, with HOME and the XDG
// dirs in the work dir so that Caddy's data and autosaved config stay there. It
// takes timeouts as durations and retries nothing by default.
func init() {
	registerProcess(&Spec{
		Name:    "caddy",
		Package: "caddy",
		Binary:  "caddy",
		Config:  "Caddyfile",
		Dirs:    []string{"data", "config"},
		Args: func(in *Instance) []string {
			return []string{"run", "--config", in.Config, "--adapter", "caddyfile"}
		},
		Env: func(in *Instance) []string {
			return []string{"XDG_DATA_HOME=" + in.Path("data"), "XDG_CONFIG_HOME=" + in.Path("config")}
		},
		VersionArgs: []string{"version"},
		VersionRE:   regexp.MustCompile(`v?(\d+\.\d+\.\d+)`),
		Timeouts:    noRetries,
		HTTP2:       []scenarios.Client{scenarios.ClientH2, scenarios.ClientH2TLS},
	})
}
