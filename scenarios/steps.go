package scenarios

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gatecheck/gatecheck/fakeupstream"
)

// stepNames are the steps of a script, as written in YAML.
var stepNames = []string{"read", "write", "body", "chunk", "sleep", "drip", "half_close", "close", "reset", "hang", "mark"}

// clientSteps are the steps an example's client answer may use.
var clientSteps = []string{"write", "body", "chunk", "drip", "sleep", "close", "reset", "hang"}

// endSteps end the connection; nothing may follow them.
var endSteps = []string{"close", "reset", "hang"}

// writeSteps write bytes; none may follow a half_close.
var writeSteps = []string{"write", "body", "chunk", "drip"}

// stepUsage shows each step that takes a value in its usual form.
var stepUsage = map[string]string{
	"write": `write: 'HTTP/1.1 200 OK\r\n'`,
	"body":  "body: 100",
	"chunk": "chunk: 'data'",
	"sleep": "sleep: 250ms",
	"drip":  "drip: {data: 'abc', every: 100ms}",
	"mark":  "mark: first-event",
}

var markRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// steps reads a script: a non-empty list of steps, each one of allowed.
func (p *parser) steps(n *yaml.Node, what string, allowed []string) []StepSpec {
	items, ok := p.list(n, what)
	if !ok {
		return nil
	}
	if len(items) == 0 {
		p.addAt(p.lineOf(n), what, "empty script")
		return nil
	}
	// Steps of the main script are "step N"; others name their script.
	prefix := what + ": "
	if what == "upstream" {
		prefix = ""
	}
	out := make([]StepSpec, 0, len(items))
	ended, halfClosed, endedBy := 0, 0, ""
	marks := map[string]int{}
	for i, it := range items {
		where := fmt.Sprintf("%sstep %d", prefix, i+1)
		s, ok := p.step(it, where, allowed)
		if !ok {
			continue
		}
		switch {
		case ended > 0:
			p.add(it.Line, "%s: unreachable: step %d (%s) has already ended the connection", where, ended, endedBy)
		case halfClosed > 0 && slices.Contains(writeSteps, s.Name):
			p.add(it.Line, "%s: %s after half_close (step %d): the write side is already shut", where, s.Name, halfClosed)
		}
		if slices.Contains(endSteps, s.Name) && ended == 0 {
			ended, endedBy = i+1, s.Name
		}
		if s.Name == "half_close" && halfClosed == 0 {
			halfClosed = i + 1
		}
		if s.Name == "mark" {
			if first, dup := marks[s.Mark]; dup {
				p.add(it.Line, "%s: mark %q repeated (first at step %d)", where, s.Mark, first)
			}
			marks[s.Mark] = i + 1
		}
		out = append(out, s)
	}
	return out
}

// step reads one step: a bare word or a one-key map.
func (p *parser) step(n *yaml.Node, where string, allowed []string) (StepSpec, bool) {
	var name string
	var val *yaml.Node
	switch {
	case n.Kind == yaml.ScalarNode && n.Tag == "!!str":
		name = n.Value
	case n.Kind == yaml.MappingNode && len(n.Content) == 2 && deref(n.Content[0]).Kind == yaml.ScalarNode:
		name, val = deref(n.Content[0]).Value, deref(n.Content[1])
	case n.Kind == yaml.MappingNode && len(n.Content) > 2:
		var keys []string
		for j := 0; j < len(n.Content); j += 2 {
			keys = append(keys, clip(deref(n.Content[j]).Value))
		}
		p.add(n.Line, "%s: a step is one word or a one-key map, got %d keys (%s); indent a step's arguments under its name",
			where, len(keys), strings.Join(keys, ", "))
		return StepSpec{}, false
	default:
		p.add(n.Line, "%s: want a step name or a one-key map, got %s", where, describe(n))
		return StepSpec{}, false
	}
	if !slices.Contains(stepNames, name) {
		hint := didYouMean(name, allowed)
		if hint == "" {
			hint = " (want " + oneOf(allowed) + ")"
		}
		p.add(n.Line, "%s: unknown step %q%s", where, clip(name), hint)
		return StepSpec{}, false
	}
	if !slices.Contains(allowed, name) {
		p.add(n.Line, "%s: %s is not allowed here (want %s)", where, name, oneOf(allowed))
		return StepSpec{}, false
	}
	s := StepSpec{Name: name, Line: n.Line}
	what := where + ": " + name
	if val == nil || (val.Kind == yaml.ScalarNode && val.Tag == "!!null") {
		switch name {
		case "read":
			s.What = string(fakeupstream.ReadRequest)
			if val != nil {
				p.addAt(n.Line, what, "missing value; write read, or read: request, head or body")
				return s, false
			}
			return s, true
		case "half_close", "close", "reset", "hang":
			if val != nil {
				p.addAt(n.Line, what, "write it as a bare word, without a colon")
				return s, false
			}
			return s, true
		}
		p.addAt(n.Line, what, "missing value, as in %s", stepUsage[name])
		return s, false
	}
	ok := true
	switch name {
	case "read":
		s.What, ok = p.word(val, what, "request", "head", "body")
	case "write":
		s.Data, ok = p.byteString(val, what)
		if ok && len(s.Data) == 0 {
			p.addAt(val.Line, what, "no bytes to write")
			ok = false
		}
	case "chunk":
		s.Data, ok = p.byteString(val, what)
	case "body":
		ok = p.bodyStep(val, what, &s)
	case "sleep":
		s.D, ok = p.duration(val, what)
	case "hang":
		s.D, ok = p.duration(val, what)
	case "drip":
		ok = p.dripStep(val, what, &s)
	case "mark":
		s.Mark, ok = p.str(val, what)
		if ok && (!markRE.MatchString(s.Mark) || s.Mark == "last-byte") {
			p.addAt(val.Line, what, "%q is not a mark name (lowercase letters, digits, - and _; not last-byte)", clip(s.Mark))
			ok = false
		}
	default: // half_close, close, reset
		p.addAt(val.Line, what, "takes no value; write it as a bare word")
		ok = false
	}
	return s, ok
}

// bodyStep reads body: N, body: "16MiB" or body: {bytes: N, chunk_size: N}.
func (p *parser) bodyStep(n *yaml.Node, what string, s *StepSpec) bool {
	if n.Kind != yaml.MappingNode {
		var ok bool
		s.N, ok = p.size(n, what, 1)
		return ok
	}
	m := p.fields(n, what, "bytes", "chunk_size")
	if m == nil || !p.require(n, m, what, "bytes") {
		return false
	}
	var ok bool
	if s.N, ok = p.size(m["bytes"], what+": bytes", 1); !ok {
		return false
	}
	if c := m["chunk_size"]; c != nil {
		size, ok := p.size(c, what+": chunk_size", 1)
		if !ok {
			return false
		}
		s.ChunkSize = int(size)
	}
	return true
}

// dripStep reads drip: {data: '..' | bytes: N, every: dur, size: N}.
func (p *parser) dripStep(n *yaml.Node, what string, s *StepSpec) bool {
	m := p.fields(n, what, "data", "bytes", "every", "size")
	if m == nil || !p.require(n, m, what, "every") {
		return false
	}
	ok := true
	switch {
	case m["data"] != nil && m["bytes"] != nil:
		p.addAt(n.Line, what, "data and bytes both given; want one")
		return false
	case m["data"] != nil:
		s.Data, ok = p.byteString(m["data"], what+": data")
		if ok && len(s.Data) == 0 {
			p.addAt(m["data"].Line, what, "data: no bytes to drip")
			ok = false
		}
	case m["bytes"] != nil:
		s.N, ok = p.size(m["bytes"], what+": bytes", 1)
	default:
		p.addAt(n.Line, what, "missing data or bytes")
		return false
	}
	var okEvery bool
	s.Every, okEvery = p.duration(m["every"], what+": every")
	s.Size = 1
	if sz := m["size"]; sz != nil {
		v, okSize := p.size(sz, what+": size", 1)
		s.Size = int(v)
		ok = ok && okSize
	}
	return ok && okEvery
}

// ResolveSteps turns written steps into fake-upstream steps, resolving durations
// against t. It is used for upstream scripts and for examples' client answers. Steps
// with an unknown name are left out (the loader never makes them; Scripts reports
// them).
func ResolveSteps(steps []StepSpec, t Timeouts) []fakeupstream.Step {
	out := make([]fakeupstream.Step, 0, len(steps))
	for _, s := range steps {
		switch s.Name {
		case "read":
			out = append(out, fakeupstream.Read{What: fakeupstream.ReadWhat(s.What)})
		case "write":
			out = append(out, fakeupstream.Write{Data: s.Data})
		case "body":
			out = append(out, fakeupstream.Body{N: s.N, ChunkSize: s.ChunkSize})
		case "chunk":
			out = append(out, fakeupstream.Chunk{Data: s.Data})
		case "sleep":
			out = append(out, fakeupstream.Sleep{D: s.D.Resolve(t)})
		case "drip":
			out = append(out, fakeupstream.Drip{Data: s.Data, N: s.N, Size: s.Size, Every: s.Every.Resolve(t)})
		case "half_close":
			out = append(out, fakeupstream.HalfClose{})
		case "close":
			out = append(out, fakeupstream.Close{})
		case "reset":
			out = append(out, fakeupstream.Reset{})
		case "hang":
			out = append(out, fakeupstream.Hang{Max: s.D.Resolve(t)})
		case "mark":
			out = append(out, fakeupstream.Mark{Label: s.Mark})
		}
	}
	return out
}

// Scripts resolves the scenario's upstream scripts against t: index 0 is the main
// request's (empty for the refused and connect-timeout endpoints), 1.. the
// follow-ups'. A hang without a duration waits at most the scenario's Deadline
// plus HangMargin, so the upstream never gives up before the client does: a
// proxy that waits forever is seen hung, not rescued by the upstream's close.
func (s *Scenario) Scripts(t Timeouts) ([]fakeupstream.Script, error) {
	specs := [][]StepSpec{s.Upstream}
	for _, f := range s.FollowUps {
		specs = append(specs, f.Upstream)
	}
	deadline := s.Deadline(t)
	out := make([]fakeupstream.Script, 0, len(specs))
	for i, steps := range specs {
		for j, st := range steps {
			if !slices.Contains(stepNames, st.Name) {
				return nil, fmt.Errorf("%s: script %d: step %d: unknown step %q", s.Source, i, j+1, st.Name)
			}
		}
		resolved := ResolveSteps(steps, t)
		for j, st := range resolved {
			if h, ok := st.(fakeupstream.Hang); ok && h.Max == 0 {
				resolved[j] = fakeupstream.Hang{Max: deadline + HangMargin}
			}
		}
		out = append(out, fakeupstream.Script{Steps: resolved})
	}
	return out, nil
}

// HangMargin is how much longer than the client an unbounded hang waits.
const HangMargin = 5 * time.Second

// Deadline is how long the client waits for the scenario before the outcome is hung:
// the scripts' own time (sleeps and drip pauses, main and follow-ups; a hang is a
// wait for the proxy and does not count), plus (connect + read timeout) for each of
// 1 + t.Retries attempts, plus 2s of slack.
func (s *Scenario) Deadline(t Timeouts) time.Duration {
	d := scriptTime(s.Upstream, t)
	for _, f := range s.FollowUps {
		d = addSat(d, scriptTime(f.Upstream, t))
	}
	perAttempt := addSat(max(t.Connect, 0), max(t.Read, 0))
	d = addSat(d, mulSat(perAttempt, 1+int64(max(t.Retries, 0))))
	return addSat(d, 2*time.Second)
}

// scriptTime is the time a script spends in its own pauses.
func scriptTime(steps []StepSpec, t Timeouts) time.Duration {
	var d time.Duration
	for _, s := range steps {
		switch s.Name {
		case "sleep":
			d = addSat(d, s.D.Resolve(t))
		case "drip":
			n := int64(len(s.Data))
			if s.Data == nil {
				n = s.N
			}
			size := int64(max(s.Size, 1))
			pauses := (n+size-1)/size - 1
			every := s.Every.Resolve(t)
			if pauses > 0 {
				d = addSat(d, mulSat(every, pauses))
			}
		}
	}
	return d
}

// addSat adds two non-negative durations, saturating at the largest Duration.
func addSat(a, b time.Duration) time.Duration {
	if b > 0 && a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// mulSat multiplies a non-negative duration by n > 0, saturating.
func mulSat(d time.Duration, n int64) time.Duration {
	if d > 0 && n > int64(math.MaxInt64/d) {
		return math.MaxInt64
	}
	return d * time.Duration(n)
}
