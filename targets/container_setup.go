package targets

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"debug/elf"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/scenarios"
)

// containerInstance lays out a run inside a container: the work dir
// /gatecheck, listening on all the container's addresses at port 8080, h2c at
// 8088 and TLS at 8443 where the proxy serves them (extra ports from 9080 on,
// loopback), the TLS material in /gatecheck/tls, the fake upstream at its
// address on the network, and root, which a container's proxy starts as.
func containerInstance(s *Spec, up fakeupstream.Endpoints, t scenarios.Timeouts) (*Instance, error) {
	ports := []int{containerListen}
	for i := range s.Ports {
		ports = append(ports, 9080+i)
	}
	if s.serves(scenarios.ClientH2) {
		ports = append(ports, containerH2C)
	}
	if s.serves(scenarios.ClientH2TLS) {
		ports = append(ports, containerTLS)
	}
	in, err := newInstance(s, containerDir, ports, up, t)
	if err != nil {
		return nil, fmt.Errorf("container config %q: %w", s.Name, err)
	}
	in.Listen.Host = "0.0.0.0"
	for _, h := range []*HostPort{in.H2C, in.TLS} {
		if h != nil {
			h.Host = "0.0.0.0"
		}
	}
	in.Root, in.User = true, s.User
	return in, nil
}

// dialStrategy waits until a TCP connect from this host to the container's
// address on its network succeeds, on each of its ports. It needs nothing
// inside the container (no shell, no curl) and no published port; a container
// that exits first fails it at once.
type dialStrategy struct {
	ports   []int
	timeout time.Duration
}

var _ wait.Strategy = (*dialStrategy)(nil)

// forDial waits for every port on the container's network address, up to
// timeout in all.
func forDial(timeout time.Duration, ports ...int) *dialStrategy {
	return &dialStrategy{ports: ports, timeout: timeout}
}

// WaitUntilReady dials until each port accepts, the container stops, or the
// timeout passes.
func (d *dialStrategy) WaitUntilReady(ctx context.Context, target wait.StrategyTarget) error {
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	for _, port := range d.ports {
		if err := d.await(ctx, target, port); err != nil {
			return err
		}
	}
	return nil
}

// await dials port until it accepts, the container stops, or ctx ends.
func (d *dialStrategy) await(ctx context.Context, target wait.StrategyTarget, port int) error {
	var last error
	for {
		ins, err := target.Inspect(ctx)
		if err != nil {
			return fmt.Errorf("wait for port %d: %w", port, err)
		}
		if ins.State != nil && !ins.State.Running {
			return fmt.Errorf("wait for port %d: container %s (exit code %d)", port, ins.State.Status, ins.State.ExitCode)
		}
		for _, n := range ins.NetworkSettings.Networks {
			if !n.IPAddress.IsValid() {
				continue
			}
			addr := net.JoinHostPort(n.IPAddress.String(), strconv.Itoa(port))
			conn, err := (&net.Dialer{Timeout: 500 * time.Millisecond}).DialContext(ctx, "tcp", addr)
			if err == nil {
				conn.Close()
				return nil
			}
			last = err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for port %d: %w (last: %v)", port, ctx.Err(), last)
		case <-time.After(100 * time.Millisecond): // polling another process's socket
		}
	}
}

// upstreamDockerfile is the build of the fake upstream's image from a static
// gatecheck binary: FROM scratch, the binary as /gatecheck. Terminate removes
// the image with the container.
func upstreamDockerfile(binary string) (testcontainers.FromDockerfile, error) {
	if binary == "" {
		exe, err := os.Executable()
		if err != nil {
			return testcontainers.FromDockerfile{}, fmt.Errorf("fake upstream image: %w", err)
		}
		binary = exe
	}
	if err := checkStatic(binary); err != nil {
		return testcontainers.FromDockerfile{}, fmt.Errorf("fake upstream image: %w (build it with make build, or name a gatecheck image)", err)
	}
	data, err := os.ReadFile(binary)
	if err != nil {
		return testcontainers.FromDockerfile{}, fmt.Errorf("fake upstream image: %w", err)
	}
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	dockerfile := "FROM scratch\nCOPY gatecheck /gatecheck\nENTRYPOINT [\"/gatecheck\"]\n"
	for _, f := range []struct {
		name string
		data []byte
		mode int64
	}{{"Dockerfile", []byte(dockerfile), 0o644}, {"gatecheck", data, 0o755}} {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.data))}); err != nil {
			return testcontainers.FromDockerfile{}, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return testcontainers.FromDockerfile{}, err
		}
	}
	if err := tw.Close(); err != nil {
		return testcontainers.FromDockerfile{}, err
	}
	return testcontainers.FromDockerfile{ContextArchive: bytes.NewReader(b.Bytes()), Repo: "gatecheck-upstream", BuildLogWriter: io.Discard}, nil
}

// checkStatic says why binary cannot run in a scratch image, if it cannot: not a
// Linux ELF executable, or linked against a dynamic loader.
func checkStatic(binary string) error {
	f, err := elf.Open(binary)
	if err != nil {
		return fmt.Errorf("%s: not a Linux executable: %w", binary, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%s: dynamically linked", binary)
		}
	}
	return nil
}

// readLog is the tail of a container's output, then of each of the spec's log
// files in it; bounded to 5s.
func (c *Container) readLog(ctr testcontainers.Container) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return c.readLogCtx(ctx, ctr)
}

func (c *Container) readLogCtx(ctx context.Context, ctr testcontainers.Container) string {
	if ctr == nil {
		return ""
	}
	var b strings.Builder
	if rc, err := ctr.Logs(ctx); err == nil {
		data, _ := io.ReadAll(rc)
		rc.Close()
		b.WriteString(tailString(string(data), logTail))
	}
	for _, name := range c.spec.Logs {
		rc, err := ctr.CopyFileFromContainer(ctx, containerDir+"/"+name)
		if err != nil {
			continue
		}
		data, _ := io.ReadAll(io.LimitReader(rc, 16<<20))
		rc.Close()
		if text := tailString(string(data), logTail); strings.TrimSpace(text) != "" {
			fmt.Fprintf(&b, "==> %s <==\n%s", name, text)
			if !strings.HasSuffix(text, "\n") {
				b.WriteByte('\n')
			}
		}
	}
	return b.String()
}

// lastLogLines is the last few non-empty lines of a log, for a start error.
func lastLogLines(log string) string {
	var lines []string
	for _, l := range strings.Split(log, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return ""
	}
	return ":\n\t" + strings.Join(lines[max(len(lines)-errorLines, 0):], "\n\t")
}

// detectVersion runs the spec's version command in the container, bounded to
// 5s; it needs no shell.
func (c *Container) detectVersion(ctx context.Context, ctr testcontainers.Container) string {
	if c.spec.VersionRE == nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, versionTimeout)
	defer cancel()
	_, out, err := ctr.Exec(ctx, append([]string{c.spec.Binary}, c.spec.VersionArgs...))
	if err != nil {
		return ""
	}
	data, _ := io.ReadAll(io.LimitReader(out, 64<<10))
	if m := c.spec.VersionRE.FindSubmatch(data); m != nil {
		return c.spec.Name + "/" + string(m[1])
	}
	return ""
}

// randomSuffix is 8 random hex digits, for container names.
func randomSuffix() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// removeByName force-removes containers by name; one that does not exist is
// not an error.
func removeByName(ctx context.Context, names []string) error {
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return fmt.Errorf("remove containers %v: %w", names, err)
	}
	defer cli.Close()
	var errs []error
	for _, n := range names {
		_, err := cli.ContainerRemove(ctx, n, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
		if err != nil && !cerrdefs.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("remove container %s: %w", n, err))
		}
	}
	return errors.Join(errs...)
}
