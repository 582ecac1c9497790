package targets

import (
	"errors"

	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/scenarios"
)

// Every target gatecheck starts itself can be made again with a scenario's own
// declared timeouts (harness.Retimable).
var (
	_ harness.Retimable = (*Process)(nil)
	_ harness.Retimable = (*GoStdlib)(nil)
	_ harness.Retimable = (*Container)(nil)
)

// DeclaredTimeouts are the timeouts the proxy's config is rendered with.
func (p *Process) DeclaredTimeouts() scenarios.Timeouts { return p.declared }

// WithTimeouts makes the same proxy's target with the declared timeouts t, not
// started; started, it gets a work dir, ports and config of its own.
func (p *Process) WithTimeouts(t scenarios.Timeouts) (harness.Target, error) {
	q := newProcess(p.spec, t)
	q.ports = p.ports
	return q, nil
}

// DeclaredTimeouts are the timeouts the proxy was made with, retries included
// (Timeouts reports none: ReverseProxy has no retry count).
func (g *GoStdlib) DeclaredTimeouts() scenarios.Timeouts { return g.timeouts }

// WithTimeouts makes another in-process proxy with the declared timeouts t, not
// started.
func (g *GoStdlib) WithTimeouts(t scenarios.Timeouts) (harness.Target, error) {
	return NewGoStdlib(t), nil
}

// DeclaredTimeouts are the timeouts the proxy's config is rendered with.
func (c *Container) DeclaredTimeouts() scenarios.Timeouts { return c.declared }

// WithTimeouts makes a container target of the same image with the declared
// timeouts t, not started, on this one's network and in front of its fake
// upstream: this one must have started. Stopped, it removes only its own
// proxy container; the network and the fake upstream stay this one's.
func (c *Container) WithTimeouts(t scenarios.Timeouts) (harness.Target, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.net == nil {
		return nil, errors.New("no network: the container target has not started")
	}
	cfg := c.cfg
	cfg.Timeouts = t
	r, err := NewContainer(cfg)
	if err != nil {
		return nil, err
	}
	r.net, r.upIP, r.sharedNet = c.net, c.upIP, true
	return r, nil
}
