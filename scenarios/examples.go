package scenarios

import (
	"fmt"
	"slices"
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

// examples reads the example answers and checks that each protocol has a pass
// and a fail: client answers (HTTP/1.1) for a scenario that runs over h1, h2
// answers for one that runs over h2 only or that has any.
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
	count := map[Client]map[Verdict]int{ClientH1: {}, ClientH2: {}}
	for i, it := range items {
		what := fmt.Sprintf("example %d", i+1)
		m := p.fields(it, what, "name", "verdict", "outcome", "client", "h2", "attempts", "after_upstream", "follow_ups")
		if m == nil || !p.require(it, m, what, "name", "verdict") {
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
		proto, ok := p.answerProtocol(it, m, what, s)
		if !ok {
			continue
		}
		if proto == ClientH2 {
			e.H2 = p.h2Steps(m["h2"], what+": h2")
		} else {
			e.Client = p.clientSteps(m["client"], what+": client")
		}
		count[proto][e.Verdict]++
		if v := m["outcome"]; v != nil {
			e.Outcome, _ = p.outcome(v, what+": outcome", false)
			p.checkExampleOutcome(v, what, e, s, s.ExpectFor(proto))
		}
		if v := m["attempts"]; v != nil {
			a, _ := p.integer(v, what+": attempts", 0, maxAttempts)
			e.Attempts = int(a)
		}
		if v := m["after_upstream"]; v != nil {
			e.AfterUpstream = p.goDuration(v, what+": after_upstream")
		}
		if v := m["follow_ups"]; v != nil {
			e.FollowUps = p.exampleFollowUps(v, what+": follow_ups", len(s.FollowUps), proto)
		}
		out = append(out, e)
	}
	if len(p.errs) > errsBefore {
		return out
	}
	h1, h2 := count[ClientH1], count[ClientH2]
	switch {
	case slices.Contains(s.Clients, ClientH1) && (h1[VerdictPass] == 0 || h1[VerdictFail] == 0):
		if len(h2) == 0 {
			p.add(p.lineOf(n), "examples: want at least one with verdict pass and one with verdict fail (got %d pass, %d fail)", h1[VerdictPass], h1[VerdictFail])
		} else {
			p.add(p.lineOf(n), "examples: want at least one client answer (HTTP/1.1) with verdict pass and one with verdict fail (got %d pass, %d fail)", h1[VerdictPass], h1[VerdictFail])
		}
	case (len(h2) > 0 || !slices.Contains(s.Clients, ClientH1)) && (h2[VerdictPass] == 0 || h2[VerdictFail] == 0):
		p.add(p.lineOf(n), "examples: want at least one h2 answer (HTTP/2) with verdict pass and one with verdict fail (got %d pass, %d fail)", h2[VerdictPass], h2[VerdictFail])
	}
	return out
}

// answerProtocol says which protocol an example answers in: client (h1) or
// h2, exactly one of them, and one the scenario runs over.
func (p *parser) answerProtocol(it *yaml.Node, m map[string]*yaml.Node, what string, s *Scenario) (Client, bool) {
	c, h := m["client"], m["h2"]
	switch {
	case c != nil && h != nil:
		p.addAt(h.Line, what, "client and h2 both given; want one: client for an HTTP/1.1 answer, h2 for an HTTP/2 answer")
		return "", false
	case c == nil && h == nil:
		p.addAt(p.lineOf(it), what, "missing required field \"client\" or \"h2\"")
		return "", false
	case h != nil && !slices.Contains(s.Clients, ClientH2):
		p.addAt(p.lineOf(h), what, "h2: the scenario does not run over h2 (clients: %s)", ClientsText(s.Clients))
		return "", false
	case c != nil && !slices.Contains(s.Clients, ClientH1):
		p.addAt(p.lineOf(c), what, "client: the scenario does not run over h1 (clients: %s): answer with h2", ClientsText(s.Clients))
		return "", false
	case h != nil:
		return ClientH2, true
	}
	return ClientH1, true
}

// checkExampleOutcome checks that an example's outcome can get the verdict it
// declares under x, the expectation of the example's protocol: a passing one must be listed, and one listed without checks passes (or
// is non-strict) whatever else happens — unless follow-ups may fail the example.
func (p *parser) checkExampleOutcome(n *yaml.Node, what string, e Example, s *Scenario, x Expectation) {
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

// exampleFollowUps reads an example's answers to the follow-ups, each in the
// protocol of the example's main answer (proto).
func (p *parser) exampleFollowUps(n *yaml.Node, what string, want int, proto Client) []ExampleFollowUp {
	items, ok := p.list(n, what)
	if !ok {
		return nil
	}
	if len(items) > want {
		p.addAt(p.lineOf(n), what, "%d answers, but the scenario has %d follow-ups", len(items), want)
		return nil
	}
	key, other := "client", "h2"
	if proto == ClientH2 {
		key, other = "h2", "client"
	}
	out := make([]ExampleFollowUp, 0, len(items))
	for i, it := range items {
		w := fmt.Sprintf("%s: %d", what, i+1)
		m := p.fields(it, w, "client", "h2", "reused", "attempts")
		if m == nil {
			continue
		}
		if v := m[other]; v != nil {
			p.addAt(p.lineOf(v), w, "%s: the example answers with %s; answer its follow-ups with %s too", other, key, key)
			continue
		}
		if !p.require(it, m, w, key) {
			continue
		}
		f := ExampleFollowUp{Attempts: 1}
		if proto == ClientH2 {
			f.H2 = p.h2Steps(m["h2"], w+": h2")
		} else {
			f.Client = p.clientSteps(m["client"], w+": client")
		}
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
