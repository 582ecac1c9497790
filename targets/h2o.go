package targets

import (
	"regexp"

	"github.com/gatecheck/gatecheck/scenarios"
)

// h2o: `h2o -m master -c FILE`, in the foreground, in master mode as Debian's
// service runs it: the master holds the listen socket and starts a new server
// process when one dies (h2o 2.2.5 aborts on an assertion under some framing
// scenarios; the requests in flight then fail, the rest are served). Scenarios
// therefore run one at a time, so that the abort fails only the scenario that
// caused it, not whichever ran beside it. It has one upstream timer for connect,
// head and body, set to the longer of the declared timeouts, and no retry count.
func init() {
	registerProcess(&Spec{
		Name:        "h2o",
		Package:     "h2o",
		Binary:      "h2o",
		Config:      "h2o.conf",
		Args:        func(in *Instance) []string { return []string{"-m", "master", "-c", in.Config} },
		VersionArgs: []string{"-v"},
		VersionRE:   regexp.MustCompile(`h2o version (\d+(?:\.\d+)+)`),
		Logs:        []string{"error.log"},
		User:        "nobody",
		// on_error_before_head's assertion (lib/common/http1client.c:216) kills
		// the server process under about a dozen framing scenarios.
		Parallel: 1,
		Timeouts: func(t scenarios.Timeouts) scenarios.Timeouts {
			io := max(t.Connect, t.Read)
			return scenarios.Timeouts{Connect: io, Read: io}
		},
		HTTP2: []scenarios.Client{scenarios.ClientH2, scenarios.ClientH2TLS},
	})
}
