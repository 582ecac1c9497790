package targets

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/scenarios"
)

// kind is one registered target kind: how to make it with declared timeouts,
// and for a process target its Spec (nil for go-stdlib).
type kind struct {
	make func(t scenarios.Timeouts) (harness.Target, error)
	spec *Spec
}

// kinds is the one registry of target kinds, by name. Every kind registers in
// an init function of this package and nothing registers later, so reads need
// no lock.
var kinds = map[string]kind{}

// register adds a target kind. It panics on an empty or duplicate name:
// registration happens in init and either is a bug.
func register(name string, k kind) {
	if name == "" {
		panic("register target: empty name")
	}
	if _, ok := kinds[name]; ok {
		panic(fmt.Sprintf("register target %q: already registered", name))
	}
	kinds[name] = k
}

// Names lists the registered target kinds, sorted: go-stdlib and every process
// target, installed or not.
func Names() []string {
	names := make([]string, 0, len(kinds))
	for n := range kinds {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// New makes the target a spec names, with the declared timeouts t. A spec is
//
//   - a registered kind, as "go-stdlib" or "nginx" (see Names);
//   - a kind run from a container image, as "nginx?image=nginx:1.27-alpine",
//     with upstream-image=IMAGE for the gatecheck image of the fake upstream
//     (default: one built from this binary; see ContainerConfig);
//   - the address of a proxy someone else runs, "http://HOST:PORT" (External);
//   - such an address with the control API of a running `gatecheck serve`,
//     "http://HOST:PORT?control=http://HOST:PORT", whose fake upstream the
//     session then uses (External.WithControl);
//   - such an address with its HTTP/2 listeners (External.WithHTTP2):
//     h2=HOST:PORT for HTTP/2 over cleartext by prior knowledge, h2-tls=HOST:PORT
//     for HTTP/2 over TLS with ca=PATH, the PEM file of the authority that
//     signed its certificate, and optionally server-name=NAME, the name the
//     certificate is checked against (default h2-tls's host), as
//     "http://127.0.0.1:8080?h2=127.0.0.1:8081&h2-tls=127.0.0.1:8443&ca=ca.pem".
//
// The options after "?" are a URL query: values may be escaped.
func New(spec string, t scenarios.Timeouts) (harness.Target, error) {
	base, query, _ := strings.Cut(spec, "?")
	opts, err := url.ParseQuery(query)
	if err != nil {
		return nil, fmt.Errorf("target %q: %w", spec, err)
	}
	for key, vals := range opts {
		if len(vals) != 1 || vals[0] == "" {
			return nil, fmt.Errorf("target %q: option %s wants one value", spec, key)
		}
	}
	if strings.Contains(base, "://") {
		if err := onlyOptions(spec, opts, "control", "h2", "h2-tls", "ca", "server-name"); err != nil {
			return nil, err
		}
		ext, err := NewExternal(base, t)
		if err != nil {
			return nil, err
		}
		if c := opts.Get("control"); c != "" {
			ext.WithControl(c)
		}
		if _, err := ext.WithHTTP2(HTTP2Listeners{H2C: opts.Get("h2"), TLS: opts.Get("h2-tls"), CA: opts.Get("ca"), ServerName: opts.Get("server-name")}); err != nil {
			return nil, err
		}
		return ext, nil
	}
	k, ok := kinds[base]
	if !ok {
		return nil, fmt.Errorf("unknown target %q (known: %s, or a proxy's address like http://127.0.0.1:8080)",
			base, strings.Join(Names(), ", "))
	}
	if err := onlyOptions(spec, opts, "image", "upstream-image"); err != nil {
		return nil, err
	}
	switch image := opts.Get("image"); {
	case image != "":
		return NewContainer(ContainerConfig{Kind: base, Image: image, UpstreamImage: opts.Get("upstream-image"), Timeouts: t})
	case opts.Has("upstream-image"):
		return nil, fmt.Errorf("target %q: upstream-image goes with image", spec)
	}
	return k.make(t)
}

// onlyOptions refuses any option of a spec but those allowed.
func onlyOptions(spec string, opts url.Values, allowed ...string) error {
	for key := range opts {
		if !slices.Contains(allowed, key) {
			return fmt.Errorf("target %q: unknown option %q (this kind of target takes %s)", spec, key, strings.Join(allowed, ", "))
		}
	}
	return nil
}

// Expand resolves a comma-separated list of target specs into the specs to
// give New, each once, in the order given. "all" stands for go-stdlib and every
// process target; one of those whose proxy is not installed here is handed to
// missing instead of being listed, and an error missing returns ends Expand
// with it (see Unavailable).
func Expand(list string, missing func(name string) error) ([]string, error) {
	var names []string
	add := func(n string) {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	for n := range strings.SplitSeq(list, ",") {
		switch n = strings.TrimSpace(n); n {
		case "":
		case "all":
			add("go-stdlib")
			for _, p := range ProcessNames() {
				if Installed(p) {
					add(p)
				} else if err := missing(p); err != nil {
					return nil, err
				}
			}
		default:
			add(n)
		}
	}
	return names, nil
}

// ErrRequired marks the error of Unavailable for a proxy that
// GATECHECK_REQUIRE_PROXIES=all requires: its absence is then a failure, not a
// skip.
var ErrRequired = errors.New("GATECHECK_REQUIRE_PROXIES=all requires every proxy")

// Unavailable says why the named process target cannot run on this machine,
// or is nil when it can (or the name is no process target). The error's text
// names the missing proxy and how to install it (NotInstalled); it matches
// ErrRequired when GATECHECK_REQUIRE_PROXIES=all requires that proxy
// (Required).
func Unavailable(name string) error {
	if !slices.Contains(ProcessNames(), name) || Installed(name) {
		return nil
	}
	if os.Getenv("GATECHECK_REQUIRE_PROXIES") == "all" && Required(name) {
		return fmt.Errorf("%s; %w", NotInstalled(name), ErrRequired)
	}
	return errors.New(NotInstalled(name))
}
