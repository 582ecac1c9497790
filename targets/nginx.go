package targets

import (
	"regexp"

	"github.com/gatecheck/gatecheck/scenarios"
)

// nginx: `nginx -p DIR -e ERRORLOG -c FILE`, in the foreground by its config. It
// takes timeouts in milliseconds; with one server per upstream block it never
// retries on another server, so it uses no retry count.
func init() {
	registerProcess(&Spec{
		Name:    "nginx",
		Package: "nginx",
		Binary:  "nginx",
		Config:  "nginx.conf",
		Args: func(in *Instance) []string {
			// -e: the error log before the config is read, not Debian's
			// /var/log/nginx/error.log.
			return []string{"-p", in.Dir, "-e", in.Path("error.log"), "-c", in.Config}
		},
		VersionArgs: []string{"-v"},
		VersionRE:   regexp.MustCompile(`nginx/(\d+(?:\.\d+)+)`),
		Logs:        []string{"error.log"},
		Timeouts:    noRetries,
		HTTP2:       []scenarios.Client{scenarios.ClientH2, scenarios.ClientH2TLS},
	})
}
