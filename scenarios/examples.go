package scenarios

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// followUps reads the follow-up requests.
func (p *parser) followUps(n *yaml.Node) []FollowUp {
	items, ok := p.list(n, "follow_ups")
	if !ok {
		return nil
	}
	out := make([]FollowUp, 0, len(items))
	for i, it := range items {
		what := fmt.Sprintf("follow-up %d", i+1)
		f := FollowUp{
			Request:    Request{Method: "GET", Version: "HTTP/1.1"},
			Connection: ConnectionNew,
			Upstream: []StepSpec{
				{Name: "read", What: "request", Line: it.Line},
				{Name: "write", Data: []byte(followUpAnswer), Line: it.Line},
			},
			Expect: Expectation{Pass: []Alternative{{Outcome: OutcomePassthrough}}},
		}
		m := p.fields(it, what, "connection", "request", "upstream", "expect")
		if m == nil {
			continue
		}
		if v := m["connection"]; v != nil {
			if c, ok := word(p, v, what+": connection", ConnectionNew, ConnectionSame); ok {
				f.Connection = c
			}
		}
		if v := m["request"]; v != nil {
			f.Request = p.request(v, what+": request")
		}
		if v := m["upstream"]; v != nil {
			f.Upstream = p.steps(v, what+": upstream", stepNames)
		}
		if v := m["expect"]; v != nil {
			f.Expect = p.expectation(v, what+": expect", true, marksOf(f.Upstream))
		}
		out = append(out, f)
	}
	return out
}

// examples reads the example answers and checks that there is a pass and a fail.
func (p *parser) examples(n *yaml.Node, s *Scenario) []Example {
	items, ok := p.list(n, "examples")
	if !ok {
		return nil
	}
	defaultAttempts := int64(1)
	if s.Endpoint != EndpointMain {
		defaultAttempts = 0
	}
	var out []Example
	errsBefore := len(p.errs)
	names := map[string]int{}
	count := map[Verdict]int{}
	for i, it := range items {
		what := fmt.Sprintf("example %d", i+1)
		m := p.fields(it, what, "name", "verdict", "outcome", "client", "attempts", "after_upstream", "follow_ups")
		if m == nil || !p.require(it, m, what, "name", "verdict", "client") {
			continue
		}
		e := Example{Attempts: int(defaultAttempts)}
		if name, ok := p.str(m["name"], what+": name"); ok {
			e.Name = strings.TrimSpace(name)
			if first, dup := names[e.Name]; dup {
				p.addAt(m["name"].Line, what, "name %q repeated (first at line %d)", clip(e.Name), first)
			}
			names[e.Name] = m["name"].Line
		}
		e.Verdict, _ = word(p, m["verdict"], what+": verdict", verdicts...)
		count[e.Verdict]++
		if v := m["outcome"]; v != nil {
			e.Outcome, _ = p.outcome(v, what+": outcome", false)
			p.checkExampleOutcome(v, what, e, s)
		}
		e.Client = p.clientSteps(m["client"], what+": client")
		if v := m["attempts"]; v != nil {
			a, _ := p.integer(v, what+": attempts", 0, maxAttempts)
			e.Attempts = int(a)
		}
		if v := m["after_upstream"]; v != nil {
			e.AfterUpstream = p.goDuration(v, what+": after_upstream")
		}
		if v := m["follow_ups"]; v != nil {
			e.FollowUps = p.exampleFollowUps(v, what+": follow_ups", len(s.FollowUps))
		}
		out = append(out, e)
	}
	if len(p.errs) == errsBefore && (count[VerdictPass] == 0 || count[VerdictFail] == 0) {
		p.add(p.lineOf(n), "examples: want at least one with verdict pass and one with verdict fail (got %d pass, %d fail)", count[VerdictPass], count[VerdictFail])
	}
	return out
}

// checkExampleOutcome checks that an example's outcome can get the verdict it
// declares: a passing one must be listed, and one listed without checks passes (or
// is non-strict) whatever else happens — unless follow-ups may fail the example.
func (p *parser) checkExampleOutcome(n *yaml.Node, what string, e Example, s *Scenario) {
	x := s.Expect
	alone := len(s.FollowUps) == 0
	switch {
	case e.Outcome == "" || e.Verdict == "":
	case e.Outcome.AlwaysFails() && e.Verdict != VerdictFail:
		p.addAt(n.Line, what, "outcome %q always fails, not %s", e.Outcome, e.Verdict)
	case e.Verdict == VerdictPass && !listed(x.Pass, e.Outcome):
		p.addAt(n.Line, what, "outcome %q is not in expect.pass (%s)", e.Outcome, describeList(x.Pass))
	case e.Verdict == VerdictNonStrict && !listed(x.NonStrict, e.Outcome):
		p.addAt(n.Line, what, "outcome %q is not in expect.non_strict (%s)", e.Outcome, describeList(x.NonStrict))
	case alone && e.Verdict != VerdictPass && listedBare(x.Pass, e.Outcome):
		p.addAt(n.Line, what, "outcome %q passes, not %s: expect.pass lists it without checks", e.Outcome, e.Verdict)
	case alone && e.Verdict == VerdictFail && listedBare(x.NonStrict, e.Outcome):
		p.addAt(n.Line, what, "outcome %q is non-strict, not fail: expect.non_strict lists it without checks", e.Outcome)
	}
}

// clientSteps reads an example's client answer. One that does not end with
// close, reset or hang is ended by a close when it is played, unless the
// scenario's next request rides the same client connection: that connection
// then stays open for it.
func (p *parser) clientSteps(n *yaml.Node, what string) []StepSpec {
	return p.steps(n, what, clientSteps)
}

// exampleFollowUps reads an example's answers to the follow-ups.
func (p *parser) exampleFollowUps(n *yaml.Node, what string, want int) []ExampleFollowUp {
	items, ok := p.list(n, what)
	if !ok {
		return nil
	}
	if len(items) > want {
		p.addAt(p.lineOf(n), what, "%d answers, but the scenario has %d follow-ups", len(items), want)
		return nil
	}
	out := make([]ExampleFollowUp, 0, len(items))
	for i, it := range items {
		w := fmt.Sprintf("%s: %d", what, i+1)
		m := p.fields(it, w, "client", "reused", "attempts")
		if m == nil || !p.require(it, m, w, "client") {
			continue
		}
		f := ExampleFollowUp{Attempts: 1}
		f.Client = p.clientSteps(m["client"], w+": client")
		if v := m["reused"]; v != nil {
			f.Reused, _ = p.boolean(v, w+": reused")
		}
		if v := m["attempts"]; v != nil {
			a, _ := p.integer(v, w+": attempts", 0, maxAttempts)
			f.Attempts = int(a)
		}
		out = append(out, f)
	}
	return out
}
