package targets

import (
	"regexp"
	"time"

	"github.com/gatecheck/gatecheck/scenarios"
)

// lighttpd: `lighttpd -D -f FILE`, in the foreground, with mod_proxy. Its
// backend timeouts take whole seconds and are checked on a one-second tick
// against a clock of whole seconds: a timeout of N seconds was seen firing after
// N+2 seconds, every time, so the target reports two seconds more. It has no
// retry count.
func init() {
	registerProcess(&Spec{
		Name:    "lighttpd",
		Package: "lighttpd",
		Binary:  "lighttpd",
		// The TLS listener's module is a package of its own.
		Needs:         []string{"/usr/lib/lighttpd/mod_openssl.so"},
		NeedsPackages: []string{"lighttpd-mod-openssl"},
		Config:        "lighttpd.conf",
		Args:          func(in *Instance) []string { return []string{"-D", "-f", in.Config} },
		VersionArgs:   []string{"-v"},
		VersionRE:     regexp.MustCompile(`lighttpd/(\d+(?:\.\d+)+)`),
		Logs:          []string{"error.log"},
		User:          "www-data",
		Timeouts: func(t scenarios.Timeouts) scenarios.Timeouts {
			t = wholeSeconds(t)
			t.Connect += 2 * time.Second
			t.Read += 2 * time.Second
			t.Retries = 0
			return t
		},
		HTTP2: []scenarios.Client{scenarios.ClientH2, scenarios.ClientH2TLS},
	})
}
