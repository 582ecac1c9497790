package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

var (
	idRE      = regexp.MustCompile(`^[a-z0-9-]+/[a-z0-9-]+$`)
	sectionRE = regexp.MustCompile(`^RFC (9110|9112) §[0-9]+(\.[0-9]+)*$`)
	tagRE     = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)
)

// topFields are the keys of a scenario document.
var topFields = []string{"id", "summary", "spec", "level", "tags", "endpoint", "request", "upstream",
	"expect", "follow_ups", "exclusive", "repeat", "examples"}

// followUpAnswer is the default follow-up upstream's response: a valid keep-alive
// 200 with a marker field and body.
const followUpAnswer = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nCache-Control: no-transform\r\n" +
	"X-Gatecheck: follow-up\r\nContent-Length: 17\r\n\r\nfollow-up answer\n"

// Parse reads the scenarios of one YAML file, one per document ("---" between
// them). name is the file name used in errors and in each Scenario's Source. Parsing
// is strict; every problem found is reported, each as "name:LINE: what is wrong"
// (an *Error), joined with newlines. On error Parse returns no scenarios.
func Parse(name string, data []byte) ([]*Scenario, error) {
	p := &parser{problems: problems{file: name}}
	if !p.checkText(data) {
		return nil, p.err()
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out []*Scenario
	ids := map[string]string{}
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line, msg := yamlProblem(err, data)
			p.add(line, "%s", msg)
			break
		}
		if len(doc.Content) == 0 {
			continue
		}
		root := deref(doc.Content[0])
		if root == nil || (root.Kind == yaml.ScalarNode && root.Tag == "!!null") {
			continue // an empty document, as after a trailing "---"
		}
		if !p.checkAliases(root) {
			continue
		}
		s := p.scenario(root)
		if s == nil {
			continue
		}
		if first, dup := ids[s.ID]; dup {
			p.add(root.Line, "duplicate id %q (first at %s)", s.ID, first)
		}
		ids[s.ID] = s.Source
		out = append(out, s)
	}
	if p.ok() && len(out) == 0 {
		p.add(1, "no scenario in file")
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return out, nil
}

// checkText reports what YAML cannot read at all, with the line: invalid UTF-8 and
// control characters.
func (p *parser) checkText(data []byte) bool {
	ok := true
	for line, i := 1, 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			p.add(line, `invalid UTF-8 byte 0x%02x (a YAML file is UTF-8 text; write bytes as \xHH in a single-quoted string)`, data[i])
			ok = false
		case r == '\n':
			line++
		case !(r == '\t' || r == '\r' || r >= 0x20 && r <= 0x7e || r == 0x85 || r >= 0xa0 && r <= 0xd7ff ||
			r >= 0xe000 && r <= 0xfffd || r >= 0x10000 && r <= 0x10ffff):
			p.add(line, `control character %U is not allowed in YAML (write it as \xHH in a single-quoted string)`, r)
			ok = false
		}
		i += size
	}
	return ok
}

// maxExpanded bounds the nodes of a document with its aliases expanded, so that a
// few aliases of aliases cannot make the loader walk billions of nodes.
const maxExpanded = 1 << 20

// checkAliases refuses a document that expands too far through aliases, or an
// alias inside the node it names.
func (p *parser) checkAliases(root *yaml.Node) bool {
	size := map[*yaml.Node]int{} // expanded size; -1 while being counted
	var count func(n *yaml.Node) (int, bool)
	count = func(n *yaml.Node) (int, bool) {
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			if size[n.Alias] == -1 {
				p.add(n.Line, "alias *%s refers to a node that contains it", clip(n.Value))
				return 0, false
			}
			return count(n.Alias)
		}
		if v, done := size[n]; done {
			return v, true
		}
		size[n] = -1
		total := 1
		for _, c := range n.Content {
			v, ok := count(c)
			if !ok {
				return 0, false
			}
			if total += v; total > maxExpanded {
				p.add(n.Line, "the document expands to more than %d nodes through aliases", maxExpanded)
				return 0, false
			}
		}
		size[n] = total
		return total, true
	}
	_, ok := count(root)
	return ok
}

var yamlLineRE = regexp.MustCompile(`^yaml: line ([0-9]+): (.*)$`)

// parserProblems are the messages of the YAML parser (not the scanner), whose line
// numbers the YAML library reports one too low.
var parserProblems = []string{
	"did not find expected ',' or ']'", "did not find expected ',' or '}'", "did not find expected '-' indicator",
	"did not find expected <document start>", "did not find expected <stream-start>", "did not find expected key",
	"did not find expected node content", "found duplicate %TAG directive", "found duplicate %YAML directive",
	"found incompatible YAML document", "found undefined tag handle",
}

// yamlProblem turns a YAML syntax error into a line and a message.
func yamlProblem(err error, data []byte) (int, string) {
	// At the end of the stream the YAML library counts one line more than the
	// file has; such problems are on the file's last line.
	last := max(bytes.Count(data, []byte("\n")), 1)
	if len(data) > 0 && data[len(data)-1] != '\n' {
		last++
	}
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		if slices.Contains(parserProblems, m[2]) {
			line++
		}
		return min(line, last), "yaml: " + m[2]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	line := 1
	// The YAML library names an unknown alias without its line; find it.
	var anchor string
	if _, e := fmt.Sscanf(msg, "unknown anchor %s referenced", &anchor); e == nil {
		anchor = strings.Trim(anchor, "'")
		if i := bytes.Index(data, []byte("*"+anchor)); i >= 0 {
			line = 1 + bytes.Count(data[:i], []byte("\n"))
		}
	}
	return line, "yaml: " + msg
}

// scenario reads one document.
func (p *parser) scenario(n *yaml.Node) *Scenario {
	if n.Kind != yaml.MappingNode {
		p.add(n.Line, "a scenario is a map of fields, got %s", describe(n))
		return nil
	}
	m := p.fields(n, "", topFields...)
	errsBefore := len(p.errs)
	p.require(n, m, "", "id", "summary", "spec", "level", "expect", "examples")
	s := &Scenario{
		Source:   fmt.Sprintf("%s:%d", p.file, n.Line),
		Endpoint: EndpointMain,
		Repeat:   1,
		Request:  Request{Method: "GET", Version: "HTTP/1.1"},
	}
	if v := m["id"]; v != nil {
		if id, ok := p.str(v, "id"); ok {
			if !idRE.MatchString(id) {
				p.add(v.Line, "id %q is not family/name with lowercase letters, digits and - in each part", clip(id))
			}
			s.ID = id
		}
	}
	if v := m["summary"]; v != nil {
		if sum, ok := p.str(v, "summary"); ok {
			s.Summary = strings.TrimSpace(sum)
			if s.Summary == "" || strings.ContainsAny(s.Summary, "\r\n") {
				p.add(v.Line, "summary: want one non-empty line")
			}
		}
	}
	if v := m["spec"]; v != nil {
		s.Spec = p.spec(v)
	}
	if v := m["level"]; v != nil {
		l, _ := p.word(v, "level", string(Must), string(Should), string(May))
		s.Level = Level(l)
	}
	if v := m["tags"]; v != nil {
		seen := map[string]bool{}
		s.Tags = p.strs(v, "tags", func(n *yaml.Node, t string) bool {
			switch {
			case !tagRE.MatchString(t):
				p.add(n.Line, "tags: %q is not a tag (lowercase letters, digits, ., _ and -)", clip(t))
			case seen[t]:
				p.add(n.Line, "tags: %q repeated", t)
			default:
				seen[t] = true
				return true
			}
			return false
		})
	}
	if v := m["endpoint"]; v != nil {
		e, _ := p.word(v, "endpoint", string(EndpointMain), string(EndpointRefused), string(EndpointConnectTimeout))
		if e != "" {
			s.Endpoint = Endpoint(e)
		}
	}
	if v := m["request"]; v != nil {
		s.Request = p.request(v, "request")
	}
	switch v := m["upstream"]; {
	case v == nil && s.Endpoint == EndpointMain:
		p.add(n.Line, "missing required field \"upstream\" (the script for endpoint main)")
	case v != nil && s.Endpoint != EndpointMain:
		p.add(p.lineOf(v), "upstream: endpoint %s has no upstream script (nothing accepts the connection)", s.Endpoint)
	case v != nil:
		s.Upstream = p.steps(v, "upstream", stepNames)
	}
	if v := m["expect"]; v != nil {
		s.Expect = p.expectation(v, "expect", false, marksOf(s.Upstream))
	}
	if v := m["follow_ups"]; v != nil {
		s.FollowUps = p.followUps(v)
	}
	if v := m["exclusive"]; v != nil {
		s.Exclusive, _ = p.boolean(v, "exclusive")
	}
	if v := m["repeat"]; v != nil {
		r, _ := p.integer(v, "repeat", 1, 50)
		s.Repeat = max(int(r), 1)
	}
	if v := m["examples"]; v != nil {
		s.Examples = p.examples(v, s)
	}
	if len(p.errs) > errsBefore {
		return nil
	}
	return s
}

// spec reads the citation.
func (p *parser) spec(n *yaml.Node) Spec {
	var sp Spec
	m := p.fields(n, "spec", "section", "also", "quote")
	if m == nil || !p.require(n, m, "spec", "section", "quote") {
		return sp
	}
	section := func(n *yaml.Node, what, s string) bool {
		if !sectionRE.MatchString(s) {
			p.addAt(n.Line, what, "%q is not of the form \"RFC 9110 §N.N\" or \"RFC 9112 §N.N\"", clip(s))
			return false
		}
		return true
	}
	if s, ok := p.str(m["section"], "spec: section"); ok && section(m["section"], "spec: section", s) {
		sp.Section = s
	}
	if v := m["also"]; v != nil {
		sp.Also = p.strs(v, "spec: also", func(n *yaml.Node, s string) bool { return section(n, "spec: also", s) })
	}
	if q, ok := p.str(m["quote"], "spec: quote"); ok {
		sp.Quote = strings.TrimSpace(q)
		if sp.Quote == "" {
			p.add(m["quote"].Line, "spec: quote: empty; quote the sentence the level rests on")
		}
	}
	return sp
}

// request reads a client request.
func (p *parser) request(n *yaml.Node, what string) Request {
	r := Request{Method: "GET", Version: "HTTP/1.1"}
	m := p.fields(n, what, "method", "version", "headers", "body", "body_bytes", "chunked", "expect_continue")
	if m == nil {
		return r
	}
	if v := m["method"]; v != nil {
		if s, ok := p.str(v, what+": method"); ok {
			if isToken(s) {
				r.Method = s
			} else {
				p.addAt(v.Line, what, "method: %q is not a token", clip(s))
			}
		}
	}
	if v := m["version"]; v != nil {
		if s, ok := p.word(v, what+": version", "HTTP/1.1", "HTTP/1.0"); ok {
			r.Version = s
		}
	}
	if v := m["headers"]; v != nil {
		r.Headers = p.strs(v, what+": headers", func(n *yaml.Node, h string) bool {
			name, _, found := strings.Cut(h, ":")
			if !found || !isToken(name) || strings.ContainsAny(h, "\r\n") {
				p.addAt(n.Line, what, "headers: %q is not one 'Name: value' field line", clip(h))
				return false
			}
			return true
		})
	}
	if v := m["body"]; v != nil {
		r.Body, _ = p.byteString(v, what+": body")
	}
	if v := m["body_bytes"]; v != nil {
		r.BodyBytes, _ = p.size(v, what+": body_bytes", 1)
		if m["body"] != nil {
			p.addAt(v.Line, what, "body and body_bytes both given; want one")
		}
	}
	if v := m["chunked"]; v != nil {
		r.Chunked, _ = p.boolean(v, what+": chunked")
	}
	if v := m["expect_continue"]; v != nil {
		r.ExpectContinue, _ = p.boolean(v, what+": expect_continue")
	}
	return r
}

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
			Connection: "new",
			Upstream: []StepSpec{
				{Name: "read", What: "request", Line: it.Line},
				{Name: "write", Data: []byte(followUpAnswer), Line: it.Line},
			},
			Expect: Expectation{Pass: []Alternative{{Outcome: "passthrough"}}},
		}
		m := p.fields(it, what, "connection", "request", "upstream", "expect")
		if m == nil {
			continue
		}
		if v := m["connection"]; v != nil {
			if c, ok := p.word(v, what+": connection", "new", "same"); ok {
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
	count := map[string]int{}
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
		e.Verdict, _ = p.word(m["verdict"], what+": verdict", verdicts...)
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
	if len(p.errs) == errsBefore && (count["pass"] == 0 || count["fail"] == 0) {
		p.add(p.lineOf(n), "examples: want at least one with verdict pass and one with verdict fail (got %d pass, %d fail)", count["pass"], count["fail"])
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
	case slices.Contains(failingOutcomes, e.Outcome) && e.Verdict != "fail":
		p.addAt(n.Line, what, "outcome %q always fails, not %s", e.Outcome, e.Verdict)
	case e.Verdict == "pass" && !listed(x.Pass, e.Outcome):
		p.addAt(n.Line, what, "outcome %q is not in expect.pass (%s)", e.Outcome, describeList(x.Pass))
	case e.Verdict == "non-strict" && !listed(x.NonStrict, e.Outcome):
		p.addAt(n.Line, what, "outcome %q is not in expect.non_strict (%s)", e.Outcome, describeList(x.NonStrict))
	case alone && e.Verdict != "pass" && listedBare(x.Pass, e.Outcome):
		p.addAt(n.Line, what, "outcome %q passes, not %s: expect.pass lists it without checks", e.Outcome, e.Verdict)
	case alone && e.Verdict == "fail" && listedBare(x.NonStrict, e.Outcome):
		p.addAt(n.Line, what, "outcome %q is non-strict, not fail: expect.non_strict lists it without checks", e.Outcome)
	}
}

// clientSteps reads an example's client answer and ends it with close unless it
// ends with close, reset or hang.
func (p *parser) clientSteps(n *yaml.Node, what string) []StepSpec {
	steps := p.steps(n, what, clientSteps)
	if len(steps) > 0 && !slices.Contains(endSteps, steps[len(steps)-1].Name) {
		steps = append(steps, StepSpec{Name: "close", Line: n.Line})
	}
	return steps
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
