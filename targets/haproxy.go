package targets

import (
	"regexp"

	"github.com/gatecheck/gatecheck/scenarios"
)

// haproxy: `haproxy -db -f FILE`, in the foreground. It takes timeouts in
// milliseconds and a retry count for failed connects, so it uses the declared
// timeouts exactly.
func init() {
	registerProcess(&Spec{
		Name:        "haproxy",
		Package:     "haproxy",
		Binary:      "haproxy",
		Config:      "haproxy.cfg",
		Args:        func(in *Instance) []string { return []string{"-db", "-f", in.Config} },
		VersionArgs: []string{"-v"},
		VersionRE:   regexp.MustCompile(`HAProxy version (\d+(?:\.\d+)+)`),
		HTTP2:       []scenarios.Client{scenarios.ClientH2, scenarios.ClientH2TLS},
	})
}
