package harness

import (
	"context"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/judge"
	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/wire"
)

// Prepared is a scenario loaded into a session's fake upstream for a load
// generator (gatecheck bench): it sends the scenario's main request many times
// outside Run, each time with a token of its own, and has each answer judged
// as Run judges a main request.
type Prepared struct {
	sc       *scenarios.Scenario
	ref      wire.Response
	timeouts scenarios.Timeouts
}

// Prepare loads sc's scripts, resolved with the session's timeouts, into the
// fake upstream (once per session, as Run loads them) and parses the reference
// the answers to its main request are judged against.
func (s *Session) Prepare(ctx context.Context, sc *scenarios.Scenario) (*Prepared, error) {
	scripts, err := s.load(ctx, sc)
	if err != nil {
		return nil, err
	}
	return &Prepared{sc: sc, ref: references(sc, scripts)[0], timeouts: s.timeouts}, nil
}

// Request is the main request of the run that carries token, as Run sends it,
// with host as its Host.
func (p *Prepared) Request(token, host string) wire.Request {
	return wireRequest(p.sc.Request, p.sc.RequestPath(token, 0), host)
}

// Timed reports whether the answers are timed against the upstream's anchors
// (a within check): the journal is then to be read once the script for the
// request has ended, since the client can hold the last byte before the
// upstream has journaled writing it.
func (p *Prepared) Timed() bool { return timed(p.sc.Expect) }

// Judge judges the client's exchange of one run with the journal's record of
// that run.
func (p *Prepared) Judge(x wire.Exchange, rec fakeupstream.Record) judge.Judgement {
	obs := judge.Observation{Exchange: x}
	annotate(&obs, rec, 0, -1)
	return judge.Judge(p.sc.Expect, p.ref, obs, p.timeouts, false)
}
