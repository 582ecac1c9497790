package targets

import "regexp"

// varnish: `varnishd -F -a ADDR -T ADDR -f VCL -n DIR -s malloc,64m`, in the
// foreground, its management CLI on a second loopback port. Backend timeouts take
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
			return []string{"-F", "-a", in.Listen.String(), "-T", in.Ports[0].String(),
				"-f", in.Config, "-n", in.Path("varnish"), "-s", "malloc,64m"}
		},
		VersionArgs: []string{"-V"},
		VersionRE:   regexp.MustCompile(`varnish-(\d+(?:\.\d+)+)`),
		Timeouts:    noRetries,
	})
}
