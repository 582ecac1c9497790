package targets

import (
	"regexp"

	"github.com/gatecheck/gatecheck/scenarios"
)

// apache: `apache2 -d DIR -f FILE -DFOREGROUND`, Apache httpd with mod_proxy and
// mod_proxy_http on the event MPM. Its connect timeout takes milliseconds, its
// read timeout whole seconds; it has no retry count.
func init() {
	registerProcess(&Spec{
		Name:    "apache",
		Package: "apache2",
		Binary:  "apache2",
		Config:  "httpd.conf",
		Dirs:    []string{"run"},
		Args: func(in *Instance) []string {
			return []string{"-d", in.Dir, "-f", in.Config, "-DFOREGROUND"}
		},
		VersionArgs: []string{"-v"},
		VersionRE:   regexp.MustCompile(`Apache/(\d+(?:\.\d+)+)`),
		Logs:        []string{"error.log"},
		Timeouts: func(t scenarios.Timeouts) scenarios.Timeouts {
			t.Read, t.Retries = ceilSeconds(t.Read), 0
			return t
		},
		HTTP2: []scenarios.Client{scenarios.ClientH2, scenarios.ClientH2TLS},
	})
}
