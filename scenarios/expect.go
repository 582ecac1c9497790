package scenarios

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// checkNames are the keys of an alternative written as a map: the outcome and the
// glossary's closed list of checks.
var checkNames = []string{"outcome", "interim", "attempts", "reuse", "method", "field", "within", "rst_code", "end_stream"}

// H2ErrorCodes are the error codes of RFC 9113 §7, by name, as rst_code
// checks name them.
var H2ErrorCodes = []string{"NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT",
	"STREAM_CLOSED", "FRAME_SIZE_ERROR", "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR", "CONNECT_ERROR",
	"ENHANCE_YOUR_CALM", "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED"}

// maxAttempts bounds attempt counts in checks and examples.
const maxAttempts = 1000

// word reads one of the words of a typed vocabulary.
func word[W ~string](p *parser, n *yaml.Node, what string, words ...W) (W, bool) {
	plain := make([]string, len(words))
	for i, w := range words {
		plain[i] = string(w)
	}
	s, ok := p.word(n, what, plain...)
	return W(s), ok
}

// strs are words as plain strings, for messages.
func strs[W ~string](words []W) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = string(w)
	}
	return out
}

// outcome reads an outcome word. With listed false (examples), the always-failing
// outcomes are allowed too.
func (p *parser) outcome(n *yaml.Node, what string, listed bool) (Outcome, bool) {
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!str" && n.Tag != "!!int") {
		p.addAt(n.Line, what, "want an outcome word, got %s", describe(n))
		return "", false
	}
	w := Outcome(n.Value)
	switch {
	case slices.Contains(listable, w) || w.IsStatus():
		return w, true
	case w.AlwaysFails() && listed:
		p.addAt(n.Line, what, "outcome %q always fails; it cannot be listed", w)
		return "", false
	case w.AlwaysFails():
		return w, true
	}
	p.addAt(n.Line, what, "unknown outcome %q (want %s, or a status 100-599)%s",
		clip(string(w)), oneOf(strs(listable)), didYouMean(string(w), strs(append(slices.Clone(listable), alwaysFailing...))))
	return "", false
}

// expectation reads an expect map. followUp allows the reuse check; marks are the
// mark names of the request's script, for within.after.
func (p *parser) expectation(n *yaml.Node, what string, followUp bool, marks []string) Expectation {
	var e Expectation
	m := p.fields(n, what, "pass", "non_strict", "repair", "checked_fields")
	if m == nil || !p.require(n, m, what, "pass") {
		return e
	}
	if r := m["repair"]; r != nil {
		e.Repair = &Repair{} // even when broken, so that "repaired" is not reported too
		rm := p.fields(r, what+": repair", "field", "value")
		if rm != nil && p.require(r, rm, what+": repair", "field") {
			if f, ok := p.str(rm["field"], what+": repair: field"); ok && p.fieldName(rm["field"], what+": repair: field", f) {
				e.Repair.Field = f
			}
			if v := rm["value"]; v != nil {
				e.Repair.Value, _ = p.text(v, what+": repair: value")
			}
		}
	}
	if c := m["checked_fields"]; c != nil {
		seen := map[string]bool{}
		e.CheckedFields = p.strs(c, what+": checked_fields", func(n *yaml.Node, s string) bool {
			if !p.fieldName(n, what+": checked_fields", s) {
				return false
			}
			if seen[strings.ToLower(s)] {
				p.addAt(n.Line, what, "checked_fields: %q repeated", s)
				return false
			}
			seen[strings.ToLower(s)] = true
			return true
		})
	}
	bare := map[Outcome]string{} // outcome without checks -> list it is in
	if pn := m["pass"]; pn.Kind == yaml.SequenceNode && len(pn.Content) == 0 {
		p.addAt(p.lineOf(pn), what, "pass: empty; name at least one outcome")
	}
	e.Pass = p.alternatives(m["pass"], what+": pass", followUp, marks, e.Repair, bare)
	if ns := m["non_strict"]; ns != nil {
		e.NonStrict = p.alternatives(ns, what+": non_strict", followUp, marks, e.Repair, bare)
	}
	return e
}

// alternatives reads a pass or non_strict list.
func (p *parser) alternatives(n *yaml.Node, what string, followUp bool, marks []string, repair *Repair, bare map[Outcome]string) []Alternative {
	items, ok := p.list(n, what)
	if !ok {
		return nil
	}
	var out []Alternative
	for _, it := range items {
		a, ok := p.alternative(it, what, followUp, marks)
		if !ok {
			continue
		}
		if a.Outcome == OutcomeRepaired && repair == nil {
			p.addAt(it.Line, what, "outcome repaired needs expect.repair (the field and its repaired value)")
			continue
		}
		if it.Kind == yaml.ScalarNode {
			if first, dup := bare[a.Outcome]; dup {
				p.addAt(it.Line, what, "outcome %q is already in %s", a.Outcome, first)
				continue
			}
			bare[a.Outcome] = what
		}
		out = append(out, a)
	}
	return out
}

// alternative reads an outcome word, or a map of an outcome and checks.
func (p *parser) alternative(n *yaml.Node, what string, followUp bool, marks []string) (Alternative, bool) {
	var a Alternative
	if n.Kind != yaml.MappingNode {
		var ok bool
		a.Outcome, ok = p.outcome(n, what, true)
		return a, ok
	}
	m := p.keys(n, what, "check", checkNames)
	if m == nil || !p.require(n, m, what, "outcome") {
		return a, false
	}
	ok := true
	var good bool
	if a.Outcome, good = p.outcome(m["outcome"], what, true); !good {
		ok = false
	}
	if v := m["interim"]; v != nil {
		if a.Interim, good = word(p, v, what+": interim", InterimForwarded, InterimNone); !good {
			ok = false
		}
	}
	if v := m["attempts"]; v != nil {
		if a.Attempts, good = p.attempts(v, what+": attempts"); !good {
			ok = false
		}
	}
	if v := m["reuse"]; v != nil {
		if !followUp {
			p.addAt(v.Line, what, "reuse is a check for follow-ups only (whether one rode the main request's upstream connection)")
			ok = false
		} else if a.Reuse, good = word(p, v, what+": reuse", ReuseNever, ReuseAllowed); !good {
			ok = false
		}
	}
	if v := m["method"]; v != nil {
		if s, sOK := p.str(v, what+": method"); !sOK {
			ok = false
		} else if !isToken(s) {
			p.addAt(v.Line, what, "method: %q is not a method (a token)", clip(s))
			ok = false
		} else {
			a.Method = s
		}
	}
	if v := m["field"]; v != nil {
		if a.Fields, good = p.fieldChecks(v, what+": field"); !good {
			ok = false
		}
	}
	if v := m["within"]; v != nil {
		if a.Within, good = p.within(v, what+": within", marks); !good {
			ok = false
		}
	}
	if v := m["rst_code"]; v != nil {
		var codes []string
		if v.Kind == yaml.SequenceNode {
			codes = p.strs(v, what+": rst_code", func(n *yaml.Node, c string) bool {
				_, good := p.word(n, what+": rst_code", H2ErrorCodes...)
				return good
			})
			if len(codes) == 0 {
				p.addAt(p.lineOf(v), what, "rst_code: empty list")
				ok = false
			}
		} else if c, good := p.word(v, what+": rst_code", H2ErrorCodes...); good {
			codes = []string{c}
		}
		if len(codes) == 0 {
			ok = false
		}
		a.RSTCode = codes
	}
	if v := m["end_stream"]; v != nil {
		if b, good := p.boolean(v, what+": end_stream"); good {
			a.EndStream = &b
		} else {
			ok = false
		}
	}
	return a, ok
}

// attempts reads attempts: N or attempts: {min: N, max: M}.
func (p *parser) attempts(n *yaml.Node, what string) (*Range, bool) {
	if n.Kind != yaml.MappingNode {
		v, ok := p.integer(n, what, 0, maxAttempts)
		return &Range{Min: int(v), Max: int(v)}, ok
	}
	m := p.fields(n, what, "min", "max")
	if m == nil || !p.require(n, m, what, "min", "max") {
		return nil, false
	}
	lo, ok1 := p.integer(m["min"], what+": min", 0, maxAttempts)
	hi, ok2 := p.integer(m["max"], what+": max", 0, maxAttempts)
	if ok1 && ok2 && lo > hi {
		p.addAt(n.Line, what, "min %d is above max %d", lo, hi)
		return nil, false
	}
	return &Range{Min: int(lo), Max: int(hi)}, ok1 && ok2
}

// fieldChecks reads a list of {name, absent|present|equals|count|lacks, in}.
func (p *parser) fieldChecks(n *yaml.Node, what string) ([]FieldCheck, bool) {
	items, ok := p.list(n, what)
	if !ok {
		return nil, false
	}
	if len(items) == 0 {
		p.addAt(p.lineOf(n), what, "empty list")
		return nil, false
	}
	out := make([]FieldCheck, 0, len(items))
	for _, it := range items {
		m := p.fields(it, what, "name", "absent", "present", "equals", "count", "lacks", "in")
		if m == nil || !p.require(it, m, what, "name") {
			ok = false
			continue
		}
		c := FieldCheck{In: SectionHead}
		good := true
		if name, nameOK := p.str(m["name"], what+": name"); nameOK && p.fieldName(m["name"], what+": name", name) {
			c.Name = name
		} else {
			good = false
		}
		var given []string
		for _, k := range []string{"absent", "present", "equals", "count", "lacks"} {
			if m[k] != nil {
				given = append(given, k)
			}
		}
		if len(given) != 1 {
			p.addAt(it.Line, what, "want exactly one of absent, present, equals, count, lacks; got %d", len(given))
			ok = false
			continue
		}
		switch v := m[given[0]]; given[0] {
		case "absent", "present":
			b, bOK := p.boolean(v, what+": "+given[0])
			if bOK && !b {
				p.addAt(v.Line, what, "%s: false checks nothing; drop it or write true", given[0])
				bOK = false
			}
			c.Absent, c.Present = given[0] == "absent", given[0] == "present"
			good = good && bOK
		case "equals":
			s, sOK := p.text(v, what+": equals")
			c.Equals = &s
			good = good && sOK
		case "count":
			cnt, cOK := p.integer(v, what+": count", 0, 100000)
			k := int(cnt)
			c.Count = &k
			good = good && cOK
		case "lacks":
			s, sOK := p.str(v, what+": lacks")
			if sOK && !isToken(s) {
				p.addAt(v.Line, what, "lacks: %q is not a list element (a token)", clip(s))
				sOK = false
			}
			c.Lacks = s
			good = good && sOK
		}
		if in := m["in"]; in != nil {
			var inOK bool
			c.In, inOK = word(p, in, what+": in", SectionHead, SectionTrailers)
			good = good && inOK
		}
		if good {
			out = append(out, c)
		} else {
			ok = false
		}
	}
	return out, ok
}

// within reads within: <duration> or {limit, event, after}.
func (p *parser) within(n *yaml.Node, what string, marks []string) (*Within, bool) {
	w := &Within{Event: EventComplete, After: AnchorLastByte}
	if n.Kind != yaml.MappingNode {
		var ok bool
		w.Limit, ok = p.duration(n, what)
		return w, ok
	}
	m := p.fields(n, what, "limit", "event", "after")
	if m == nil || !p.require(n, m, what, "limit") {
		return nil, false
	}
	ok := true
	var good bool
	if w.Limit, good = p.duration(m["limit"], what+": limit"); !good {
		ok = false
	}
	if v := m["event"]; v != nil {
		if w.Event, good = word(p, v, what+": event", EventComplete, EventHead, EventFirstBodyByte); !good {
			ok = false
		}
	}
	if v := m["after"]; v != nil {
		s, good := p.str(v, what+": after")
		switch {
		case !good:
			ok = false
		case s != AnchorLastByte && !slices.Contains(marks, s):
			p.addAt(v.Line, what, "after: %q is neither last-byte nor a mark step of this request's script%s",
				clip(s), didYouMean(s, append([]string{AnchorLastByte}, marks...)))
			ok = false
		default:
			w.After = s
		}
	}
	return w, ok
}

// text reads a scalar written as a string or an integer, as its text.
func (p *parser) text(n *yaml.Node, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!str" && n.Tag != "!!int") {
		p.addAt(n.Line, what, "want a string, got %s", describe(n))
		return "", false
	}
	return n.Value, true
}

// fieldName checks that s is a field name (an HTTP token).
func (p *parser) fieldName(n *yaml.Node, what, s string) bool {
	if !isToken(s) {
		p.addAt(n.Line, what, "%q is not a field name", clip(s))
		return false
	}
	return true
}

// isToken reports whether s is an HTTP token (RFC 9110 §5.6.2).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// marksOf lists the mark names of a script.
func marksOf(steps []StepSpec) []string {
	var out []string
	for _, s := range steps {
		if s.Name == "mark" {
			out = append(out, s.Mark)
		}
	}
	return out
}

// verdicts an example may declare.
var verdicts = []Verdict{VerdictPass, VerdictNonStrict, VerdictFail}

// listed reports whether outcome is named (with or without checks) in alts.
func listed(alts []Alternative, outcome Outcome) bool {
	for _, a := range alts {
		if a.Outcome == outcome {
			return true
		}
	}
	return false
}

// listedBare reports whether outcome is named without checks in alts.
func listedBare(alts []Alternative, outcome Outcome) bool {
	for _, a := range alts {
		if a.Outcome == outcome && a.Interim == "" && a.Attempts == nil && a.Reuse == "" && a.Method == "" && a.Fields == nil && a.Within == nil && !a.HTTP2Only() {
			return true
		}
	}
	return false
}

// describeList is "a, b or c" of the outcomes in alts, for messages.
func describeList(alts []Alternative) string {
	var words []string
	for _, a := range alts {
		if w := fmt.Sprintf("%q", a.Outcome); !slices.Contains(words, w) {
			words = append(words, w)
		}
	}
	if len(words) == 0 {
		return "nothing"
	}
	return oneOf(words)
}
