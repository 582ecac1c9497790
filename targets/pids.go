package targets

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ProcessGroup is implemented by targets whose proxy runs as processes that this
// machine's /proc shows. Pids lists them all — the master, its workers and
// helpers — so that their resources (memory, open files, threads) can be summed
// and watched over a load (gatecheck bench). A target that is not running
// returns an error.
type ProcessGroup interface {
	Pids() ([]int, error)
}

var (
	_ ProcessGroup = (*Process)(nil)
	_ ProcessGroup = (*Container)(nil)
)

// errNotRunning is what Pids says of a target that has not started or has
// stopped.
var errNotRunning = errors.New("not running")

// Pids lists every running process whose process group is the proxy's, but
// the guard that shares it (see guardScript): the proxy was started as the
// leader of a group of its own, and its forks stay in it.
func (p *Process) Pids() ([]int, error) {
	p.mu.Lock()
	pr := p.cur
	p.mu.Unlock()
	if pr == nil {
		return nil, fmt.Errorf("%s: %w", p.spec.Name, errNotRunning)
	}
	return proxyPids(pr.pgid, pr.guardPid())
}

// inspectTimeout bounds the inspect that finds a container's init pid.
const inspectTimeout = 10 * time.Second

// Pids lists the proxy container's processes as this host sees them: its init
// process (the container's State.Pid, asked of Docker once per start) and
// every descendant of it. It needs a Docker engine on this host, whose
// containers' processes the host's /proc shows.
func (c *Container) Pids() ([]int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.proxy == nil {
		return nil, fmt.Errorf("%s: %w", c.String(), errNotRunning)
	}
	if c.pid == 0 {
		ctx, cancel := context.WithTimeout(context.Background(), inspectTimeout)
		defer cancel()
		ins, err := c.proxy.Inspect(ctx)
		if err != nil {
			return nil, fmt.Errorf("inspect proxy container: %w", err)
		}
		if ins.State == nil || ins.State.Pid <= 0 {
			return nil, fmt.Errorf("proxy container: %w", errNotRunning)
		}
		c.pid = ins.State.Pid
	}
	return Descendants(c.pid)
}
