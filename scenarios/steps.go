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

// stepNames are the steps of a script, as written in YAML: every step, in the
// registry's order.
var stepNames = func() []string {
	var names []string
	for _, k := range fakeupstream.Kinds() {
		names = append(names, k.Name)
	}
	return names
}()

// clientSteps are the steps an example's client answer may use, listed as an
// answer is written: the steps that write, then the pauses, then the ends.
var clientSteps = func() []string {
	var writes, pauses, ends []string
	for _, k := range fakeupstream.Kinds() {
		switch {
		case !k.Client:
		case k.Writes:
			writes = append(writes, k.Name)
		case k.Ends:
			ends = append(ends, k.Name)
		default:
			pauses = append(pauses, k.Name)
		}
	}
	return slices.Concat(writes, pauses, ends)
}()

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
	ended, endedBy := 0, ""
	shut, shutBy := 0, ""
	marks := map[string]int{}
	for i, it := range items {
		where := fmt.Sprintf("%sstep %d", prefix, i+1)
		s, k, ok := p.step(it, where, allowed)
		if !ok {
			continue
		}
		switch {
		case ended > 0:
			p.add(it.Line, "%s: unreachable: step %d (%s) has already ended the connection", where, ended, endedBy)
		case shut > 0 && k.Writes:
			p.add(it.Line, "%s: %s after %s (step %d): the write side is already shut", where, s.Name, shutBy, shut)
		}
		if k.Ends && ended == 0 {
			ended, endedBy = i+1, s.Name
		}
		if k.ShutsWrite && shut == 0 {
			shut, shutBy = i+1, s.Name
		}
		if k.Takes(fakeupstream.FieldLabel) {
			if first, dup := marks[s.Mark]; dup {
				p.add(it.Line, "%s: mark %q repeated (first at step %d)", where, s.Mark, first)
			}
			marks[s.Mark] = i + 1
		}
		out = append(out, s)
	}
	return out
}

// step reads one step, a bare word or a one-key map, by its kind's Form.
func (p *parser) step(n *yaml.Node, where string, allowed []string) (StepSpec, *fakeupstream.Kind, bool) {
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
		return StepSpec{}, nil, false
	default:
		p.add(n.Line, "%s: want a step name or a one-key map, got %s", where, describe(n))
		return StepSpec{}, nil, false
	}
	k, err := fakeupstream.KindNamed(name)
	if err != nil {
		hint := didYouMean(name, allowed)
		if hint == "" {
			hint = " (want " + oneOf(allowed) + ")"
		}
		p.add(n.Line, "%s: unknown step %q%s", where, clip(name), hint)
		return StepSpec{}, nil, false
	}
	if !slices.Contains(allowed, name) {
		p.add(n.Line, "%s: %s is not allowed here (want %s)", where, name, oneOf(allowed))
		return StepSpec{}, nil, false
	}
	f := k.Form
	d := f.Default
	s := StepSpec{Name: name, What: d.What, Data: d.Data, N: d.N, ChunkSize: d.ChunkSize, Size: d.Size, Mark: d.Label, Line: n.Line}
	what := where + ": " + name
	if val == nil || (val.Kind == yaml.ScalarNode && val.Tag == "!!null") {
		switch {
		case !f.Bare:
			p.addAt(n.Line, what, "missing value, as in %s", f.Usage)
		case val != nil && f.Colon != "":
			p.addAt(n.Line, what, "%s", f.Colon)
		case val != nil:
			p.addAt(n.Line, what, "write it as a bare word, without a colon")
		default:
			return s, k, true
		}
		return s, k, false
	}
	switch {
	case f.Value == nil && f.Fields == nil:
		p.addAt(val.Line, what, "takes no value; write it as a bare word")
		return s, k, false
	case f.Fields != nil && (f.Value == nil || val.Kind == yaml.MappingNode):
		return s, k, p.stepFields(val, what, f, &s)
	}
	return s, k, p.stepArg(val, what, *f.Value, &s)
}

// stepFields reads a step's value that is a map of f's Fields.
func (p *parser) stepFields(n *yaml.Node, what string, f fakeupstream.Form, s *StepSpec) bool {
	var keys, required []string
	for _, a := range f.Fields {
		keys = append(keys, a.Key)
		if a.Required {
			required = append(required, a.Key)
		}
	}
	m := p.fields(n, what, keys...)
	if m == nil || !p.require(n, m, what, required...) {
		return false
	}
	if a, b := f.OneOf[0], f.OneOf[1]; a != "" {
		switch {
		case m[a] != nil && m[b] != nil:
			p.addAt(n.Line, what, "%s and %s both given; want one", a, b)
			return false
		case m[a] == nil && m[b] == nil:
			p.addAt(n.Line, what, "missing %s or %s", a, b)
			return false
		}
	}
	ok := true
	for _, a := range f.Fields {
		v := m[a.Key]
		if v == nil {
			continue
		}
		if !p.stepArg(v, what+": "+a.Key, a, s) {
			// The map is the Value with options: these need a good value.
			if f.Value != nil && a.Field == f.Value.Field {
				return false
			}
			ok = false
		}
	}
	return ok
}

// stepArg reads one argument of a step into s, as its field says.
func (p *parser) stepArg(n *yaml.Node, what string, a fakeupstream.Arg, s *StepSpec) bool {
	var ok bool
	switch a.Field {
	case fakeupstream.FieldWhat:
		s.What, ok = p.word(n, what, a.Words...)
	case fakeupstream.FieldData:
		s.Data, ok = p.byteString(n, what)
		if ok && len(s.Data) == 0 && a.Empty != "" {
			p.addAt(n.Line, what, "%s", a.Empty)
			ok = false
		}
	case fakeupstream.FieldN:
		s.N, ok = p.size(n, what, 1)
	case fakeupstream.FieldChunkSize:
		var v int64
		v, ok = p.size(n, what, 1)
		s.ChunkSize = int(v)
	case fakeupstream.FieldSize:
		var v int64
		v, ok = p.size(n, what, 1)
		s.Size = int(v)
	case fakeupstream.FieldD:
		s.D, ok = p.duration(n, what)
	case fakeupstream.FieldEvery:
		s.Every, ok = p.duration(n, what)
	case fakeupstream.FieldLabel:
		s.Mark, ok = p.str(n, what)
		if ok && (!markRE.MatchString(s.Mark) || s.Mark == "last-byte") {
			p.addAt(n.Line, what, "%q is not a mark name (lowercase letters, digits, - and _; not last-byte)", clip(s.Mark))
			ok = false
		}
	default:
		panic(fmt.Sprintf("scenarios: step %s: argument %q sets field %d, which no scenario file writes", s.Name, a.Key, a.Field))
	}
	return ok
}

// args are the step's arguments, its durations resolved against t.
func (s StepSpec) args(t Timeouts) fakeupstream.Args {
	return fakeupstream.Args{What: s.What, Data: s.Data, N: s.N, ChunkSize: s.ChunkSize, Size: s.Size,
		D: s.D.Resolve(t), Every: s.Every.Resolve(t), Label: s.Mark}
}

// ResolveSteps turns written steps into fake-upstream steps, resolving durations
// against t. It is used for upstream scripts and for examples' client answers. Steps
// with an unknown name are left out (the loader never makes them; Scripts reports
// them).
func ResolveSteps(steps []StepSpec, t Timeouts) []fakeupstream.Step {
	out := make([]fakeupstream.Step, 0, len(steps))
	for _, s := range steps {
		if k, err := fakeupstream.KindNamed(s.Name); err == nil {
			out = append(out, k.New(s.args(t)))
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
			if _, err := fakeupstream.KindNamed(st.Name); err != nil {
				return nil, fmt.Errorf("%s: script %d: step %d: %w", s.Source, i, j+1, err)
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

// scriptTime is the time a script spends in its own pauses: those of the
// steps whose kind has a Pause.
func scriptTime(steps []StepSpec, t Timeouts) time.Duration {
	var d time.Duration
	for _, s := range steps {
		if k, err := fakeupstream.KindNamed(s.Name); err == nil && k.Pause != nil {
			d = addSat(d, k.Pause(s.args(t)))
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
