// Package scenarios holds the catalogue of upstream failures and the strict loader
// for the YAML format the catalogue and users' own scenarios are written in. A
// Scenario is data: what the client sends, what the fake upstream plays, and which
// outcomes pass. Results are separate values in package harness.
//
// The glossary's words are typed here, once, for every package above
// (vocabulary.go): verdicts with their grading rank and marks, outcomes,
// families, the words of the checks, and the one format of outcome counts.
//
// scenarios must never import harness, judge or wire: they are built on it.
package scenarios

import (
	"fmt"
	"slices"
	"time"

	"github.com/gatecheck/gatecheck/fakeupstream"
)

// Level says what a scenario's failing outcomes violate (CATALOGUE.md glossary).
type Level string

// The three levels.
const (
	Must   Level = "must"
	Should Level = "should"
	May    Level = "may"
)

// Endpoint names which fake-upstream address the proxy forwards the main request to.
type Endpoint string

// The three endpoints; see fakeupstream.Endpoints.
const (
	EndpointMain           Endpoint = "main"
	EndpointRefused        Endpoint = "refused"
	EndpointConnectTimeout Endpoint = "connect-timeout"
)

// Timeouts are a target's declared upstream timeouts. Durations in a scenario may be
// written relative to them ("read_timeout + 500ms").
type Timeouts struct {
	Connect time.Duration `json:"connect"`
	Read    time.Duration `json:"read"`
	Retries int           `json:"retries"`
}

// String is the timeouts in words, as reports show them: "connect 1s, read 1s,
// 0 retries".
func (t Timeouts) String() string {
	retries := "retries"
	if t.Retries == 1 {
		retries = "retry"
	}
	return fmt.Sprintf("connect %s, read %s, %d %s", t.Connect, t.Read, t.Retries, retries)
}

// DefaultTimeouts are the declared timeouts unless a target or flag says otherwise:
// connect 1s, read 1s, no retries.
func DefaultTimeouts() Timeouts {
	return Timeouts{Connect: time.Second, Read: time.Second}
}

// DeclaredTimeouts are the declared timeouts s runs with on a target declared
// with t: the scenario's own connect and read timeouts when it has them, else
// t's; the retries are always t's.
func (s *Scenario) DeclaredTimeouts(t Timeouts) Timeouts {
	if s.Timeouts != nil {
		t.Connect, t.Read = s.Timeouts.Connect, s.Timeouts.Read
	}
	return t
}

// RequestPath is the request target of request index of one run of s that
// carries token: PREFIX<id>/<token>/<index>, where PREFIX routes the main
// request (index 0) to s's endpoint and follow-ups to the main one (package
// fakeupstream's route prefixes). The fake upstream finds the run's script by
// it, so every client of a scenario's requests sends them to it.
func (s *Scenario) RequestPath(token string, index int) string {
	prefix := fakeupstream.PathPrefix
	if index == 0 {
		switch s.Endpoint {
		case EndpointRefused:
			prefix = fakeupstream.RefusedPrefix
		case EndpointConnectTimeout:
			prefix = fakeupstream.ConnectTimeoutPrefix
		}
	}
	return fmt.Sprintf("%s%s/%s/%d", prefix, s.ID, token, index)
}

// Scenario is one upstream failure and what a proxy owes its client for it.
type Scenario struct {
	ID      string   `json:"id"`
	Summary string   `json:"summary"`
	Spec    Spec     `json:"spec"`
	Level   Level    `json:"level"`
	Tags    []string `json:"tags"`
	// Endpoint is where the main request goes (default main).
	Endpoint Endpoint `json:"endpoint"`
	// Request is what the harness client sends.
	Request Request `json:"request"`
	// Upstream is the script the fake upstream plays for the main request.
	Upstream []StepSpec `json:"-"`
	// Expect says which outcomes pass for the main request.
	Expect Expectation `json:"expect"`
	// FollowUps are further requests sent after the main one, in order.
	FollowUps []FollowUp `json:"follow_ups,omitempty"`
	// Exclusive scenarios touch the proxy's pooled upstream connections; they run
	// alone, after the pool has drained.
	Exclusive bool `json:"exclusive,omitempty"`
	// Repeat is how many times the scenario runs (at least 1); every outcome is
	// reported with its count and the verdict is the worst.
	Repeat int `json:"repeat"`
	// Timeouts, when set, are the scenario's own declared connect and read
	// timeouts (Retries is unused: the run's retries stay): the target is
	// started again with them for this scenario, and the scenario's durations
	// resolve against what that target makes of them.
	Timeouts *Timeouts `json:"timeouts,omitempty"`
	// Clients are the client protocols the scenario runs over (h1, h2); the
	// default is both.
	Clients []Client `json:"clients"`
	// ClientExpect replaces Expect for one client protocol, where the RFCs owe
	// that protocol's client something else.
	ClientExpect map[Client]Expectation `json:"client_expect,omitempty"`
	// H2Settings are the SETTINGS an HTTP/2 client sends for this scenario
	// (zero fields: the protocol's initial values).
	H2Settings H2Settings `json:"h2_settings,omitzero"`
	// Examples are client-side answers with the verdict each must get.
	Examples []Example `json:"-"`
	// Source is where the scenario was defined, as "file:line".
	Source string `json:"source"`
}

// H2Settings are an HTTP/2 client's SETTINGS values (RFC 9113 §6.5.2); 0
// leaves one at its initial value.
type H2Settings struct {
	InitialWindowSize uint32 `json:"initial_window_size,omitempty"`
	MaxFrameSize      uint32 `json:"max_frame_size,omitempty"`
	MaxHeaderListSize uint32 `json:"max_header_list_size,omitempty"`
	HeaderTableSize   uint32 `json:"header_table_size,omitempty"`
}

// RunsOn reports whether the scenario runs over client c (either HTTP/2
// transport for h2).
func (s *Scenario) RunsOn(c Client) bool {
	return slices.Contains(s.Clients, c.Protocol())
}

// ExpectFor is the main request's expectation for client c: its protocol's
// ClientExpect, else Expect.
func (s *Scenario) ExpectFor(c Client) Expectation {
	if e, ok := s.ClientExpect[c.Protocol()]; ok {
		return e
	}
	return s.Expect
}

// Spec is the RFC text a scenario rests on.
type Spec struct {
	// Section is the section the quote is taken from, as "RFC 9112 §8".
	Section string `json:"section"`
	// Also lists further sections cited, as "RFC 9110 §15.6.3".
	Also []string `json:"also,omitempty"`
	// Quote is the sentence the level rests on, verbatim from Section.
	Quote string `json:"quote"`
}

// String is the citation as shown to people: Section, then Also, comma-separated.
func (s Spec) String() string {
	out := s.Section
	for _, a := range s.Also {
		out += ", " + a
	}
	return out
}

// Request is what the harness client sends for one request. The harness sets the
// request target (path) and adds Host, and Content-Length for a body, unless
// Headers already carry them.
type Request struct {
	Method  string `json:"method"`  // default GET
	Version string `json:"version"` // "HTTP/1.1" (default) or "HTTP/1.0"
	// Headers are field lines, "Name: value", sent in order.
	Headers []string `json:"headers,omitempty"`
	// Body is sent as the request body.
	Body []byte `json:"body,omitempty"`
	// BodyBytes, when positive, sends that many generated bytes as the body instead.
	BodyBytes int64 `json:"body_bytes,omitempty"`
	// Chunked sends the body with chunked transfer coding instead of Content-Length.
	Chunked bool `json:"chunked,omitempty"`
	// ExpectContinue sends "Expect: 100-continue" and holds the body back until a
	// 100 or a final response arrives, or a bounded wait has passed.
	ExpectContinue bool `json:"expect_continue,omitempty"`
}

// StepSpec is one step of an upstream script (or of an example's client answer) as
// written, with durations still relative to the target's timeouts. Resolve turns it
// into a fakeupstream.Step.
type StepSpec struct {
	Name      string   // the Name of one of fakeupstream.Kinds(): "read", "write", ...
	What      string   // read: request, head, body
	Data      []byte   // write, chunk, drip
	N         int64    // body, drip: generated bytes
	ChunkSize int      // body: write as chunks of this size
	Size      int      // drip: bytes per piece
	D         Duration // sleep, hang (max)
	Every     Duration // drip
	Mark      string   // mark
	Line      int      // line in the source file
}

// Expectation says which outcomes of one request pass, which are non-strict, and
// how passthrough is judged for it. Everything not listed fails.
type Expectation struct {
	Pass      []Alternative `json:"pass"`
	NonStrict []Alternative `json:"non_strict,omitempty"`
	// Repair names the offending field of a header scenario and the value the RFC
	// prescribes after repair; it defines the outcomes repaired and dropped.
	Repair *Repair `json:"repair,omitempty"`
	// CheckedFields are compared for passthrough in addition to Content-Type,
	// Cache-Control and X-Gatecheck.
	CheckedFields []string `json:"checked_fields,omitempty"`
}

// Repair names a field the upstream sent in a form the RFC says must be repaired.
type Repair struct {
	Field string `json:"field"`
	// Value is the field value after the repair the RFC prescribes. Runs of spaces
	// and tabs compare equal to one space. Empty means no repaired form exists (the
	// field can only be dropped).
	Value string `json:"value,omitempty"`
}

// Alternative is one acceptable outcome, narrowed by checks from the glossary's
// closed list: interim, attempts, reuse, field, within.
type Alternative struct {
	Outcome  Outcome      `json:"outcome"`
	Interim  InterimCheck `json:"interim,omitempty"`  // forwarded or none
	Attempts *Range       `json:"attempts,omitempty"` // upstream attempts of this request
	Reuse    ReuseCheck   `json:"reuse,omitempty"`    // follow-ups only: allowed or never
	// Method is the method the upstream must have seen the request with ("HEAD"):
	// a proxy that turns a HEAD into a GET never exercises a HEAD row's fault.
	Method string       `json:"method,omitempty"`
	Fields []FieldCheck `json:"field,omitempty"`
	Within *Within      `json:"within,omitempty"`
	// RSTCode, HTTP/2 only, lists the RST_STREAM error codes (RFC 9113 §7
	// names) the stream may have been reset with; the check fails when it was
	// reset with another or not at all.
	RSTCode []string `json:"rst_code,omitempty"`
	// EndStream, HTTP/2 only, says whether the proxy must (true) or must not
	// (false) have ended the stream with END_STREAM.
	EndStream *bool `json:"end_stream,omitempty"`
}

// HTTP2Only reports whether a carries a check that only an HTTP/2 client can
// make.
func (a Alternative) HTTP2Only() bool { return len(a.RSTCode) > 0 || a.EndStream != nil }

// Range is an inclusive bound on a count.
type Range struct {
	Min int `json:"min"`
	Max int `json:"max"`
}

// FieldCheck checks one field at the client, in the head or the trailers. Exactly
// one of Absent, Present, Equals, Count, Lacks is set.
type FieldCheck struct {
	Name    string  `json:"name"`
	In      Section `json:"in,omitempty"` // head (default) or trailers
	Absent  bool    `json:"absent,omitempty"`
	Present bool    `json:"present,omitempty"`
	Equals  *string `json:"equals,omitempty"` // the field's lines joined with ", "
	Count   *int    `json:"count,omitempty"`  // how many field lines carry the name
	// Lacks is a list element no line of the field may carry (compared without
	// case): {name: Connection, lacks: X-Int} holds for "Connection: close" and
	// for no Connection at all, and fails for "Connection: X-Int, close".
	Lacks string `json:"lacks,omitempty"`
}

// Within bounds the time from an upstream anchor to a client event.
type Within struct {
	// Limit is the bound; the expression "promptly" means min(1s, read_timeout / 4).
	Limit Duration `json:"limit"`
	// Event is the client event: complete (default: the whole response arrived),
	// head (the final response head arrived) or first-body-byte.
	Event Event `json:"event,omitempty"`
	// After is the upstream anchor: AnchorLastByte (default: the script's last
	// written byte for this request) or the name of a mark step.
	After string `json:"after,omitempty"`
}

// FollowUp is a further request sent after the main one (or the previous follow-up)
// has been answered and its upstream script has ended.
type FollowUp struct {
	Request Request `json:"request"`
	// Connection is new (default: a fresh client connection) or same.
	Connection Connection `json:"connection"`
	// Upstream is the script for this request; default: a valid keep-alive 200.
	Upstream []StepSpec `json:"-"`
	// Expect defaults to pass: [passthrough].
	Expect Expectation `json:"expect"`
}

// Example is a client-side answer with the verdict the judge must give it. Examples
// document a scenario and prove its expectation satisfiable and falsifiable.
type Example struct {
	Name    string  `json:"name"`
	Verdict Verdict `json:"verdict"` // pass, non-strict, fail
	// Outcome, when set, is the outcome word the judge must observe.
	Outcome Outcome `json:"outcome,omitempty"`
	// Client is what an HTTP/1.1 client receives, as steps (write, body, chunk,
	// drip, sleep) ended by close (default), reset or hang. An example has
	// Client or H2, never both.
	Client []StepSpec `json:"-"`
	// H2 is what an HTTP/2 client receives on the request's stream, as steps
	// (headers, data, rst_stream, goaway, frame, sleep), perhaps ended by the
	// TCP connection's end (close, reset, hang).
	H2 []H2Step `json:"-"`
	// Attempts is the journal's count of upstream attempts (default 1; 0 for the
	// refused and connect-timeout endpoints).
	Attempts int `json:"attempts"`
	// AfterUpstream is how long after the upstream's anchor the client event of a
	// within check happened.
	AfterUpstream time.Duration `json:"after_upstream,omitempty"`
	// FollowUps are the answers to the scenario's follow-up requests.
	FollowUps []ExampleFollowUp `json:"follow_ups,omitempty"`
}

// Protocol is the client protocol the example answers: ClientH2 for an h2
// answer, else ClientH1.
func (e Example) Protocol() Client {
	if e.H2 != nil {
		return ClientH2
	}
	return ClientH1
}

// ExampleFollowUp is the client's answer to one follow-up and its journal facts:
// Client or H2, as the example's main answer.
type ExampleFollowUp struct {
	Client []StepSpec `json:"-"`
	H2     []H2Step   `json:"-"`
	// Reused says the follow-up rode the main request's upstream connection.
	Reused   bool `json:"reused"`
	Attempts int  `json:"attempts"`
}
