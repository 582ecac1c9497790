package scenarios

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseDefaults(t *testing.T) {
	s := parseOne(t, doc("examples", examples("name: a, verdict: pass, client: [{write: 'x'}]")))
	checks := []struct {
		name      string
		got, want any
	}{
		{"Source", s.Source, "t.yaml:1"},
		{"Family", s.Family(), FamilyPass},
		{"Request.Method", s.Request.Method, "GET"},
		{"Request.Version", s.Request.Version, "HTTP/1.1"},
		{"Endpoint", s.Endpoint, EndpointMain},
		{"Repeat", s.Repeat, 1},
		{"Exclusive", s.Exclusive, false},
		{"Examples[0].Attempts", s.Examples[0].Attempts, 1},
		{"Examples[1].Attempts", s.Examples[1].Attempts, 1},
		// A client answer is kept as written: the fixture that plays it closes the
		// connection after it unless the next request rides that connection.
		{"Examples[0].Client", stepNamesOf(s.Examples[0].Client), "write"},
		{"Examples[1].Client", stepNamesOf(s.Examples[1].Client), "reset"},
		{"Expect.Pass", s.Expect.Pass, []Alternative{{Outcome: "passthrough"}}},
		{"Spec", s.Spec, Spec{Section: "RFC 9110 §7.7", Quote: "q"}},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: got %#v; want %#v", c.name, c.got, c.want)
		}
	}
}

func TestParseTimeouts(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want *Timeouts
	}{
		{"none", base, nil},
		{"flow map", doc("timeouts", "timeouts: {connect: 1s, read: 4s}"), &Timeouts{Connect: time.Second, Read: 4 * time.Second}},
		{"block map, read below connect", doc("timeouts", "timeouts:\n  read: 250ms\n  connect: 1.5s"),
			&Timeouts{Connect: 1500 * time.Millisecond, Read: 250 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseOne(t, tt.src).Timeouts; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v; want %+v", got, tt.want)
			}
		})
	}
}

func TestDeclaredTimeouts(t *testing.T) {
	run := Timeouts{Connect: 2 * time.Second, Read: 3 * time.Second, Retries: 2}
	tests := []struct {
		name string
		own  *Timeouts
		want Timeouts
	}{
		{"the run's", nil, run},
		{"its own, with the run's retries", &Timeouts{Connect: time.Second, Read: 4 * time.Second, Retries: 7},
			Timeouts{Connect: time.Second, Read: 4 * time.Second, Retries: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Scenario{Timeouts: tt.own}
			if got := s.DeclaredTimeouts(run); got != tt.want {
				t.Errorf("got %+v; want %+v", got, tt.want)
			}
		})
	}
}

func TestParseRefusedDefaults(t *testing.T) {
	s := parseOne(t, doc("upstream", "", "endpoint", "endpoint: refused"))
	if s.Endpoint != EndpointRefused || s.Upstream != nil {
		t.Errorf("got endpoint %q, %d steps; want refused, none", s.Endpoint, len(s.Upstream))
	}
	for _, e := range s.Examples {
		if e.Attempts != 0 {
			t.Errorf("example %q: got attempts %d; want 0 for the refused endpoint", e.Name, e.Attempts)
		}
	}
}

func TestParseFollowUpDefaults(t *testing.T) {
	s := parseOne(t, doc("follow_ups", "follow_ups: [{}, {connection: same, request: {method: HEAD}}]",
		"examples", examples("name: a, verdict: pass, client: [close], follow_ups: [{client: [close]}]")))
	if len(s.FollowUps) != 2 {
		t.Fatalf("got %d follow-ups; want 2", len(s.FollowUps))
	}
	f := s.FollowUps[0]
	if f.Connection != "new" || f.Request.Method != "GET" || f.Request.Version != "HTTP/1.1" {
		t.Errorf("got connection %q, %s %s; want new, GET HTTP/1.1", f.Connection, f.Request.Method, f.Request.Version)
	}
	if got, want := string(s.FollowUps[1].Connection)+" "+s.FollowUps[1].Request.Method, "same HEAD"; got != want {
		t.Errorf("got %q; want %q", got, want)
	}
	if !reflect.DeepEqual(f.Expect, Expectation{Pass: []Alternative{{Outcome: "passthrough"}}}) {
		t.Errorf("got expect %+v; want pass: [passthrough]", f.Expect)
	}
	want := "read(request) write(\"HTTP/1.1 200 OK\\r\\nContent-Type: text/plain\\r\\nCache-Control: no-transform\\r\\n" +
		"X-Gatecheck: follow-up\\r\\nContent-Length: 17\\r\\n\\r\\nfollow-up answer\\n\")"
	if got := describeSteps(f.Upstream); got != want {
		t.Errorf("got default follow-up script\n%s\nwant\n%s", got, want)
	}
	ef := s.Examples[0].FollowUps
	if len(ef) != 1 || ef[0].Attempts != 1 || ef[0].Reused {
		t.Errorf("got example follow-ups %+v; want one, attempts 1, not reused", ef)
	}
}

func TestParseSources(t *testing.T) {
	src := "# comment\n" + base + "---\n\n" + strings.Replace(base, "pass/x", "pass/y", 1) + "---\n"
	all, err := Parse("dir/t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range all {
		got = append(got, s.ID+"@"+s.Source)
	}
	if want := []string{"pass/x@dir/t.yaml:2", "pass/y@dir/t.yaml:13"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v; want %v", got, want)
	}
}

func TestParseFields(t *testing.T) {
	s := parseOne(t, doc(
		"id", "id: framing/invalid-content-length-plus-sign",
		"tags", "tags: [framing, content-length, http1.1]",
		"spec", "spec:\n  section: RFC 9112 §6.3\n  also: [RFC 9110 §8.6, RFC 9112 §8]\n  quote: >-\n    one\n    two\n",
		"request", "request:\n  method: POST\n  version: HTTP/1.0\n  headers: ['Accept: */*', 'X-A:']\n  body: 'a\\r\\n'\n  chunked: true\n  expect_continue: true",
		"exclusive", "exclusive: true",
		"repeat", "repeat: 50",
		"clients", "clients: [h1]",
	))
	want := Request{Method: "POST", Version: "HTTP/1.0", Headers: []string{"Accept: */*", "X-A:"},
		Body: []byte("a\r\n"), Chunked: true, ExpectContinue: true}
	if !reflect.DeepEqual(s.Request, want) {
		t.Errorf("got request %+v; want %+v", s.Request, want)
	}
	if got := s.Spec.String(); got != "RFC 9112 §6.3, RFC 9110 §8.6, RFC 9112 §8" {
		t.Errorf("got citation %q", got)
	}
	if s.Spec.Quote != "one two" {
		t.Errorf("got quote %q; want %q", s.Spec.Quote, "one two")
	}
	if !s.Exclusive || s.Repeat != 50 || len(s.Tags) != 3 {
		t.Errorf("got exclusive %v, repeat %d, tags %v", s.Exclusive, s.Repeat, s.Tags)
	}
	s = parseOne(t, doc("request", "request: {body_bytes: 64KiB}"))
	if s.Request.BodyBytes != 64<<10 {
		t.Errorf("got body_bytes %d; want %d", s.Request.BodyBytes, 64<<10)
	}
}

func TestParseClients(t *testing.T) {
	s := parseOne(t, base)
	if !reflect.DeepEqual(s.Clients, []Client{ClientH1, ClientH2}) || !s.RunsOn(ClientH2TLS) {
		t.Errorf("default clients %v", s.Clients)
	}
	s = parseOne(t, doc("clients", "clients: [h2]", "examples", h2Examples, "client_expect", `client_expect:
  h2: {pass: [{outcome: aborted, rst_code: [INTERNAL_ERROR, CANCEL], end_stream: false}]}`))
	if s.RunsOn(ClientH1) || !s.RunsOn(ClientH2) {
		t.Errorf("clients %v", s.Clients)
	}
	a := s.ExpectFor(ClientH2TLS).Pass[0]
	if a.Outcome != OutcomeAborted || !reflect.DeepEqual(a.RSTCode, []string{"INTERNAL_ERROR", "CANCEL"}) || a.EndStream == nil || *a.EndStream {
		t.Errorf("the h2 override: %+v", a)
	}
	if got := s.ExpectFor(ClientH1); !reflect.DeepEqual(got, s.Expect) {
		t.Errorf("h1 falls back to expect: %+v", got)
	}
}

// TestHTTP2ChecksNarrow: an outcome that rst_code or end_stream narrows in
// pass is not listed there without checks, so the same word may stand bare in
// non_strict and a non-strict example may name it.
func TestHTTP2ChecksNarrow(t *testing.T) {
	s := parseOne(t, doc("clients", "clients: [h2]",
		"expect", "expect: {pass: [{outcome: aborted, rst_code: INTERNAL_ERROR}], non_strict: [aborted]}",
		"examples", "examples: [{name: a, verdict: pass, outcome: aborted, h2: [reset]}, {name: b, verdict: non-strict, outcome: aborted, h2: [close]}, {name: c, verdict: fail, h2: [hang]}]"))
	if len(s.Examples) != 3 || s.Examples[1].Verdict != VerdictNonStrict {
		t.Errorf("examples %+v", s.Examples)
	}
}

func TestExpectationTyped(t *testing.T) {
	// The HTTP/2 checks, and what they are kept from: a case each of
	// clientRules and of parsing.
	for _, tc := range []struct{ name, src, want string }{
		{"h2 check judged on h1", doc("expect", "expect: {pass: [{outcome: aborted, rst_code: CANCEL}]}"), "rst_code and end_stream are HTTP/2 checks"},
		{"unknown code", doc("clients", "clients: [h2]", "expect", "expect: {pass: [{outcome: aborted, rst_code: CANCELLED}]}"), `"CANCELLED" is not`},
		{"a transport in clients", doc("clients", "clients: [h2-tls]"), "is a transport"},
		{"override for a client not run", doc("clients", "clients: [h1]", "client_expect", "client_expect: {h2: {pass: [aborted]}}"), "does not run over h2"},
		{"chunked request on h2", doc("request", "request: {method: POST, body: a, chunked: true}"), "chunked request body cannot go over HTTP/2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(tc.src))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v; want an error with %q", err, tc.want)
			}
		})
	}
}

func TestParseExpectation(t *testing.T) {
	s := parseOne(t, doc(
		"expect", `expect:
  pass:
    - "502"
    - 503
    - outcome: passthrough
      interim: forwarded
      attempts: 1
      field:
        - {name: X-Int, absent: true}
        - {name: Connection, present: true}
        - {name: Content-Length, equals: 5}
        - {name: Set-Cookie, count: 2}
        - {name: X-T, equals: 'a, b', in: trailers}
      within: promptly
    - outcome: aborted
      attempts: {min: 1, max: 2}
      within: {limit: read_timeout + 1s, event: first-body-byte, after: first}
  non_strict: [5xx, dropped]
  repair: {field: X-A, value: v}
  checked_fields: [ETag]`,
		"upstream", "upstream: [read, mark: first, {write: 'x'}]"))
	five, two := "5", 2
	ab := "a, b"
	e := s.Expect
	if got := len(e.Pass); got != 4 {
		t.Fatalf("got %d pass alternatives; want 4", got)
	}
	if e.Pass[0].Outcome != "502" || e.Pass[1].Outcome != "503" {
		t.Errorf("got outcomes %q, %q; want 502, 503", e.Pass[0].Outcome, e.Pass[1].Outcome)
	}
	p := e.Pass[2]
	if p.Outcome != "passthrough" || p.Interim != "forwarded" || *p.Attempts != (Range{1, 1}) {
		t.Errorf("got %+v", p)
	}
	wantFields := []FieldCheck{
		{Name: "X-Int", In: "head", Absent: true},
		{Name: "Connection", In: "head", Present: true},
		{Name: "Content-Length", In: "head", Equals: &five},
		{Name: "Set-Cookie", In: "head", Count: &two},
		{Name: "X-T", In: "trailers", Equals: &ab},
	}
	if !reflect.DeepEqual(p.Fields, wantFields) {
		t.Errorf("got fields %+v; want %+v", p.Fields, wantFields)
	}
	if w := p.Within; w.Limit.String() != "promptly" || w.Event != "complete" || w.After != "last-byte" {
		t.Errorf("got within %s %s %s; want promptly complete last-byte", w.Limit, w.Event, w.After)
	}
	a := e.Pass[3]
	if *a.Attempts != (Range{1, 2}) || a.Within.Limit.String() != "read_timeout + 1s" || a.Within.Event != "first-body-byte" || a.Within.After != "first" {
		t.Errorf("got %+v within %+v", a, a.Within)
	}
	if got := a.Within.Limit.Resolve(Timeouts{Read: 2 * time.Second}); got != 3*time.Second {
		t.Errorf("got limit %v; want 3s", got)
	}
	if len(e.NonStrict) != 2 || e.NonStrict[0].Outcome != "5xx" || e.NonStrict[1].Outcome != "dropped" {
		t.Errorf("got non_strict %+v", e.NonStrict)
	}
	if *e.Repair != (Repair{Field: "X-A", Value: "v"}) || !reflect.DeepEqual(e.CheckedFields, []string{"ETag"}) {
		t.Errorf("got repair %+v, checked %v", e.Repair, e.CheckedFields)
	}
}

func TestParseFollowUpChecks(t *testing.T) {
	s := parseOne(t, doc("follow_ups", `follow_ups:
  - connection: same
    upstream: [read, mark: m, {write: 'x'}]
    expect:
      pass: [{outcome: passthrough, reuse: allowed, within: {limit: 1s, after: m}}]
      non_strict: [{outcome: passthrough, reuse: never}]`))
	f := s.FollowUps[0]
	if f.Expect.Pass[0].Reuse != "allowed" || f.Expect.NonStrict[0].Reuse != "never" || f.Expect.Pass[0].Within.After != "m" {
		t.Errorf("got %+v", f.Expect)
	}
}

func TestParseAliases(t *testing.T) {
	s := parseOne(t, doc("upstream", "upstream:\n  - read\n  - write: *head",
		"examples", "examples:\n  - {name: a, verdict: pass, client: [write: &head 'HTTP/1.1 200 OK\\r\\n\\r\\n']}\n  - {name: b, verdict: fail, client: [reset]}"))
	if got, want := string(s.Upstream[1].Data), "HTTP/1.1 200 OK\r\n\r\n"; got != want {
		t.Errorf("got %q; want %q", got, want)
	}
	// An alias to a node that contains it must not loop.
	if got, want := parseErr(t, doc("tags", "tags: &t [*t]")), "t.yaml:10: alias *t refers to a node that contains it"; got != want {
		t.Errorf("got %s; want %s", got, want)
	}
}

// TestParseAliasBomb checks that aliases of aliases cannot make Parse walk an
// exponential number of nodes.
func TestParseAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("x0: &a0 [read, read, read, read, read, read, read, read, read, read]\n")
	for i := 1; i < 9; i++ {
		fmt.Fprintf(&b, "x%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	b.WriteString("upstream: *a8\n")
	start := time.Now()
	got := parseErr(t, b.String())
	if want := "t.yaml:6: the document expands to more than 1048576 nodes through aliases"; got != want {
		t.Errorf("got %s; want %s", got, want)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v; want well under 5s", d)
	}
}

// TestReadmeExample parses the complete example of README.md, so that the
// documentation cannot drift from the loader.
func TestReadmeExample(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(readme), "## A complete example\n\n```yaml\n")
	block, _, found := strings.Cut(rest, "```")
	if !found {
		t.Fatal("README.md: no yaml block after \"## A complete example\"")
	}
	all, err := Parse("README.md", []byte(block))
	if err != nil {
		t.Fatal(err)
	}
	s := all[0]
	if s.ID != "body/truncated-content-length" || s.Level != Must || len(s.Examples) != 4 || s.Examples[2].Protocol() != ClientH2 {
		t.Errorf("got %s %s with %d examples", s.ID, s.Level, len(s.Examples))
	}
	if got, want := describeSteps(s.Upstream), `read(request) write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nCache-Control: no-transform\r\nContent-Length: 100\r\n\r\n") body(10) close`; got != want {
		t.Errorf("got script\n%s\nwant\n%s", got, want)
	}
}

func stepNamesOf(steps []StepSpec) string {
	var names []string
	for _, s := range steps {
		names = append(names, s.Name)
	}
	return strings.Join(names, " ")
}

// TestExampleOutcomes checks outcome and verdict pairs the loader accepts.
func TestExampleOutcomes(t *testing.T) {
	tests := []struct{ name, pairs string }{
		{"a checked pass outcome can fail", "expect: {pass: [{outcome: \"502\", attempts: 1}]}\nexamples:\n" +
			"  - {name: a, verdict: pass, outcome: \"502\", client: [close]}\n  - {name: b, verdict: fail, outcome: \"502\", attempts: 2, client: [close]}"},
		{"follow-ups can fail a passing outcome", "follow_ups: [{}]\nexamples:\n" +
			"  - {name: a, verdict: pass, outcome: passthrough, client: [close]}\n  - {name: b, verdict: fail, outcome: passthrough, client: [close]}"},
		{"always-failing outcomes fail", "examples:\n  - {name: a, verdict: pass, client: [close]}\n  - {name: b, verdict: fail, outcome: hung, client: [hang]}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := doc("expect", "", "examples", "") + tt.pairs + "\n"
			if !strings.Contains(tt.pairs, "expect:") {
				src += "expect: {pass: [passthrough]}\n"
			}
			parseOne(t, src)
		})
	}
}
