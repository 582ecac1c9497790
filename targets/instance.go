package targets

import (
	"bytes"
	"embed"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/internal/certs"
	"github.com/gatecheck/gatecheck/scenarios"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// Instance is one run of a proxy: its work dir, its addresses, the upstream it
// forwards to and the timeouts it uses. Config templates and a Spec's Args and Env
// see it.
type Instance struct {
	// Name is the target's name, as "nginx".
	Name string
	// Dir is the run's own work dir: config, pid file, logs, cache and temp dirs.
	Dir string
	// Config is the path of the rendered main config.
	Config string
	// Listen is where the proxy listens for the harness's client.
	Listen HostPort
	// Ports are further free loopback addresses, as many as the Spec asks for.
	Ports []HostPort
	// H2C is where the proxy listens for HTTP/2 over cleartext TCP by prior
	// knowledge (the client scenarios.ClientH2), and TLS where it listens for
	// TLS with ALPN h2 (scenarios.ClientH2TLS, with http/1.1 as the second
	// protocol where the proxy takes a list); nil when the Spec serves no such
	// client (its HTTP2).
	H2C, TLS *HostPort
	// CAFile, CertFile, KeyFile and BundleFile are the run's TLS material for
	// the TLS listener, in the work dir's tls dir (package certs): the run's
	// own authority, the server certificate for localhost, 127.0.0.1 and ::1
	// followed by the authority's (a chain), its private key (PKCS #8), and
	// chain and key in one file (HAProxy's crt). A run that serves h2-tls
	// writes them at each start, readable by User.
	CAFile, CertFile, KeyFile, BundleFile string
	// Certs is that material once written (the client's TLS config comes from
	// it); nil in a rendered-only config and without a TLS listener.
	Certs *certs.Set
	// Main, Refused and ConnectTimeout are the fake upstream's three endpoints.
	Main, Refused, ConnectTimeout HostPort
	// Routes send each fakeupstream prefix to its endpoint, most specific first.
	Routes []Route
	// Timeouts are the declared timeouts. The template writes them in the
	// proxy's units; the Spec's Timeouts says what the proxy then really uses.
	Timeouts scenarios.Timeouts
	// Root is whether the proxy starts as root (and may drop privileges).
	Root bool
	// User is the Spec's User when the proxy starts as root, else "".
	User string
}

// HostPort is a loopback TCP address; it prints as HOST:PORT.
type HostPort struct {
	Host string
	Port int
}

// String is the address as HOST:PORT.
func (h HostPort) String() string { return net.JoinHostPort(h.Host, strconv.Itoa(h.Port)) }

// Route sends requests whose path starts with Prefix to Upstream, path unchanged.
type Route struct {
	// Name is the endpoint's name: main, refused or connect-timeout.
	Name string
	// ID is Name as an identifier (connect_timeout), for backend and ACL names.
	ID string
	// Prefix is the path prefix, as "/gatecheck-refused/".
	Prefix   string
	Upstream HostPort
}

// tlsDir is the dir, in the work dir, of a run's TLS material.
const tlsDir = "tls"

// Path is the absolute path of a file or dir in the work dir.
func (in *Instance) Path(name string) string { return filepath.Join(in.Dir, name) }

// newInstance lays out a run: the work dir, the listen port, the extra ports
// and the HTTP/2 ports (ports[0] is the listen port, then s.Ports extra ones,
// then h2c's and TLS's where s serves them: s.portCount in all), the upstream
// and the timeouts.
func newInstance(s *Spec, dir string, ports []int, up fakeupstream.Endpoints, t scenarios.Timeouts) (*Instance, error) {
	if len(ports) != s.portCount() {
		return nil, fmt.Errorf("%s: %d ports; want %d", s.Name, len(ports), s.portCount())
	}
	in := &Instance{Name: s.Name, Dir: dir, Config: filepath.Join(dir, s.Config), Timeouts: t, Root: os.Geteuid() == 0}
	if in.Root {
		in.User = s.User
	}
	in.Listen = HostPort{"127.0.0.1", ports[0]}
	for _, p := range ports[1 : 1+s.Ports] {
		in.Ports = append(in.Ports, HostPort{"127.0.0.1", p})
	}
	next := ports[1+s.Ports:]
	if s.serves(scenarios.ClientH2) {
		in.H2C, next = &HostPort{"127.0.0.1", next[0]}, next[1:]
	}
	if s.serves(scenarios.ClientH2TLS) {
		in.TLS = &HostPort{"127.0.0.1", next[0]}
	}
	in.CAFile = filepath.Join(dir, tlsDir, certs.CAFile)
	in.CertFile = filepath.Join(dir, tlsDir, certs.CertFile)
	in.KeyFile = filepath.Join(dir, tlsDir, certs.KeyFile)
	in.BundleFile = filepath.Join(dir, tlsDir, certs.BundleFile)
	var err error
	for _, e := range []struct {
		dst  *HostPort
		addr string
	}{{&in.Main, up.Main}, {&in.Refused, up.Refused}, {&in.ConnectTimeout, up.ConnectTimeout}} {
		if *e.dst, err = parseHostPort(e.addr); err != nil {
			return nil, fmt.Errorf("upstream endpoint %q: %w", e.addr, err)
		}
	}
	in.Routes = []Route{
		{"refused", "refused", fakeupstream.RefusedPrefix, in.Refused},
		{"connect-timeout", "connect_timeout", fakeupstream.ConnectTimeoutPrefix, in.ConnectTimeout},
		{"main", "main", fakeupstream.PathPrefix, in.Main},
	}
	return in, nil
}

// listeners are every address the proxy listens on: Listen, then H2C and TLS
// where set.
func (in *Instance) listeners() []HostPort {
	l := []HostPort{in.Listen}
	for _, h := range []*HostPort{in.H2C, in.TLS} {
		if h != nil {
			l = append(l, *h)
		}
	}
	return l
}

func parseHostPort(addr string) (HostPort, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return HostPort{}, err
	}
	n, err := strconv.Atoi(port)
	if err != nil || n <= 0 || n > 65535 {
		return HostPort{}, fmt.Errorf("bad port %q", port)
	}
	return HostPort{host, n}, nil
}

// templateFuncs are the helpers every config template may use.
var templateFuncs = template.FuncMap{
	// seconds is d in whole seconds, rounded up, at least 1: for proxies that
	// only take seconds.
	"seconds": func(d time.Duration) int { return int(ceilSeconds(d) / time.Second) },
	// ms is d in whole milliseconds, rounded up, at least 1.
	"ms": func(d time.Duration) int64 { return max(int64((d+time.Millisecond-1)/time.Millisecond), 1) },
	// regexquote escapes a path prefix for a regular expression.
	"regexquote": regexp.QuoteMeta,
	// add is a + b, for retry counts ("tries = retries + 1").
	"add": func(a, b int) int { return a + b },
	// maxDuration is the longer of a and b, for proxies with one timer.
	"maxDuration": func(a, b time.Duration) time.Duration { return max(a, b) },
	// base is a path's last element, for configs that name a file in a dir
	// given elsewhere.
	"base": filepath.Base,
}

// ceilSeconds rounds d up to whole seconds, at least one.
func ceilSeconds(d time.Duration) time.Duration {
	return max((d+time.Second-1)/time.Second, 1) * time.Second
}

// wholeSeconds is a Spec.Timeouts for proxies that take timeouts in whole
// seconds: they wait for the declared timeouts rounded up.
func wholeSeconds(t scenarios.Timeouts) scenarios.Timeouts {
	t.Connect, t.Read = ceilSeconds(t.Connect), ceilSeconds(t.Read)
	return t
}

// noRetries is a Spec.Timeouts for proxies without a retry count to set: with
// one upstream server per route they try once.
func noRetries(t scenarios.Timeouts) scenarios.Timeouts {
	t.Retries = 0
	return t
}

// effectiveTimeouts are the timeouts the spec's proxy uses for declared ones.
func (s *Spec) effectiveTimeouts(declared scenarios.Timeouts) scenarios.Timeouts {
	if s.Timeouts == nil {
		return declared
	}
	return s.Timeouts(declared)
}

// parseTemplate parses the proxy's template file.
func (s *Spec) parseTemplate() (*template.Template, error) {
	name := s.Template
	if name == "" {
		name = s.Name
	}
	name += ".tmpl"
	tmpl, err := template.New(name).Funcs(templateFuncs).Option("missingkey=error").ParseFS(templateFS, "templates/"+name)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	return tmpl, nil
}

// rendered is one file of a run's config: its name in the work dir and content.
type rendered struct {
	name string
	data []byte
}

// render renders the main config and every extra file for in.
func (s *Spec) render(in *Instance) ([]rendered, error) {
	tmpl, err := s.parseTemplate()
	if err != nil {
		return nil, err
	}
	out := make([]rendered, 0, 1+len(s.Files))
	exec := func(file, name string) error {
		var b bytes.Buffer
		if err := tmpl.ExecuteTemplate(&b, name, in); err != nil {
			return fmt.Errorf("render %s: %w", file, err)
		}
		out = append(out, rendered{file, b.Bytes()})
		return nil
	}
	if err := exec(s.Config, tmpl.Name()); err != nil {
		return nil, err
	}
	for _, f := range s.Files {
		if err := exec(f.Name, f.Template); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Config renders the config a run of the named proxy would use, with the listen
// address 127.0.0.1:8080 (further ports, the HTTP/2 ones last, from 9080 on)
// and the work dir /tmp/gatecheck-NAME in place of a run's own. A proxy with
// several files gets them one after another, each under a "# ==> FILE <=="
// line, after a comment with the command line.
func Config(name string, eps fakeupstream.Endpoints, t scenarios.Timeouts) (string, error) {
	s, err := lookupSpec(name)
	if err != nil {
		return "", err
	}
	ports := []int{8080}
	for i := range s.portCount() - 1 {
		ports = append(ports, 9080+i)
	}
	in, err := newInstance(s, "/tmp/gatecheck-"+name, ports, eps, t)
	if err != nil {
		return "", fmt.Errorf("config %q: %w", name, err)
	}
	files, err := s.render(in)
	if err != nil {
		return "", fmt.Errorf("config %q: %w", name, err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s, run as: %s\n", name, shellLine(append([]string{s.Binary}, s.Args(in)...)))
	for _, f := range files {
		if len(files) > 1 {
			fmt.Fprintf(&b, "# ==> %s <==\n", f.name)
		}
		b.Write(f.data)
	}
	return b.String(), nil
}

// shellLine joins args into a line a shell would split back into them.
func shellLine(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = a
		if a == "" || strings.ContainsAny(a, " \t\n'\"\\$;&|<>*?()[]{}#~`") {
			q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(q, " ")
}
