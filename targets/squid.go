package targets

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"github.com/gatecheck/gatecheck/scenarios"
)

// squid: `squid -N -n SERVICE -f FILE`, in the foreground with no worker kids,
// as an accelerator in front of three origin-server peers. Its timeouts take
// whole seconds and fire up to a second early (see squidTimeouts);
// forward_max_tries is its retry count plus one. Each run has its own
// service name, which names Squid's shared memory segments, so that runs side by
// side do not collide; segments a killed Squid leaves behind are removed.
func init() {
	registerProcess(&Spec{
		Name:    "squid",
		Package: "squid",
		Binary:  "squid",
		Config:  "squid.conf",
		Args: func(in *Instance) []string {
			return []string{"-N", "-d1", "-n", squidService(in), "-f", in.Config}
		},
		VersionArgs: []string{"-v"},
		VersionRE:   regexp.MustCompile(`Version (\d+(?:\.\d+)+)`),
		Logs:        []string{"cache.log"},
		User:        "proxy",
		Timeouts:    squidTimeouts,
		// No HTTP2: Squid 5 has no HTTP/2 at all; its https_port speaks
		// HTTP/1.1 over TLS.
		NoHTTP2: "Squid has no HTTP/2 (5.7 speaks HTTP/1.1 only, over TLS too)",
		Cleanup: func(in *Instance) error {
			segs, _ := filepath.Glob("/dev/shm/" + squidService(in) + "-*")
			var errs []error
			for _, s := range segs {
				if err := os.Remove(s); err != nil && !errors.Is(err, os.ErrNotExist) {
					errs = append(errs, err)
				}
			}
			return errors.Join(errs...)
		},
	})
}

// squidTimeouts are the declared timeouts rounded up to whole seconds, plus
// one: Squid checks its timers against a clock of whole seconds, so a timeout of
// N seconds fires after N-1 to N seconds without activity. One second more keeps
// it from firing before the declared timeout.
func squidTimeouts(t scenarios.Timeouts) scenarios.Timeouts {
	t = wholeSeconds(t)
	t.Connect += time.Second
	t.Read += time.Second
	return t
}

// squidService is a run's service name: letters and digits only, unique while
// the run holds its port.
func squidService(in *Instance) string { return "gatecheck" + strconv.Itoa(in.Listen.Port) }
