package targets

import (
	"regexp"

	"github.com/gatecheck/gatecheck/scenarios"
)

// varnish: `varnishd -F -a ADDR -a h2c=ADDR -p feature=+http2 -T ADDR -f VCL
// -n DIR -s malloc,64m`, in the foreground, its management CLI on a second
// loopback port. Backend timeouts take
// milliseconds; Varnish has no retry count (it retries a request once only when
// a reused backend connection fails).
func init() {
	registerProcess(&Spec{
		Name:    "varnish",
		Package: "varnish",
		Binary:  "varnishd",
		Config:  "default.vcl",
		Ports:   1,
		Args: func(in *Instance) []string {
			args := []string{"-F", "-a", in.Listen.String()}
			if in.H2C != nil {
				// HTTP/2 over cleartext TCP by prior knowledge, on a
				// listener of its own: feature=+http2 turns HTTP/2 on
				// (it is off by default). It is global, so the HTTP/1.1
				// listener, too, now takes the HTTP/2 preface and an
				// Upgrade: h2c.
				args = append(args, "-a", "h2c="+in.H2C.String(), "-p", "feature=+http2")
			}
			return append(args, "-T", in.Ports[0].String(),
				"-f", in.Config, "-n", in.Path("varnish"), "-s", "malloc,64m")
		},
		VersionArgs: []string{"-V"},
		VersionRE:   regexp.MustCompile(`varnish-(\d+(?:\.\d+)+)`),
		Timeouts:    noRetries,
		HTTP2:       []scenarios.Client{scenarios.ClientH2},
		NoHTTP2:     "Varnish has no TLS: it serves HTTP/2 only over cleartext TCP",
	})
}
