package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

var (
	idRE      = regexp.MustCompile(`^[a-z0-9-]+/[a-z0-9-]+$`)
	sectionRE = regexp.MustCompile(`^RFC (9110|9112|9113) §[0-9]+(\.[0-9]+)*$`)
	tagRE     = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)
)

// topFields are the keys of a scenario document.
var topFields = []string{"id", "summary", "spec", "level", "tags", "endpoint", "request", "upstream",
	"expect", "follow_ups", "exclusive", "repeat", "timeouts", "examples", "clients", "client_expect", "h2_settings"}

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
	s.Clients = []Client{ClientH1, ClientH2}
	if v := m["clients"]; v != nil {
		s.Clients = p.clients(v)
	}
	if v := m["client_expect"]; v != nil {
		s.ClientExpect = p.clientExpect(v, s, marksOf(s.Upstream))
	}
	if v := m["h2_settings"]; v != nil {
		s.H2Settings = p.h2Settings(v, s)
	}
	if v := m["follow_ups"]; v != nil {
		s.FollowUps = p.followUps(v)
	}
	if v := m["exclusive"]; v != nil {
		s.Exclusive, _ = p.boolean(v, "exclusive")
	}
	if v := m["repeat"]; v != nil {
		r, _ := p.integer(v, "repeat", 1, 5000)
		s.Repeat = max(int(r), 1)
	}
	if v := m["timeouts"]; v != nil {
		s.Timeouts = p.timeouts(v)
	}
	if v := m["examples"]; v != nil {
		s.Examples = p.examples(v, s)
	}
	p.clientRules(n, m, s)
	if len(p.errs) > errsBefore {
		return nil
	}
	return s
}

// clients reads the clients list: protocols, each once.
func (p *parser) clients(n *yaml.Node) []Client {
	seen := map[string]bool{}
	out := p.strs(n, "clients", func(n *yaml.Node, c string) bool {
		if c == string(ClientH2TLS) {
			p.addAt(n.Line, "clients", "%q is a transport; clients name protocols, h1 or h2 (h2 runs over h2c and h2-tls alike)", c)
			return false
		}
		if _, ok := p.word(n, "clients", string(ClientH1), string(ClientH2)); !ok {
			return false
		}
		if seen[c] {
			p.addAt(n.Line, "clients", "%q repeated", c)
			return false
		}
		seen[c] = true
		return true
	})
	if len(out) == 0 {
		p.addAt(p.lineOf(n), "clients", "empty list: name h1, h2 or both")
	}
	cs := make([]Client, len(out))
	for i, c := range out {
		cs[i] = Client(c)
	}
	return cs
}

// clientExpect reads client_expect: a map from a protocol the scenario runs
// over to the expectation that replaces expect for it.
func (p *parser) clientExpect(n *yaml.Node, s *Scenario, marks []string) map[Client]Expectation {
	m := p.fields(n, "client_expect", string(ClientH1), string(ClientH2))
	if m == nil {
		return nil
	}
	out := map[Client]Expectation{}
	for _, c := range []Client{ClientH1, ClientH2} {
		v := m[string(c)]
		if v == nil {
			continue
		}
		if !slices.Contains(s.Clients, c) {
			p.add(v.Line, "client_expect: %s: the scenario does not run over %s (clients: %s)", c, c, ClientsText(s.Clients))
			continue
		}
		out[c] = p.expectation(v, "client_expect: "+string(c), false, marks)
	}
	return out
}

// h2Settings reads an HTTP/2 client's SETTINGS, each within RFC 9113
// §6.5.2's bounds.
func (p *parser) h2Settings(n *yaml.Node, s *Scenario) H2Settings {
	var h H2Settings
	if !slices.Contains(s.Clients, ClientH2) {
		p.add(n.Line, "h2_settings: the scenario does not run over h2 (clients: %s)", ClientsText(s.Clients))
		return h
	}
	m := p.fields(n, "h2_settings", "initial_window_size", "max_frame_size", "max_header_list_size", "header_table_size")
	for _, f := range []struct {
		key    string
		v      *uint32
		lo, hi int64
	}{
		{"initial_window_size", &h.InitialWindowSize, 1, 1<<31 - 1},
		{"max_frame_size", &h.MaxFrameSize, 1 << 14, 1<<24 - 1},
		{"max_header_list_size", &h.MaxHeaderListSize, 1, 1<<32 - 1},
		{"header_table_size", &h.HeaderTableSize, 1, 1<<32 - 1},
	} {
		if v := m[f.key]; v != nil {
			n, _ := p.integer(v, "h2_settings: "+f.key, f.lo, f.hi)
			*f.v = uint32(n)
		}
	}
	return h
}

// clientRules are the rules that join the clients list with the rest of the
// scenario: a check only an HTTP/2 client makes belongs where only HTTP/2
// clients are judged, and an HTTP/2 client cannot send an HTTP/1.x-only request.
func (p *parser) clientRules(n *yaml.Node, m map[string]*yaml.Node, s *Scenario) {
	h1Judged := slices.Contains(s.Clients, ClientH1) && s.ClientExpect[ClientH1].Pass == nil
	if h1Judged && hasHTTP2Checks(s.Expect) {
		p.add(m["expect"].Line, "expect: rst_code and end_stream are HTTP/2 checks, and the scenario runs over h1 too: put them in client_expect: h2, or set clients: [h2]")
	}
	if e, ok := s.ClientExpect[ClientH1]; ok && hasHTTP2Checks(e) {
		p.add(m["client_expect"].Line, "client_expect: h1: rst_code and end_stream are HTTP/2 checks")
	}
	for _, fu := range s.FollowUps {
		if slices.Contains(s.Clients, ClientH1) && hasHTTP2Checks(fu.Expect) {
			p.add(m["follow_ups"].Line, "follow_ups: rst_code and end_stream are HTTP/2 checks, and the scenario runs over h1 too: set clients: [h2]")
			break
		}
	}
	if !slices.Contains(s.Clients, ClientH2) {
		return
	}
	line := n.Line
	if v := m["request"]; v != nil {
		line = v.Line
	}
	reqs := []Request{s.Request}
	for _, fu := range s.FollowUps {
		reqs = append(reqs, fu.Request)
	}
	for _, r := range reqs {
		switch {
		case r.Version != "" && r.Version != "HTTP/1.1":
			p.add(line, "request: an %s request cannot go over HTTP/2: set clients: [h1]", r.Version)
			return
		case r.Chunked:
			p.add(line, "request: a chunked request body cannot go over HTTP/2 (RFC 9113 §8.2.2): set clients: [h1]")
			return
		}
	}
}

// hasHTTP2Checks reports whether an alternative of e carries an HTTP/2 check.
func hasHTTP2Checks(e Expectation) bool {
	for _, a := range append(slices.Clone(e.Pass), e.NonStrict...) {
		if a.HTTP2Only() {
			return true
		}
	}
	return false
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

// timeouts reads a scenario's own declared timeouts: connect and read, both
// plain positive Go durations ("1s"), not expressions.
func (p *parser) timeouts(n *yaml.Node) *Timeouts {
	m := p.fields(n, "timeouts", "connect", "read")
	if m == nil {
		return nil
	}
	ok := p.require(n, m, "timeouts", "connect", "read")
	t := &Timeouts{}
	for _, f := range []struct {
		key string
		d   *time.Duration
	}{{"connect", &t.Connect}, {"read", &t.Read}} {
		v := m[f.key]
		if v == nil {
			continue
		}
		d, err := time.ParseDuration(v.Value)
		if v.Kind != yaml.ScalarNode || v.Tag != "!!str" || err != nil || d <= 0 {
			p.add(v.Line, "timeouts: %s: want a positive duration such as 1s, got %s", f.key, describe(v))
			ok = false
			continue
		}
		*f.d = d
	}
	if !ok {
		return nil
	}
	return t
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
