package targets

import (
	"regexp"
	"time"

	"github.com/gatecheck/gatecheck/scenarios"
)

// trafficserver: `traffic_server --run-root=FILE`, Apache Traffic Server without
// traffic_manager, its layout (config, logs, runtime and cache dirs) in the work
// dir. Its timeouts take whole seconds and fire up to a second late;
// connect_attempts_max_retries is its retry count.
func init() {
	registerProcess(&Spec{
		Name:    "trafficserver",
		Package: "trafficserver",
		Binary:  "traffic_server",
		Config:  "etc/records.config",
		Files: []File{
			{"runroot.yaml", "runroot.yaml"},
			{"etc/remap.config", "remap.config"},
			{"etc/ip_allow.yaml", "ip_allow.yaml"},
			{"etc/storage.config", "storage.config"},
			{"etc/ssl_multicert.config", "ssl_multicert.config"},
		},
		Dirs: []string{"etc", "share", "var", "run", "log", "cache"},
		Args: func(in *Instance) []string {
			return []string{"--run-root=" + in.Path("runroot.yaml")}
		},
		VersionArgs: []string{"-V"},
		VersionRE:   regexp.MustCompile(`Traffic Server (\d+(?:\.\d+)+)`),
		Logs:        []string{"log/diags.log", "log/error.log"},
		User:        "trafficserver",
		Timeouts: func(t scenarios.Timeouts) scenarios.Timeouts {
			t = wholeSeconds(t)
			t.Connect += time.Second
			t.Read += time.Second
			return t
		},
		HTTP2:   []scenarios.Client{scenarios.ClientH2TLS},
		NoHTTP2: "Traffic Server serves HTTP/2 only over TLS",
	})
}
