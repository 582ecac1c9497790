package targets

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/scenarios"
)

// Spec describes one proxy that a Process target runs from the machine's
// package: how to find it, what to write into its work dir, how to start it and
// how to read its version. Each proxy's file fills one in and registers it.
type Spec struct {
	// Name is the target's name, as "nginx".
	Name string
	// Package is the Debian package that installs Binary; empty for a proxy
	// Debian does not package, which says how to get it in Install.
	Package string
	// Install says how to get Binary when no package has it (as "make traefik
	// builds it into bin/"); Package's apt-get line otherwise.
	Install string
	// Binary is the executable, looked up in PATH and then in the sbin directories.
	Binary string
	// Needs are further files the config loads (absolute paths, as a module
	// that a package of its own installs), and NeedsPackages the Debian
	// packages that install them: without them the proxy counts as not
	// installed, and the install hint names them.
	Needs         []string
	NeedsPackages []string
	// Template names the proxy's template file, templates/TEMPLATE.tmpl (default
	// Name).
	Template string
	// Config is the file name, in the work dir, of the config that the proxy's
	// template renders to.
	Config string
	// Files are further files rendered into the work dir from templates that the
	// proxy's template file defines ({{define "remap.config"}}).
	Files []File
	// Dirs are directories to create in the work dir (config, cache, temp and
	// run dirs), before the config files are written.
	Dirs []string
	// User is the user a proxy started as root switches to (its config names it
	// as .User). When gatecheck runs as root, the work dir and Dirs are given to
	// that user, so that the proxy can write its logs, pid file and caches.
	User string
	// Ports is how many loopback ports a run needs besides the listen port (admin
	// or management ports); templates see them as .Ports.
	Ports int
	// Args builds the command line after the binary.
	Args func(in *Instance) []string
	// Env lists environment variables (KEY=VALUE) added to the minimal
	// environment a proxy gets: PATH, HOME and TMPDIR, the last two in the work dir.
	Env func(in *Instance) []string
	// VersionArgs make the binary print its version; VersionRE's first group
	// picks the version out of stdout and stderr.
	VersionArgs []string
	VersionRE   *regexp.Regexp
	// Logs are log files, relative to the work dir, whose tails Log shows after
	// the proxy's own output; the error log comes first.
	Logs []string
	// Timeouts maps the declared timeouts to the ones the proxy really uses, for
	// proxies that round them (whole seconds) or cannot honour some (retries). Nil
	// means the proxy honours them exactly, and retries as declared.
	Timeouts func(declared scenarios.Timeouts) scenarios.Timeouts
	// Cleanup, when set, removes what a run of the proxy may leave outside its
	// work dir (shared memory segments, say); it runs after every stop.
	Cleanup func(in *Instance) error
	// StopGrace bounds the wait after SIGTERM before the group gets SIGKILL
	// (default 5s).
	StopGrace time.Duration
	// HTTP2 lists the HTTP/2 clients the proxy has a listener for, besides the
	// HTTP/1.1 one: scenarios.ClientH2 (cleartext, by prior knowledge) and
	// scenarios.ClientH2TLS (TLS with ALPN h2). Each gets a loopback port of its
	// own, Instance.H2C and Instance.TLS; h2-tls also the run's certificates.
	HTTP2 []scenarios.Client
	// NoHTTP2 says why the proxy has no listener for the HTTP/2 clients missing
	// from HTTP2 (the Reason of harness.NotServed); required when one is.
	NoHTTP2 string
	// Parallel, when not 0, is the most scenarios the proxy is given at once
	// (harness.Paralleled), for a proxy whose crash fails every request in
	// flight: run beside a crashing scenario, any scenario's verdict would depend
	// on the schedule.
	Parallel int
}

// serves reports whether the proxy has a listener for the HTTP/2 client.
func (s *Spec) serves(client scenarios.Client) bool { return slices.Contains(s.HTTP2, client) }

// portCount is how many loopback ports a run needs: the listen port, the
// spec's extra Ports, then one per HTTP/2 client served (h2c first).
func (s *Spec) portCount() int { return 1 + s.Ports + len(s.HTTP2) }

// File is one extra file a proxy needs: the file Name in the work dir, rendered
// from the template Template defined in the proxy's template file.
type File struct {
	Name     string
	Template string
}

// registerProcess makes a proxy's spec a registered target kind: a Process
// target of that name.
func registerProcess(s *Spec) {
	register(s.Name, kind{spec: s, make: func(t scenarios.Timeouts) (harness.Target, error) {
		return newProcess(s, t), nil
	}})
}

// lookupSpec finds a registered proxy's spec.
func lookupSpec(name string) (*Spec, error) {
	if k := kinds[name]; k.spec != nil {
		return k.spec, nil
	}
	return nil, fmt.Errorf("unknown process target %q (known: %v)", name, ProcessNames())
}

// ProcessNames lists the proxies gatecheck can start from the machine's
// packages, sorted, whether installed or not.
func ProcessNames() []string {
	var names []string
	for _, n := range Names() {
		if kinds[n].spec != nil {
			names = append(names, n)
		}
	}
	return names
}

// Installed reports whether the named proxy's binary, and every file it
// Needs, is on this machine.
func Installed(name string) bool {
	s, err := lookupSpec(name)
	if err != nil {
		return false
	}
	_, err = s.installed()
	return err == nil
}

// installed finds the spec's binary and checks the files it needs.
func (s *Spec) installed() (string, error) {
	bin, err := binaryPath(s.Binary)
	if err != nil {
		return "", err
	}
	for _, f := range s.Needs {
		if _, err := os.Stat(f); err != nil {
			return "", err
		}
	}
	return bin, nil
}

// Package is the Debian package that installs the named proxy, or "" for a name
// that is not a process target.
func Package(name string) string {
	s, err := lookupSpec(name)
	if err != nil {
		return ""
	}
	return s.Package
}

// sbinDirs are searched after PATH: a non-root user's PATH often lacks them, and
// most proxies install there.
var sbinDirs = []string{"/usr/local/sbin", "/usr/sbin", "/sbin"}

// binaryPath finds an executable in PATH, then in the sbin directories, then
// next to the running gatecheck (bin/gatecheck finds bin/traefik).
func binaryPath(bin string) (string, error) {
	if p, err := exec.LookPath(bin); err == nil {
		return p, nil
	}
	dirs := sbinDirs
	if exe, err := os.Executable(); err == nil {
		dirs = append(slices.Clip(dirs), filepath.Dir(exe))
	}
	for _, d := range dirs {
		if p, err := exec.LookPath(filepath.Join(d, bin)); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: not found in PATH or %v", bin, dirs)
}

// notInstalled is the error for a proxy whose binary is missing.
func notInstalled(s *Spec) error {
	return fmt.Errorf("%s not installed: %s", s.Name, s.installHint())
}

// installHint says how to install the proxy: apt-get for a packaged one.
func (s *Spec) installHint() string {
	if s.Package == "" {
		return s.Install
	}
	return "apt-get install " + strings.Join(append([]string{s.Package}, s.NeedsPackages...), " ") + " (or make proxies)"
}

// NotInstalled is the line that names a missing proxy and how to install it, as
// "nginx not installed: apt-get install nginx (or make proxies)"; "" for a name
// that is not a process target.
func NotInstalled(name string) string {
	s, err := lookupSpec(name)
	if err != nil {
		return ""
	}
	return s.Name + " not installed: " + s.installHint()
}

// Required reports whether GATECHECK_REQUIRE_PROXIES=all requires the named
// proxy: every one a Debian package installs (make proxies does), not one that
// has to be built from source first.
func Required(name string) bool { return Package(name) != "" }
