package targets

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/api/types/container"
	dockernet "github.com/moby/moby/api/types/network"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/log"
	"github.com/testcontainers/testcontainers-go/network"

	"github.com/gatecheck/gatecheck/control"
	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/internal/certs"
	"github.com/gatecheck/gatecheck/scenarios"
)

// Ports and paths inside the containers of a Container target.
const (
	// containerListen is where the proxy listens in its container, and
	// containerH2C and containerTLS where it listens for HTTP/2 (cleartext by
	// prior knowledge, and TLS with ALPN h2) where it serves them.
	containerListen = 8080
	containerH2C    = 8088
	containerTLS    = 8443
	// upstreamPort is the fake upstream's main port in its container; refused,
	// connect-timeout and the control API take the next three.
	upstreamPort = 8081
	// containerDir is the proxy's work dir in its container: config, logs, temp
	// dirs.
	containerDir = "/gatecheck"
	// containerStartTimeout bounds each container's start, up to listening.
	containerStartTimeout = 60 * time.Second
	// containerStopTimeout bounds Stop: containers, network and built image.
	containerStopTimeout = 30 * time.Second
)

// errNoAddress is why a container that Docker gave no address on its network
// cannot be reached.
var errNoAddress = errors.New("none reported by Docker")

// ContainerConfig says what a Container target runs.
type ContainerConfig struct {
	// Kind is a known proxy (a process target's name, as "nginx") whose template
	// renders the config copied into the container.
	Kind string
	// Image is the proxy's image, as "nginx:1.27-alpine". It must have the
	// proxy's binary (the Spec's Binary) in PATH; nothing is pulled that is
	// already there.
	Image string
	// UpstreamImage is a gatecheck image for the fake upstream (the repository's
	// Dockerfile). When empty, an image is built from UpstreamBinary and removed
	// again by Stop.
	UpstreamImage string
	// UpstreamBinary is a static Linux gatecheck binary (make build) to build the
	// fake upstream's image from; default: the running executable.
	UpstreamBinary string
	// Timeouts are the declared timeouts.
	Timeouts scenarios.Timeouts
	// Logger gets testcontainers-go's lines on each container (default: none).
	Logger log.Logger
}

// Container is a proxy image started with testcontainers-go: the config
// rendered from the proxy kind's template is copied into the container, and the
// fake upstream runs in a container of its own, a `gatecheck serve` reached
// through its control API. Both sit on a network the target creates; the client
// dials the proxy container's address on that network, never a published port:
// Docker's userland proxy behind a published port turns an upstream's RST into a
// clean FIN (TestPublishedPortHidesReset), which would falsify every reset and
// abort verdict. Stop removes the containers, the network and any image built.
// All of them carry OwnerLabels, and each start first runs SweepDocker: what a
// killed gatecheck left behind goes at the next container target's start.
type Container struct {
	cfg      ContainerConfig
	spec     *Spec
	declared scenarios.Timeouts
	timeouts scenarios.Timeouts

	mu      sync.Mutex
	net     *testcontainers.DockerNetwork
	up      testcontainers.Container
	proxy   testcontainers.Container
	upIP    string
	proxyIP string
	version string
	// certs is the run's TLS material for a proxy that serves h2-tls, copied
	// into the proxy's container; its files are gone from this host (see
	// makeCerts).
	certs *certs.Set
	// sharedNet: net is the network of the target this one was made from
	// (WithTimeouts), which removes it.
	sharedNet bool
	// pid is the proxy container's init process as this host sees it, once
	// Pids has asked Docker for it.
	pid int
	// orphans name containers whose start failed before testcontainers-go
	// handed them over (a failed copy into a created container); Stop removes
	// them by name.
	orphans []string

	logMu sync.Mutex
	saved string // the proxy's log, kept when its container goes
}

var (
	_ harness.Target           = (*Container)(nil)
	_ harness.UpstreamProvider = (*Container)(nil)
	_ harness.Logged           = (*Container)(nil)
	_ harness.Versioned        = (*Container)(nil)
	_ harness.HTTP2Target      = (*Container)(nil)
)

// NewContainer makes a container target. It checks the kind and the image name;
// Docker is first needed by Start.
func NewContainer(cfg ContainerConfig) (*Container, error) {
	s, err := lookupSpec(cfg.Kind)
	if err != nil {
		return nil, err
	}
	if cfg.Image == "" {
		return nil, fmt.Errorf("container target %q: no image", cfg.Kind)
	}
	return &Container{cfg: cfg, spec: s, declared: cfg.Timeouts, timeouts: s.effectiveTimeouts(cfg.Timeouts)}, nil
}

// Upstream creates the network and starts the fake upstream's container on it,
// and returns the client of its control API, with the endpoints as the proxy
// reaches them (the container's address on the network).
func (c *Container) Upstream(ctx context.Context) (harness.Upstream, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.net != nil {
		return nil, errors.New("already started")
	}
	// What a killed gatecheck left behind goes before anything new is made.
	swept, sweepErr := SweepDocker(ctx)
	if len(swept) > 0 {
		c.logger().Printf("gatecheck: removed, left behind by gatecheck processes that no longer run: %s", strings.Join(swept, ", "))
	}
	if sweepErr != nil {
		c.logger().Printf("gatecheck: sweep: %v", sweepErr)
	}
	nw, err := network.New(ctx, network.WithLabels(OwnerLabels()))
	if err != nil {
		// testcontainers-go starts its Ryuk reaper with the first network and
		// says so in no error of a type of its own. When Docker answered the
		// sweep, the reaper is what failed most likely, and the one-line error
		// says the fix: without a registry, Ryuk's image cannot be pulled, and
		// gatecheck removes what it starts.
		if sweepErr == nil && !testcontainers.ReadConfig().Config.RyukDisabled {
			return nil, fmt.Errorf("create network: testcontainers-go's Ryuk reaper may not have started (set TESTCONTAINERS_RYUK_DISABLED=true where its image cannot be pulled: gatecheck removes its own containers): %w", err)
		}
		return nil, fmt.Errorf("create network: %w", err)
	}
	c.net = nw
	req, err := c.upstreamRequest()
	if err != nil {
		return nil, err
	}
	up, err := c.startContainer(ctx, "upstream", req)
	c.up = up
	if err != nil {
		return nil, fmt.Errorf("fake upstream container: %w", err)
	}
	if c.upIP, err = up.ContainerIP(ctx); err != nil || c.upIP == "" {
		return nil, fmt.Errorf("fake upstream container: no address on network %s: %w", nw.Name, cmp.Or(err, errNoAddress))
	}
	at := func(delta int) string { return net.JoinHostPort(c.upIP, strconv.Itoa(upstreamPort+delta)) }
	client, err := control.Dial(ctx, "http://"+at(3), fakeupstream.Endpoints{Main: at(0), Refused: at(1), ConnectTimeout: at(2)})
	if err != nil {
		return nil, fmt.Errorf("fake upstream container: %w", err)
	}
	return client, nil
}

// upstreamRequest is the fake upstream's container: `gatecheck serve` on all
// the container's addresses, with the declared timeouts.
func (c *Container) upstreamRequest() (testcontainers.GenericContainerRequest, error) {
	t := c.declared
	req := testcontainers.ContainerRequest{
		Image:    c.cfg.UpstreamImage,
		Networks: []string{c.net.Name},
		Cmd: []string{"serve", "--listen", "0.0.0.0:" + strconv.Itoa(upstreamPort), "--control", "0.0.0.0:" + strconv.Itoa(upstreamPort+3),
			"--connect-timeout", t.Connect.String(), "--read-timeout", t.Read.String(), "--retries", strconv.Itoa(t.Retries)},
		WaitingFor: forDial(containerStartTimeout, upstreamPort+3),
		Labels:     OwnerLabels(), // also on the image built for it
	}
	publishOnLoopback(&req, upstreamPort+3)
	if req.Image == "" {
		fd, err := upstreamDockerfile(c.cfg.UpstreamBinary)
		if err != nil {
			return testcontainers.GenericContainerRequest{}, err
		}
		req.FromDockerfile = fd
	}
	return testcontainers.GenericContainerRequest{ContainerRequest: req, Started: true, Logger: c.logger()}, nil
}

// publishOnLoopback publishes port, and only port, on the host's loopback.
// Nothing needs a published port (the harness dials the containers' network
// addresses), but testcontainers-go publishes every port an image EXPOSEs, on
// all the host's addresses, when the request names none: the fake upstream and
// its control API would be reachable from other machines.
func publishOnLoopback(req *testcontainers.ContainerRequest, port int) {
	p := dockernet.MustParsePort(strconv.Itoa(port) + "/tcp")
	req.ExposedPorts = []string{p.String()}
	req.HostConfigModifier = func(hc *container.HostConfig) {
		hc.PortBindings = dockernet.PortMap{p: {{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: "0"}}}
	}
}

// logger is the configured Logger, or one that drops everything.
func (c *Container) logger() log.Logger {
	if c.cfg.Logger != nil {
		return c.cfg.Logger
	}
	return log.NewNoopLogger()
}

// Start renders the proxy's config for the container, starts the proxy's image
// on the network with the config copied in, and returns the container's address
// once it listens.
func (c *Container) Start(ctx context.Context, up fakeupstream.Endpoints) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.net == nil {
		return "", errors.New("start: no network: Upstream was not called")
	}
	in, err := containerInstance(c.spec, up, c.declared)
	if err != nil {
		return "", err
	}
	files, err := c.spec.render(in)
	if err != nil {
		return "", err
	}
	listen := []int{containerListen}
	for _, h := range []*HostPort{in.H2C, in.TLS} {
		if h != nil {
			listen = append(listen, h.Port)
		}
	}
	req := testcontainers.ContainerRequest{
		Image:      c.cfg.Image,
		Networks:   []string{c.net.Name},
		Entrypoint: []string{c.spec.Binary},
		Cmd:        c.spec.Args(in),
		WaitingFor: forDial(containerStartTimeout, listen...),
		Labels:     OwnerLabels(),
	}
	publishOnLoopback(&req, containerListen)
	if c.spec.Env != nil {
		req.Env = map[string]string{}
		for _, kv := range c.spec.Env(in) {
			k, v, _ := strings.Cut(kv, "=")
			req.Env[k] = v
		}
	}
	for _, f := range files {
		req.Files = append(req.Files, testcontainers.ContainerFile{Reader: strings.NewReader(string(f.data)), ContainerFilePath: in.Path(f.name), FileMode: 0o644})
	}
	for _, d := range c.spec.Dirs {
		req.Files = append(req.Files, testcontainers.ContainerFile{Reader: strings.NewReader(""), ContainerFilePath: in.Path(d) + "/.keep", FileMode: 0o644})
	}
	if in.TLS != nil {
		data, err := c.makeCerts()
		if err != nil {
			return "", errors.Join(err, c.stopLocked(ctx))
		}
		// Readable by all in the container: the copy belongs to root there,
		// and a proxy may read it after switching to its own user. The
		// container and the keys exist only for this run.
		for name, path := range map[string]string{certs.CAFile: in.CAFile, certs.CertFile: in.CertFile, certs.KeyFile: in.KeyFile, certs.BundleFile: in.BundleFile} {
			req.Files = append(req.Files, testcontainers.ContainerFile{Reader: bytes.NewReader(data[name]), ContainerFilePath: path, FileMode: 0o644})
		}
	}
	proxy, err := c.startContainer(ctx, c.spec.Name, testcontainers.GenericContainerRequest{ContainerRequest: req, Started: true, Logger: c.logger()})
	c.proxy = proxy
	if err != nil {
		err = fmt.Errorf("proxy container %s: %w%s", c.cfg.Image, err, lastLogLines(c.readLog(proxy)))
		// The session stops only what started: remove the fake upstream and
		// the network now.
		return "", errors.Join(err, c.stopLocked(ctx))
	}
	ip, err := proxy.ContainerIP(ctx)
	if err != nil || ip == "" {
		return "", fmt.Errorf("proxy container %s: no address on network %s: %w", c.cfg.Image, c.net.Name, cmp.Or(err, errNoAddress))
	}
	c.proxyIP = ip
	c.version = c.detectVersion(ctx, proxy)
	return net.JoinHostPort(ip, strconv.Itoa(containerListen)), nil
}

// makeCerts makes the run's TLS material and returns its files' contents, by
// name, for the copy into the container. certs writes them into a temp dir,
// which goes again at once: nothing of them stays on this host, not even
// when gatecheck is killed (the sweep removes only containers and networks).
// The Set keeps the authority for the client's TLS config.
func (c *Container) makeCerts() (map[string][]byte, error) {
	dir, err := os.MkdirTemp("", "gatecheck-certs-")
	if err != nil {
		return nil, fmt.Errorf("certificates: %w", err)
	}
	defer os.RemoveAll(dir)
	set, err := certs.New(dir)
	if err != nil {
		return nil, err
	}
	data := map[string][]byte{}
	for _, name := range []string{certs.CAFile, certs.CertFile, certs.KeyFile, certs.BundleFile} {
		if data[name], err = os.ReadFile(set.Path(name)); err != nil {
			return nil, fmt.Errorf("certificates: %w", err)
		}
	}
	c.certs = set
	return data, nil
}

// HTTP2 is the proxy container's listener for an HTTP/2 client, at its
// address on the network: h2c on port 8088, TLS on 8443 with a client config
// that trusts only the run's own authority. A client the proxy has no
// listener for gets a *harness.NotServed saying why.
func (c *Container) HTTP2(client scenarios.Client) (harness.Listener, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	running := c.proxy != nil && c.proxyIP != ""
	h2c := net.JoinHostPort(c.proxyIP, strconv.Itoa(containerH2C))
	tls := net.JoinHostPort(c.proxyIP, strconv.Itoa(containerTLS))
	return c.spec.http2Listener(c.String(), client, running, h2c, tls, c.certs)
}

// Stop keeps the proxy's log, then removes the proxy's and the fake upstream's
// containers, any image built for the fake upstream, and the network. It works
// after a failed or partial start, and after ctx was cancelled (Ctrl-C): it
// always takes up to 30s of its own.
func (c *Container) Stop(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stopLocked(ctx)
}

func (c *Container) stopLocked(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), containerStopTimeout)
	defer cancel()
	var errs []error
	if c.proxy != nil {
		log := c.readLogCtx(ctx, c.proxy)
		c.logMu.Lock()
		c.saved = log
		c.logMu.Unlock()
		if err := testcontainers.TerminateContainer(c.proxy, testcontainers.StopContext(ctx), testcontainers.StopTimeout(5*time.Second)); err != nil {
			errs = append(errs, fmt.Errorf("remove proxy container: %w", err))
		}
		c.proxy, c.pid, c.proxyIP = nil, 0, ""
	}
	c.certs = nil
	if c.up != nil {
		// Terminate also removes the image when it was built from a Dockerfile.
		if err := testcontainers.TerminateContainer(c.up, testcontainers.StopContext(ctx), testcontainers.StopTimeout(5*time.Second)); err != nil {
			errs = append(errs, fmt.Errorf("remove fake upstream container: %w", err))
		}
		c.up = nil
	}
	if len(c.orphans) > 0 {
		errs = append(errs, removeByName(ctx, c.orphans))
		c.orphans = nil
	}
	if c.sharedNet {
		c.net = nil
	}
	if c.net != nil {
		if err := c.net.Remove(ctx); err != nil {
			errs = append(errs, fmt.Errorf("remove network %s: %w", c.net.Name, err))
		}
		c.net = nil
	}
	return errors.Join(errs...)
}

// Timeouts are the timeouts the proxy really uses, as for its process target.
func (c *Container) Timeouts() scenarios.Timeouts { return c.timeouts }

// Version is the proxy's version as its binary in the image reports it.
func (c *Container) Version() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.version
}

// String names the target, as "nginx (container nginx:1.27-alpine)".
func (c *Container) String() string {
	return fmt.Sprintf("%s (container %s)", c.spec.Name, c.cfg.Image)
}

// Log is the tail of the proxy container's output, then of each of its log
// files; after Stop, what they held when it stopped.
func (c *Container) Log() string {
	c.mu.Lock()
	proxy := c.proxy
	c.mu.Unlock()
	if proxy == nil {
		c.logMu.Lock()
		defer c.logMu.Unlock()
		return c.saved
	}
	return c.readLog(proxy)
}

// startContainer starts a container under a name of its own; on failure it
// still returns the container when testcontainers-go handed one over, so that
// Stop removes it, and otherwise keeps the name for Stop to remove by.
func (c *Container) startContainer(ctx context.Context, role string, req testcontainers.GenericContainerRequest) (testcontainers.Container, error) {
	ctx, cancel := context.WithTimeout(ctx, containerStartTimeout+30*time.Second)
	defer cancel()
	req.Name = "gatecheck-" + role + "-" + randomSuffix()
	ctr, err := testcontainers.GenericContainer(ctx, req)
	if dc, ok := ctr.(*testcontainers.DockerContainer); ok && dc == nil {
		ctr = nil
	}
	if err != nil && ctr == nil {
		c.orphans = append(c.orphans, req.Name)
	}
	return ctr, err
}
