package harness

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gatecheck/gatecheck/judge"
	"github.com/gatecheck/gatecheck/scenarios"
)

// Retimable is implemented by targets that can be made again with other
// declared timeouts. A scenario that declares its own (Scenario.Timeouts) runs
// on such a target made again with them, in front of the same fake upstream:
// one pair of timeouts per target cannot test a proxy that confuses its connect
// and read timeouts, and some proxies have only global ones (Squid's
// read_timeout), so a per-route pair would not do.
type Retimable interface {
	// DeclaredTimeouts are the timeouts the target was made with, as declared;
	// Timeouts are what the proxy makes of them.
	DeclaredTimeouts() scenarios.Timeouts
	// WithTimeouts makes a new target like this one, not started, with the
	// declared timeouts t.
	WithTimeouts(t scenarios.Timeouts) (Target, error)
}

// retimings are a session's sub-sessions: its target made again and started
// with a scenario's own declared timeouts, once per distinct timeouts, when a
// scenario first needs them, and closed with the session.
type retimings struct {
	mu   sync.Mutex
	subs map[scenarios.Timeouts]*retiming
}

// retiming is one sub-session, or why it could not be opened.
type retiming struct {
	s   *Session
	err error
}

// declared are the timeouts the session's target was declared with.
func (s *Session) declared() scenarios.Timeouts {
	if r, ok := s.target.(Retimable); ok {
		return r.DeclaredTimeouts()
	}
	return s.target.Timeouts()
}

// retimes reports whether sc declares its own timeouts and they differ from the
// session's declared ones: Run then runs sc on a sub-session.
func (s *Session) retimes(sc *scenarios.Scenario) bool {
	d := s.declared()
	return sc.Timeouts != nil && sc.DeclaredTimeouts(d) != d
}

// runRetimed runs sc, which declares its own timeouts, on the session's target
// made again with them, alone: it holds the session's exclusive lock, so nothing
// else runs on the fake upstream meanwhile. A target that is not Retimable
// skips sc; one that cannot be made or started again is an error.
func (s *Session) runRetimed(ctx context.Context, sc *scenarios.Scenario) Result {
	start := time.Now()
	want := sc.DeclaredTimeouts(s.declared())
	own := timeoutsText(want)
	fail := func(v scenarios.Verdict, actual string) Result {
		return finish(resultOf(sc), start, judge.Unjudged(sc.ExpectFor(s.client), v, actual))
	}
	r, ok := s.target.(Retimable)
	if !ok {
		why := fmt.Sprintf("target %q cannot be started again with other timeouts", s.target.String())
		if f, fixed := s.target.(Fixed); fixed {
			why = f.FixedTimeouts()
		}
		return fail(scenarios.VerdictSkip, fmt.Sprintf("needs its own declared timeouts (%s); %s", own, why))
	}
	if err := s.claim(sc); err != nil {
		return fail(scenarios.VerdictError, err.Error())
	}
	s.exclusive.Lock()
	defer s.exclusive.Unlock()
	if err := ctx.Err(); err != nil {
		return fail(scenarios.VerdictSkip, "not run: "+err.Error())
	}
	sub, err := s.retimedSession(ctx, r, want)
	if err != nil {
		return fail(scenarios.VerdictError, err.Error())
	}
	res := sub.Run(ctx, sc)
	note := fmt.Sprintf("run with its own declared timeouts (%s): the target was started again with them", own)
	if used := sub.Timeouts(); used.Connect != want.Connect || used.Read != want.Read {
		note += fmt.Sprintf(" (it uses %s)", timeoutsText(used))
	}
	res.Notes = append(res.Notes, note)
	res.ElapsedMS = time.Since(start).Milliseconds()
	return res
}

// claim records sc under its id as the session's loader does, so that another
// scenario with the same id is refused wherever it runs; the sub-session loads
// its scripts.
func (s *Session) claim(sc *scenarios.Scenario) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if prev, ok := s.loaded[sc.ID]; ok && prev != sc {
		return fmt.Errorf("%s: scenario id %q already loaded from %s", sc.Source, sc.ID, prev.Source)
	}
	s.loaded[sc.ID] = sc
	return nil
}

// retimedSession is the sub-session for the declared timeouts want, opened the
// first time it is asked for. A failure to open it is kept too (the next
// scenario with the same timeouts gets the same error at once), unless ctx
// ended during the attempt.
func (s *Session) retimedSession(ctx context.Context, r Retimable, want scenarios.Timeouts) (*Session, error) {
	s.retimed.mu.Lock()
	defer s.retimed.mu.Unlock()
	if got, ok := s.retimed.subs[want]; ok {
		return got.s, got.err
	}
	sub, err := s.openRetimed(ctx, r, want)
	if err != nil && ctx.Err() != nil {
		return nil, err
	}
	if s.retimed.subs == nil {
		s.retimed.subs = map[scenarios.Timeouts]*retiming{}
	}
	s.retimed.subs[want] = &retiming{sub, err}
	return sub, err
}

// openRetimed makes the target again with the declared timeouts want and
// starts it in front of the session's fake upstream: the sub-session shares it
// and never closes it.
func (s *Session) openRetimed(ctx context.Context, r Retimable, want scenarios.Timeouts) (*Session, error) {
	name, own := s.target.String(), timeoutsText(want)
	t, err := r.WithTimeouts(want)
	if err != nil {
		return nil, fmt.Errorf("make target %q again with the scenario's own declared timeouts (%s): %w", name, own, err)
	}
	sub := &Session{target: t, up: s.up, timeouts: t.Timeouts(), loaded: map[string]*scenarios.Scenario{}, client: s.client, maxRepeat: s.maxRepeat}
	addr, err := t.Start(ctx, s.up.Endpoints())
	if err != nil {
		return nil, fmt.Errorf("start target %q again with the scenario's own declared timeouts (%s): %w", name, own, err)
	}
	sub.addr = addr
	if sub.listener, err = listenerFor(t, addr, s.client); err != nil {
		return nil, errors.Join(err, sub.Close(context.WithoutCancel(ctx)))
	}
	if v, ok := t.(Versioned); ok {
		sub.version = v.Version()
	}
	if err := sub.probe(ctx); err != nil {
		err = fmt.Errorf("target %q started again with the scenario's own declared timeouts (%s): %w", name, own, err)
		return nil, errors.Join(err, sub.Close(context.WithoutCancel(ctx)))
	}
	return sub, nil
}

// closeRetimed closes the sub-sessions. It runs before the session's own target
// stops: a container target made again runs on the first one's network.
func (s *Session) closeRetimed(ctx context.Context) error {
	s.retimed.mu.Lock()
	defer s.retimed.mu.Unlock()
	var errs []error
	for _, r := range s.retimed.subs {
		if r.s != nil {
			errs = append(errs, r.s.Close(ctx))
		}
	}
	s.retimed.subs = nil
	return errors.Join(errs...)
}

// timeoutsText is the connect and read timeouts in words, as "connect 1s,
// read 4s".
func timeoutsText(t scenarios.Timeouts) string {
	return fmt.Sprintf("connect %s, read %s", t.Connect, t.Read)
}
