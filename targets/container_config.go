package targets

import (
	"fmt"
	"strings"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/scenarios"
)

// ContainerConfigText renders the config a container run of the named proxy
// uses: listening on 0.0.0.0:8080 in the container, the work dir /gatecheck,
// routed to the fake upstream's endpoints as eps names them (in compose, the
// upstream service's name). Like Config it starts with a comment giving the
// command line; a proxy with several files gets each under a "# ==> FILE <=="
// line. docker-compose.yml mounts this text as the proxy's config.
func ContainerConfigText(name string, eps fakeupstream.Endpoints, t scenarios.Timeouts) (string, error) {
	s, err := lookupSpec(name)
	if err != nil {
		return "", err
	}
	in, err := containerInstance(s, eps, t)
	if err != nil {
		return "", err
	}
	files, err := s.render(in)
	if err != nil {
		return "", fmt.Errorf("container config %q: %w", name, err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s in a container, run as: %s\n", name, shellLine(append([]string{s.Binary}, s.Args(in)...)))
	for _, f := range files {
		if len(files) > 1 {
			fmt.Fprintf(&b, "# ==> %s <==\n", f.name)
		}
		b.Write(f.data)
	}
	return b.String(), nil
}
