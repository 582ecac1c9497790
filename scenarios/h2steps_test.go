package scenarios

import (
	"reflect"
	"strings"
	"testing"
)

// h2Examples is an examples field of one line (line 6 of base) that answers
// in HTTP/2 only.
const h2Examples = "examples: [{name: a, verdict: pass, h2: [reset]}, {name: b, verdict: fail, h2: [close]}]"

// h2Answer is base with a passing h2 example whose answer is steps (a YAML
// flow list) beside the h1 examples, on line 8.
func h2Answer(steps string) string {
	return doc("examples", "examples:\n  - {name: a, verdict: pass, client: [close]}\n  - {name: b, verdict: fail, client: [reset]}\n  - {name: c, verdict: pass, h2: "+steps+"}\n  - {name: d, verdict: fail, h2: [reset]}")
}

func u32(v uint32) *uint32 { return &v }

func TestH2StepForms(t *testing.T) {
	tests := []struct {
		steps string
		want  []H2Step
	}{
		{`[{headers: [':status: 200', 'Content-Type: text/plain', 'x-empty:', 'x-sp:  two', ': no name', 'x-c: a:b']}]`,
			[]H2Step{{Op: H2Headers, Fields: []H2Field{{":status", "200"}, {"Content-Type", "text/plain"}, {"x-empty", ""}, {"x-sp", " two"}, {"", "no name"}, {"x-c", "a:b"}}}}},
		{`[{headers: {fields: [':status: 204', 'x-nul: a\0b'], end_stream: true}}]`,
			[]H2Step{{Op: H2Headers, Fields: []H2Field{{":status", "204"}, {"x-nul", "a\x00b"}}, EndStream: true}}},
		{`[{data: 10}, {data: 'a\r\n'}, {data: {bytes: 1KiB, end_stream: true}}]`,
			[]H2Step{{Op: H2Data, N: 10}, {Op: H2Data, Data: []byte("a\r\n")}, {Op: H2Data, N: 1024, EndStream: true}}},
		{`[{data: {text: '', end_stream: true}}, {data: {end_stream: true}}, {data: ''}]`,
			[]H2Step{{Op: H2Data, Data: []byte{}, EndStream: true}, {Op: H2Data, EndStream: true}, {Op: H2Data, Data: []byte{}}}},
		{`[{rst_stream: INTERNAL_ERROR}, {goaway: {last_stream_id: 0, code: PROTOCOL_ERROR}}, goaway, {goaway: {code: ENHANCE_YOUR_CALM}}]`,
			[]H2Step{{Op: H2RSTStream, Code: "INTERNAL_ERROR"}, {Op: H2GoAway, LastStreamID: u32(0), Code: "PROTOCOL_ERROR"},
				{Op: H2GoAway, Code: "NO_ERROR"}, {Op: H2GoAway, Code: "ENHANCE_YOUR_CALM"}}},
		{`[{frame: {type: 6, flags: 1, stream: 0, payload: '\x01\x02'}}, {frame: {type: 250}}]`,
			[]H2Step{{Op: H2Frame, Type: 6, Flags: 1, Stream: u32(0), Data: []byte{1, 2}}, {Op: H2Frame, Type: 250}}},
		{`[{sleep: read_timeout + 10ms}, close]`, []H2Step{{Op: H2Sleep, D: MustDuration("read_timeout + 10ms")}, {Op: H2Close}}},
		{`[reset]`, []H2Step{{Op: H2Reset}}},
		{`[hang]`, []H2Step{{Op: H2Hang}}},
		{`[{hang: 2s}]`, []H2Step{{Op: H2Hang, D: MustDuration("2s")}}},
	}
	for _, tc := range tests {
		s := parseOne(t, h2Answer(tc.steps))
		var ex *Example
		for i := range s.Examples {
			if s.Examples[i].Name == "c" {
				ex = &s.Examples[i]
			}
		}
		if ex == nil || ex.Protocol() != ClientH2 || ex.Client != nil {
			t.Fatalf("%s: no h2 example c in %+v", tc.steps, s.Examples)
		}
		var got, want []string
		for i := range ex.H2 {
			ex.H2[i].Line = 0
			got = append(got, ex.H2[i].D.String())
			ex.H2[i].D = Duration{}
		}
		for i := range tc.want {
			want = append(want, tc.want[i].D.String())
			tc.want[i].D = Duration{}
		}
		if !reflect.DeepEqual(ex.H2, tc.want) || !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.steps, ex.H2, tc.want)
		}
	}
}

// TestH2ParseErrors checks each problem of an h2 answer and of the rules
// that tie answers to the scenario's clients, with its line.
func TestH2ParseErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"unknown step", h2Answer("[{header: [':status: 200']}]"),
			`t.yaml:9: example 3: h2: step 1: unknown HTTP/2 step "header" (did you mean "headers"?)`},
		{"unknown bare step", h2Answer("[fin]"),
			`t.yaml:9: example 3: h2: step 1: unknown HTTP/2 step "fin" (want headers, data, rst_stream, goaway, frame, sleep, close, reset or hang)`},
		{"an h1 step", h2Answer("[{write: 'x'}]"),
			`t.yaml:9: example 3: h2: step 1: unknown HTTP/2 step "write" (want headers, data, rst_stream, goaway, frame, sleep, close, reset or hang)`},
		{"empty answer", h2Answer("[]"), `t.yaml:9: example 3: h2: empty answer`},
		{"no colon", h2Answer("[{headers: ['x-a v']}]"),
			`t.yaml:9: example 3: h2: step 1: headers: "x-a v" is not a 'name: value' field line`},
		{"bad escape in a field", h2Answer(`[{headers: ['x-a: \q']}]`),
			`t.yaml:9: example 3: h2: step 1: headers: unknown escape \q (want \r, \n, \t, \0, \\ or \xHH)`},
		{"headers without fields", h2Answer("[{headers: {end_stream: true}}]"),
			`t.yaml:9: example 3: h2: step 1: headers: missing required field "fields"`},
		{"headers end_stream word", h2Answer("[{headers: {fields: [':status: 200'], end_stream: yes please}}]"),
			`t.yaml:9: example 3: h2: step 1: headers: end_stream: want true or false, got the string "yes please"`},
		{"headers bare", h2Answer("[headers]"),
			`t.yaml:9: example 3: h2: step 1: headers: missing value, as in headers: [':status: 200', 'content-type: text/plain']`},
		{"data both", h2Answer("[{data: {bytes: 1, text: a}}]"),
			`t.yaml:9: example 3: h2: step 1: data: bytes and text both given; want one`},
		{"data neither", h2Answer("[{data: {}}]"), `t.yaml:9: example 3: h2: step 1: data: missing bytes or text`},
		{"data zero bytes", h2Answer("[{data: 0}]"), `t.yaml:9: example 3: h2: step 1: data: 0 is out of range 1 to 1073741824`},
		{"data list", h2Answer("[{data: [1]}]"),
			`t.yaml:9: example 3: h2: step 1: data: want a byte count (10), a text ('abc') or a map {bytes | text, end_stream}, got a list`},
		{"rst code", h2Answer("[{rst_stream: INTERNAL}]"),
			`t.yaml:9: example 3: h2: step 1: rst_stream: "INTERNAL" is not NO_ERROR, PROTOCOL_ERROR, INTERNAL_ERROR, FLOW_CONTROL_ERROR, SETTINGS_TIMEOUT, STREAM_CLOSED, FRAME_SIZE_ERROR, REFUSED_STREAM, CANCEL, COMPRESSION_ERROR, CONNECT_ERROR, ENHANCE_YOUR_CALM, INADEQUATE_SECURITY or HTTP_1_1_REQUIRED`},
		{"goaway key", h2Answer("[{goaway: {last_stream_di: 1}}]"),
			`t.yaml:9: example 3: h2: step 1: goaway: unknown field "last_stream_di" (did you mean "last_stream_id"?)`},
		{"goaway stream id", h2Answer("[{goaway: {last_stream_id: 2147483648}}]"),
			`t.yaml:9: example 3: h2: step 1: goaway: last_stream_id: 2147483648 is out of range 0 to 2147483647`},
		{"frame without type", h2Answer("[{frame: {flags: 1}}]"),
			`t.yaml:9: example 3: h2: step 1: frame: missing required field "type"`},
		{"frame type", h2Answer("[{frame: {type: 256}}]"),
			`t.yaml:9: example 3: h2: step 1: frame: type: 256 is out of range 0 to 255`},
		{"sleep word", h2Answer("[{sleep: soon}]"),
			`t.yaml:9: example 3: h2: step 1: sleep: duration "soon": "soon" is neither a duration (like 250ms) nor connect_timeout, read_timeout or promptly`},
		{"close with a value", h2Answer("[{close: now}]"),
			`t.yaml:9: example 3: h2: step 1: close: takes no value; write it as a bare word`},
		{"after the end", h2Answer("[close, {data: 1}]"),
			`t.yaml:9: example 3: h2: step 2: unreachable: step 1 (close) has already ended the connection`},
		{"arguments not indented", h2Answer("[{data: 1, end_stream: true}]"),
			`t.yaml:9: example 3: h2: step 1: a step is one word or a one-key map, got 2 keys (data, end_stream); indent a step's arguments under its name`},

		// An answer, and the protocols the scenario runs over.
		{"both answers", doc("examples", "examples: [{name: a, verdict: pass, client: [close], h2: [close]}, {name: b, verdict: fail, client: [reset]}]"),
			`t.yaml:6: example 1: client and h2 both given; want one: client for an HTTP/1.1 answer, h2 for an HTTP/2 answer`},
		{"h2 answer on h1 only", doc("clients", "clients: [h1]", "examples", "examples:\n  - {name: a, verdict: pass, client: [close]}\n  - {name: b, verdict: fail, client: [reset]}\n  - {name: c, verdict: fail, h2: [reset]}"),
			`t.yaml:9: example 3: h2: the scenario does not run over h2 (clients: h1)`},
		{"client answer on h2 only", doc("clients", "clients: [h2]", "examples", "examples:\n  - {name: a, verdict: pass, h2: [close]}\n  - {name: b, verdict: fail, h2: [reset]}\n  - {name: c, verdict: fail, client: [reset]}"),
			`t.yaml:9: example 3: client: the scenario does not run over h1 (clients: h2): answer with h2`},
		{"h2 only, no fail", doc("clients", "clients: [h2]", "examples", "examples: [{name: a, verdict: pass, h2: [close]}]"),
			`t.yaml:6: examples: want at least one h2 answer (HTTP/2) with verdict pass and one with verdict fail (got 1 pass, 0 fail)`},
		{"h2 answers need a fail too", h2Answer("[close]")[:strings.Index(h2Answer("[close]"), "\n  - {name: d")] + "\nupstream: [read]",
			`t.yaml:6: examples: want at least one h2 answer (HTTP/2) with verdict pass and one with verdict fail (got 1 pass, 0 fail)`},
		{"h1 answers need a fail too", doc("examples", "examples:\n  - {name: a, verdict: pass, client: [close]}\n  - {name: c, verdict: pass, h2: [close]}\n  - {name: d, verdict: fail, h2: [reset]}"),
			`t.yaml:6: examples: want at least one client answer (HTTP/1.1) with verdict pass and one with verdict fail (got 1 pass, 0 fail)`},
		{"h2 outcome not in the h2 override", doc("client_expect", "client_expect: {h2: {pass: [aborted]}}",
			"examples", "examples:\n  - {name: a, verdict: pass, client: [close]}\n  - {name: b, verdict: fail, client: [reset]}\n  - {name: c, verdict: pass, outcome: passthrough, h2: [close]}\n  - {name: d, verdict: fail, h2: [reset]}"),
			`t.yaml:9: example 3: outcome "passthrough" is not in expect.pass ("aborted")`},
		{"h1 follow-up answer to an h2 example", doc("follow_ups", "follow_ups: [{}]",
			"examples", "examples:\n  - {name: a, verdict: pass, client: [close]}\n  - {name: b, verdict: fail, client: [reset]}\n  - {name: c, verdict: pass, h2: [close], follow_ups: [{client: [close]}]}\n  - {name: d, verdict: fail, h2: [reset]}"),
			`t.yaml:9: example 3: follow_ups: 1: client: the example answers with h2; answer its follow-ups with h2 too`},
		{"no h2 follow-up answer", doc("follow_ups", "follow_ups: [{}]",
			"examples", "examples:\n  - {name: a, verdict: pass, client: [close]}\n  - {name: b, verdict: fail, client: [reset]}\n  - {name: c, verdict: pass, h2: [close], follow_ups: [{reused: true}]}\n  - {name: d, verdict: fail, h2: [reset]}"),
			`t.yaml:9: example 3: follow_ups: 1: missing required field "h2"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := parseErr(t, tc.src); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s\nsource:\n%s", got, tc.want, tc.src)
			}
		})
	}
}

// TestH2ExamplesOptional: a scenario that runs over both protocols needs no h2
// answer, and an h2 follow-up answer is read as the main one.
func TestH2ExamplesOptional(t *testing.T) {
	s := parseOne(t, base)
	for _, e := range s.Examples {
		if e.Protocol() != ClientH1 || e.H2 != nil {
			t.Errorf("example %q: protocol %s", e.Name, e.Protocol())
		}
	}
	s = parseOne(t, doc("follow_ups", "follow_ups: [{connection: same}]",
		"examples", "examples:\n  - {name: a, verdict: pass, client: [close]}\n  - {name: b, verdict: fail, client: [reset]}\n  - {name: c, verdict: pass, h2: [{data: 1}], follow_ups: [{h2: [{rst_stream: CANCEL}], reused: true, attempts: 2}]}\n  - {name: d, verdict: fail, h2: [reset]}"))
	fu := s.Examples[2].FollowUps[0]
	if fu.Client != nil || len(fu.H2) != 1 || fu.H2[0].Code != "CANCEL" || !fu.Reused || fu.Attempts != 2 {
		t.Errorf("h2 follow-up answer: %+v", fu)
	}
}
