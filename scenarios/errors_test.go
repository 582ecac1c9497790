package scenarios

import (
	"errors"
	"strings"
	"testing"
)

// upstream2 replaces the script with read and one more step on line 9.
func upstream2(step string) string { return "upstream:\n  - read\n  - " + step }

// examples replaces the examples with a pass and a fail answer on lines 7 and 8,
// the first one's fields given (the script then starts on line 9).
func examples(first string) string {
	return "examples:\n  - {" + first + "}\n  - {name: b, verdict: fail, client: [reset]}"
}

// TestParseErrors checks each problem the loader reports, with its exact line.
// Line numbers refer to base (helpers_test.go): fields on lines 1-6, the script on
// 7-9, appended fields from line 10.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		// Unknown fields, at every level.
		{"unknown field", doc("sumary", "sumary: x"),
			`t.yaml:10: unknown field "sumary" (did you mean "summary"?)`},
		{"unknown field far from any", doc("colour", "colour: x"),
			`t.yaml:10: unknown field "colour"`},
		{"unknown request field", doc("request", "request: {methd: POST}"),
			`t.yaml:10: request: unknown field "methd" (did you mean "method"?)`},
		{"unknown spec field", doc("spec", "spec: {section: RFC 9110 §7.7, qoute: q}"),
			"t.yaml:3: spec: unknown field \"qoute\" (did you mean \"quote\"?)\n" +
				`t.yaml:3: spec: missing required field "quote"`},
		{"unknown drip field", doc("upstream", upstream2("drip: {data: 'x', evry: 10ms}")),
			"t.yaml:9: step 2: drip: unknown field \"evry\" (did you mean \"every\"?)\n" +
				`t.yaml:9: step 2: drip: missing required field "every"`},
		{"unknown body field", doc("upstream", upstream2("body: {bytes: 10, chunksize: 5}")),
			`t.yaml:9: step 2: body: unknown field "chunksize" (did you mean "chunk_size"?)`},
		{"unknown example field", doc("examples", examples("name: a, verdikt: pass, client: [close]")),
			"t.yaml:7: example 1: unknown field \"verdikt\" (did you mean \"verdict\"?)\n" +
				`t.yaml:7: example 1: missing required field "verdict"`},
		{"unknown follow-up field", doc("follow_ups", "follow_ups: [{conection: same}]"),
			`t.yaml:10: follow-up 1: unknown field "conection" (did you mean "connection"?)`},
		{"unknown expect field", doc("expect", "expect: {pass: [passthrough], nonstrict: [\"503\"]}"),
			`t.yaml:5: expect: unknown field "nonstrict" (did you mean "non_strict"?)`},
		{"unknown field check field", doc("expect", "expect: {pass: [{outcome: passthrough, field: [{name: X-A, absnt: true}]}]}"),
			"t.yaml:5: expect: pass: field: unknown field \"absnt\" (did you mean \"absent\"?)\n" +
				"t.yaml:5: expect: pass: field: want exactly one of absent, present, equals, count, lacks; got 0"},
		{"merge key", doc("request", "request: {<<: {method: POST}}"),
			`t.yaml:10: request: merge keys (<<) are not supported`},
		{"repeated field", doc("repeat", "repeat: 2\nrepeat: 3"),
			`t.yaml:11: field "repeat" repeated (first at line 10)`},

		// Steps.
		{"unknown step", doc("upstream", upstream2("wirte: 'x'")),
			`t.yaml:9: step 2: unknown step "wirte" (did you mean "write"?)`},
		{"unknown bare step", doc("upstream", upstream2("frobnicate")),
			`t.yaml:9: step 2: unknown step "frobnicate" (want read, write, body, chunk, sleep, drip, half_close, close, reset, hang or mark)`},
		{"unknown client step", doc("examples", examples("name: a, verdict: pass, client: [rest]")),
			`t.yaml:7: example 1: client: step 1: unknown step "rest" (did you mean "reset"?)`},
		{"read in a client answer", doc("examples", examples("name: a, verdict: pass, client: [read]")),
			`t.yaml:7: example 1: client: step 1: read is not allowed here (want write, body, chunk, drip, sleep, close, reset or hang)`},
		{"step in a follow-up script", doc("follow_ups", "follow_ups:\n  - upstream: [read, {writ: 'x'}]"),
			`t.yaml:11: follow-up 1: upstream: step 2: unknown step "writ" (did you mean "write"?)`},
		{"arguments not indented", doc("upstream", "upstream:\n  - read\n  - drip:\n    data: 'x'\n    every: 1ms"),
			`t.yaml:9: step 2: a step is one word or a one-key map, got 3 keys (drip, data, every); indent a step's arguments under its name`},
		{"step is a list", doc("upstream", upstream2("[read]")),
			`t.yaml:9: step 2: want a step name or a one-key map, got a list`},
		{"write without value", doc("upstream", upstream2("write")),
			`t.yaml:9: step 2: write: missing value, as in write: 'HTTP/1.1 200 OK\r\n'`},
		{"sleep with null", doc("upstream", upstream2("sleep:")),
			`t.yaml:9: step 2: sleep: missing value, as in sleep: 250ms`},
		{"close with a value", doc("upstream", upstream2("close: now")),
			`t.yaml:9: step 2: close: takes no value; write it as a bare word`},
		{"close with a colon", doc("upstream", upstream2("close:")),
			`t.yaml:9: step 2: close: write it as a bare word, without a colon`},
		{"read what", doc("upstream", "upstream:\n  - read: all"),
			`t.yaml:8: step 1: read: "all" is not request, head or body`},
		{"empty write", doc("upstream", upstream2("write: ''")),
			`t.yaml:9: step 2: write: no bytes to write`},
		{"body zero", doc("upstream", upstream2("body: 0")),
			`t.yaml:9: step 2: body: 0 is out of range 1 to 1073741824`},
		{"body too large", doc("upstream", upstream2("body: 2048MiB")),
			`t.yaml:9: step 2: body: 2147483648 is out of range 1 to 1073741824 (1GiB)`},
		{"body size word", doc("upstream", upstream2("body: 16MB")),
			`t.yaml:9: step 2: body: "16MB" is not a byte count (want digits, optionally followed by KiB or MiB)`},
		{"body hex", doc("upstream", upstream2("body: 0x10")),
			`t.yaml:9: step 2: body: want a decimal integer, got 0x10`},
		{"chunk size zero", doc("upstream", upstream2("body: {bytes: 10, chunk_size: 0}")),
			`t.yaml:9: step 2: body: chunk_size: 0 is out of range 1 to 1073741824`},
		{"drip data and bytes", doc("upstream", upstream2("drip: {data: 'x', bytes: 5, every: 1ms}")),
			`t.yaml:9: step 2: drip: data and bytes both given; want one`},
		{"drip neither", doc("upstream", upstream2("drip: {every: 1ms}")),
			`t.yaml:9: step 2: drip: missing data or bytes`},
		{"mark name", doc("upstream", upstream2("mark: First Event")),
			`t.yaml:9: step 2: mark: "First Event" is not a mark name (lowercase letters, digits, - and _; not last-byte)`},
		{"mark repeated", doc("upstream", "upstream:\n  - mark: a\n  - mark: a"),
			`t.yaml:9: step 2: mark "a" repeated (first at step 1)`},
		{"unreachable", doc("upstream", "upstream:\n  - read\n  - close\n  - write: 'x'"),
			`t.yaml:10: step 3: unreachable: step 2 (close) has already ended the connection`},
		{"write after half_close", doc("upstream", "upstream:\n  - read\n  - half_close\n  - body: 5"),
			`t.yaml:10: step 3: body after half_close (step 2): the write side is already shut`},
		{"empty script", doc("upstream", "upstream: []"),
			`t.yaml:7: upstream: empty script`},

		// Checks.
		{"unknown check", doc("expect", "expect: {pass: [{outcome: passthrough, atempts: 1}]}"),
			`t.yaml:5: expect: pass: unknown check "atempts" (did you mean "attempts"?)`},
		{"method not a token", doc("expect", "expect: {pass: [{outcome: passthrough, method: 'HE AD'}]}"),
			`t.yaml:5: expect: pass: method: "HE AD" is not a method (a token)`},
		{"lacks not a token", doc("expect", "expect: {pass: [{outcome: passthrough, field: [{name: Connection, lacks: 'a, b'}]}]}"),
			`t.yaml:5: expect: pass: field: lacks: "a, b" is not a list element (a token)`},
		{"check without outcome", doc("expect", "expect: {pass: [{attempts: 1}]}"),
			`t.yaml:5: expect: pass: missing required field "outcome"`},
		{"reuse on the main request", doc("expect", "expect: {pass: [{outcome: passthrough, reuse: never}]}"),
			`t.yaml:5: expect: pass: reuse is a check for follow-ups only (whether one rode the main request's upstream connection)`},
		{"reuse word", doc("follow_ups", "follow_ups: [{expect: {pass: [{outcome: passthrough, reuse: no}]}}]"),
			`t.yaml:10: follow-up 1: expect: pass: reuse: "no" is not never or allowed`},
		{"interim word", doc("expect", "expect: {pass: [{outcome: passthrough, interim: forwarde}]}"),
			`t.yaml:5: expect: pass: interim: "forwarde" is not forwarded or none (did you mean "forwarded"?)`},
		{"attempts min above max", doc("expect", "expect: {pass: [{outcome: passthrough, attempts: {min: 2, max: 1}}]}"),
			`t.yaml:5: expect: pass: attempts: min 2 is above max 1`},
		{"attempts negative", doc("expect", "expect: {pass: [{outcome: passthrough, attempts: -1}]}"),
			`t.yaml:5: expect: pass: attempts: -1 is out of range 0 to 1000`},
		{"two field checks in one", doc("expect", "expect: {pass: [{outcome: passthrough, field: [{name: X-A, absent: true, present: true}]}]}"),
			`t.yaml:5: expect: pass: field: want exactly one of absent, present, equals, count, lacks; got 2`},
		{"absent false", doc("expect", "expect: {pass: [{outcome: passthrough, field: [{name: X-A, absent: false}]}]}"),
			`t.yaml:5: expect: pass: field: absent: false checks nothing; drop it or write true`},
		{"field in", doc("expect", "expect: {pass: [{outcome: passthrough, field: [{name: X-A, present: true, in: body}]}]}"),
			`t.yaml:5: expect: pass: field: in: "body" is not head or trailers`},
		{"field name", doc("expect", "expect: {pass: [{outcome: passthrough, field: [{name: 'X A', present: true}]}]}"),
			`t.yaml:5: expect: pass: field: name: "X A" is not a field name`},
		{"within event", doc("expect", "expect: {pass: [{outcome: passthrough, within: {limit: 1s, event: end}}]}"),
			`t.yaml:5: expect: pass: within: event: "end" is not complete, head or first-body-byte`},
		{"within after unknown mark", doc("expect", "expect: {pass: [{outcome: passthrough, within: {limit: 1s, after: frist}}]}",
			"upstream", "upstream:\n  - read\n  - mark: first\n  - write: 'x'"),
			`t.yaml:5: expect: pass: within: after: "frist" is neither last-byte nor a mark step of this request's script (did you mean "first"?)`},
		{"within without limit", doc("expect", "expect: {pass: [{outcome: passthrough, within: {event: head}}]}"),
			`t.yaml:5: expect: pass: within: missing required field "limit"`},
		{"repaired without repair", doc("expect", "expect: {pass: [\"502\", repaired]}"),
			`t.yaml:5: expect: pass: outcome repaired needs expect.repair (the field and its repaired value)`},
		{"outcome twice", doc("expect", "expect: {pass: [\"502\"], non_strict: [\"502\"]}"),
			`t.yaml:5: expect: non_strict: outcome "502" is already in expect: pass`},
		{"empty pass", doc("expect", "expect: {pass: []}"),
			`t.yaml:5: expect: pass: empty; name at least one outcome`},
		{"repair without field", doc("expect", "expect: {pass: [repaired], repair: {value: v}}"),
			`t.yaml:5: expect: repair: missing required field "field"`},
		{"checked field repeated", doc("expect", "expect: {pass: [passthrough], checked_fields: [ETag, etag]}"),
			`t.yaml:5: expect: checked_fields: "etag" repeated`},

		// Wrong types.
		{"repeat string", doc("repeat", "repeat: three"), `t.yaml:10: repeat: want an integer, got the string "three"`},
		{"exclusive integer", doc("exclusive", "exclusive: 1"), `t.yaml:10: exclusive: want true or false, got the integer 1`},
		{"tags scalar", doc("tags", "tags: pass"), `t.yaml:10: tags: want a list, got the string "pass"`},
		{"summary list", doc("summary", "summary: [a]"), `t.yaml:2: summary: want a string, got a list`},
		{"headers scalar", doc("request", "request: {headers: 'Accept: x'}"),
			`t.yaml:10: request: headers: want a list, got the string "Accept: x"`},
		{"level integer", doc("level", "level: 1"), `t.yaml:4: level: want a string, got the integer 1`},
		{"upstream scalar", doc("upstream", "upstream: read"), `t.yaml:7: upstream: want a list, got the string "read"`},
		{"expect list", doc("expect", "expect: [\"502\"]"), `t.yaml:5: expect: want a map, got a list`},
		{"not a map", "- id: pass/x\n", `t.yaml:1: a scenario is a map of fields, got a list`},
		{"write integer", doc("upstream", upstream2("write: 200")),
			`t.yaml:9: step 2: write: want a string, got the integer 200`},
		{"custom tag", doc("summary", "summary: !thing s"), `t.yaml:2: summary: want a string, got a !thing value`},
		{"header line", doc("request", "request: {headers: ['Accept']}"),
			`t.yaml:10: request: headers: "Accept" is not one 'Name: value' field line`},
		{"method", doc("request", "request: {method: 'GE T'}"), `t.yaml:10: request: method: "GE T" is not a token`},
		{"version", doc("request", "request: {version: HTTP/2}"),
			`t.yaml:10: request: version: "HTTP/2" is not HTTP/1.1 or HTTP/1.0`},
		{"body and body_bytes", doc("request", "request: {body: 'x', body_bytes: 5}"),
			`t.yaml:10: request: body and body_bytes both given; want one`},
		{"tag word", doc("tags", "tags: [Framing]"), `t.yaml:10: tags: "Framing" is not a tag (lowercase letters, digits, ., _ and -)`},
		{"tag repeated", doc("tags", "tags: [a, a]"), `t.yaml:10: tags: "a" repeated`},
		{"summary lines", doc("summary", "summary: |\n  one\n  two"), `t.yaml:2: summary: want one non-empty line`},

		// Durations.
		{"sleep number", doc("upstream", upstream2("sleep: 5")),
			`t.yaml:9: step 2: sleep: want a duration such as '250ms' or 'read_timeout + 1s', got the integer 5`},
		{"sleep dangling operator", doc("upstream", upstream2("sleep: 'read_timeout +'")),
			`t.yaml:9: step 2: sleep: duration "read_timeout +": want a duration or a timeout name`},
		{"sleep word", doc("upstream", upstream2("sleep: fast")),
			`t.yaml:9: step 2: sleep: duration "fast": "fast" is neither a duration (like 250ms) nor connect_timeout, read_timeout or promptly`},
		{"sleep division by zero", doc("upstream", upstream2("sleep: read_timeout / 0")),
			`t.yaml:9: step 2: sleep: duration "read_timeout / 0": division by zero`},
		{"hang duration", doc("upstream", upstream2("hang: forever")),
			`t.yaml:9: step 2: hang: duration "forever": "forever" is neither a duration (like 250ms) nor connect_timeout, read_timeout or promptly`},
		{"drip every", doc("upstream", upstream2("drip: {data: 'ab', every: '(1s'}")),
			`t.yaml:9: step 2: drip: every: duration "(1s": missing )`},
		{"within limit", doc("expect", "expect: {pass: [{outcome: passthrough, within: soon}]}"),
			`t.yaml:5: expect: pass: within: duration "soon": "soon" is neither a duration (like 250ms) nor connect_timeout, read_timeout or promptly`},
		{"after_upstream", doc("examples", examples("name: a, verdict: pass, client: [close], after_upstream: read_timeout")),
			`t.yaml:7: example 1: after_upstream: "read_timeout" is not a duration such as 10ms`},

		// Byte strings.
		{"unknown escape", doc("upstream", upstream2(`write: 'a\qb'`)),
			`t.yaml:9: step 2: write: unknown escape \q (want \r, \n, \t, \0, \\ or \xHH)`},
		{"short hex escape", doc("upstream", upstream2(`write: 'a\x4'`)),
			`t.yaml:9: step 2: write: bad escape \x4: \x takes two hex digits`},
		{"non-hex escape", doc("upstream", upstream2(`chunk: '\xg0'`)),
			`t.yaml:9: step 2: chunk: bad escape \xg0: \x takes two hex digits`},
		{"lone backslash", doc("upstream", upstream2(`write: 'abc\'`)),
			`t.yaml:9: step 2: write: lone \ at the end (write \\ for a backslash)`},
		{"double-quoted above 0x7f", doc("upstream", upstream2(`write: "\xff"`)),
			`t.yaml:9: step 2: write: double-quoted byte string holds U+00FF, which YAML encodes as UTF-8; use single quotes and \xHH escapes`},
		{"double-quoted drip data", doc("upstream", upstream2(`drip: {data: "é", every: 1ms}`)),
			`t.yaml:9: step 2: drip: data: double-quoted byte string holds U+00E9, which YAML encodes as UTF-8; use single quotes and \xHH escapes`},
		{"double-quoted request body", doc("request", `request: {body: "\u0100"}`),
			`t.yaml:10: request: body: double-quoted byte string holds U+0100, which YAML encodes as UTF-8; use single quotes and \xHH escapes`},
		{"client escape", doc("examples", examples(`name: a, verdict: pass, client: [{write: '\e'}]`)),
			`t.yaml:7: example 1: client: step 1: write: unknown escape \e (want \r, \n, \t, \0, \\ or \xHH)`},

		// Missing required fields.
		{"no id", doc("id", ""), `t.yaml:1: missing required field "id"`},
		{"no summary", doc("summary", ""), `t.yaml:1: missing required field "summary"`},
		{"no spec", doc("spec", ""), `t.yaml:1: missing required field "spec"`},
		{"no level", doc("level", ""), `t.yaml:1: missing required field "level"`},
		{"no expect", doc("expect", ""), `t.yaml:1: missing required field "expect"`},
		{"no examples", doc("examples", ""), `t.yaml:1: missing required field "examples"`},
		{"no upstream", doc("upstream", ""), `t.yaml:1: missing required field "upstream" (the script for endpoint main)`},
		{"no pass", doc("expect", "expect: {non_strict: [\"502\"]}"), `t.yaml:5: expect: missing required field "pass"`},
		{"no client", doc("examples", examples("name: a, verdict: pass")), `t.yaml:7: example 1: missing required field "client" or "h2"`},
		{"no follow-up client", doc("follow_ups", "follow_ups: [{}]",
			"examples", examples("name: a, verdict: pass, client: [close], follow_ups: [{reused: true}]")),
			`t.yaml:7: example 1: follow_ups: 1: missing required field "client"`},

		// Ids, levels, citations.
		{"id uppercase", doc("id", "id: Pass/ok"),
			`t.yaml:1: id "Pass/ok" is not family/name with lowercase letters, digits and - in each part`},
		{"id one part", doc("id", "id: pass"),
			`t.yaml:1: id "pass" is not family/name with lowercase letters, digits and - in each part`},
		{"id three parts", doc("id", "id: pass/ok/more"),
			`t.yaml:1: id "pass/ok/more" is not family/name with lowercase letters, digits and - in each part`},
		{"id underscore", doc("id", "id: pass/o_k"),
			`t.yaml:1: id "pass/o_k" is not family/name with lowercase letters, digits and - in each part`},
		{"id empty name", doc("id", "id: pass/"),
			`t.yaml:1: id "pass/" is not family/name with lowercase letters, digits and - in each part`},
		{"level", doc("level", "level: mst"), `t.yaml:4: level: "mst" is not must, should or may (did you mean "must"?)`},
		{"level upper case", doc("level", "level: MUST"), `t.yaml:4: level: "MUST" is not must, should or may (did you mean "must"?)`},
		{"section without §", doc("spec", "spec: {section: RFC 9112 6.3, quote: q}"),
			`t.yaml:3: spec: section: "RFC 9112 6.3" is not of the form "RFC 9110 §N.N" or "RFC 9112 §N.N"`},
		{"section other RFC", doc("spec", "spec: {section: RFC 7230 §3, quote: q}"),
			`t.yaml:3: spec: section: "RFC 7230 §3" is not of the form "RFC 9110 §N.N" or "RFC 9112 §N.N"`},
		{"section with item", doc("spec", "spec: {section: RFC 9112 §6.3 (5), quote: q}"),
			`t.yaml:3: spec: section: "RFC 9112 §6.3 (5)" is not of the form "RFC 9110 §N.N" or "RFC 9112 §N.N"`},
		{"also", doc("spec", "spec: {section: RFC 9112 §8, also: [9112 §6.3], quote: q}"),
			`t.yaml:3: spec: also: "9112 §6.3" is not of the form "RFC 9110 §N.N" or "RFC 9112 §N.N"`},
		{"empty quote", doc("spec", "spec: {section: RFC 9112 §8, quote: ' '}"),
			`t.yaml:3: spec: quote: empty; quote the sentence the level rests on`},

		// Outcomes.
		{"unknown outcome", doc("expect", "expect: {pass: [pasthrough]}"),
			`t.yaml:5: expect: pass: unknown outcome "pasthrough" (want 502, 504, 5xx, passthrough, repaired, dropped, aborted or no-response, or a status 100-599) (did you mean "passthrough"?)`},
		{"status out of range", doc("expect", "expect: {pass: [\"600\"]}"),
			`t.yaml:5: expect: pass: unknown outcome "600" (want 502, 504, 5xx, passthrough, repaired, dropped, aborted or no-response, or a status 100-599)`},
		{"upper-case 5XX", doc("expect", "expect: {pass: [\"5XX\"]}"),
			`t.yaml:5: expect: pass: unknown outcome "5XX" (want 502, 504, 5xx, passthrough, repaired, dropped, aborted or no-response, or a status 100-599) (did you mean "5xx"?)`},
		{"hung in pass", doc("expect", "expect: {pass: [hung]}"),
			`t.yaml:5: expect: pass: outcome "hung" always fails; it cannot be listed`},
		{"fake-complete in non_strict", doc("expect", "expect: {pass: [\"502\"], non_strict: [fake-complete]}"),
			`t.yaml:5: expect: non_strict: outcome "fake-complete" always fails; it cannot be listed`},
		{"raw-relay with checks", doc("expect", "expect: {pass: [{outcome: raw-relay, attempts: 1}]}"),
			`t.yaml:5: expect: pass: outcome "raw-relay" always fails; it cannot be listed`},
		{"outcome is a list", doc("expect", "expect: {pass: [[\"502\"]]}"),
			`t.yaml:5: expect: pass: want an outcome word, got a list`},

		// Endpoints, repeat, follow-ups.
		{"refused with a script", doc("endpoint", "endpoint: refused"),
			`t.yaml:7: upstream: endpoint refused has no upstream script (nothing accepts the connection)`},
		{"connect-timeout with a script", doc("endpoint", "endpoint: connect-timeout"),
			`t.yaml:7: upstream: endpoint connect-timeout has no upstream script (nothing accepts the connection)`},
		{"unknown endpoint", doc("endpoint", "endpoint: refuse"),
			`t.yaml:10: endpoint: "refuse" is not main, refused or connect-timeout (did you mean "refused"?)`},
		{"repeat zero", doc("repeat", "repeat: 0"), `t.yaml:10: repeat: 0 is out of range 1 to 5000`},
		{"repeat 5001", doc("repeat", "repeat: 5001"), `t.yaml:10: repeat: 5001 is out of range 1 to 5000`},
		{"connection", doc("follow_ups", "follow_ups: [{connection: reuse}]"),
			`t.yaml:10: follow-up 1: connection: "reuse" is not new or same`},

		// The scenario's own timeouts.
		{"timeouts unknown key", doc("timeouts", "timeouts:\n  connect: 1s\n  read: 4s\n  retries: 1"),
			`t.yaml:13: timeouts: unknown field "retries"`},
		{"timeouts misspelt key", doc("timeouts", "timeouts: {conect: 1s, read: 4s}"),
			"t.yaml:10: timeouts: unknown field \"conect\" (did you mean \"connect\"?)\n" +
				`t.yaml:10: timeouts: missing required field "connect"`},
		{"timeouts missing read", doc("timeouts", "timeouts:\n  connect: 1s"),
			`t.yaml:10: timeouts: missing required field "read"`},
		{"timeouts bad duration", doc("timeouts", "timeouts:\n  connect: 1s\n  read: 4 seconds"),
			`t.yaml:12: timeouts: read: want a positive duration such as 1s, got the string "4 seconds"`},
		{"timeouts integer", doc("timeouts", "timeouts: {connect: 1, read: 4s}"),
			`t.yaml:10: timeouts: connect: want a positive duration such as 1s, got the integer 1`},
		{"timeouts zero", doc("timeouts", "timeouts: {connect: 0s, read: 4s}"),
			`t.yaml:10: timeouts: connect: want a positive duration such as 1s, got the string "0s"`},
		{"timeouts expression", doc("timeouts", "timeouts: {connect: 1s, read: read_timeout * 4}"),
			`t.yaml:10: timeouts: read: want a positive duration such as 1s, got the string "read_timeout * 4"`},
		{"timeouts not a map", doc("timeouts", "timeouts: 4s"),
			`t.yaml:10: timeouts: want a map, got the string "4s"`},

		// Examples.
		{"no pass example", doc("examples", "examples: [{name: a, verdict: fail, client: [close]}]"),
			`t.yaml:6: examples: want at least one with verdict pass and one with verdict fail (got 0 pass, 1 fail)`},
		{"no fail example", doc("examples", "examples: [{name: a, verdict: pass, client: [close]}, {name: b, verdict: non-strict, client: [close]}]"),
			`t.yaml:6: examples: want at least one with verdict pass and one with verdict fail (got 1 pass, 0 fail)`},
		{"verdict word", doc("examples", examples("name: a, verdict: non_strict, client: [close]")),
			`t.yaml:7: example 1: verdict: "non_strict" is not pass, non-strict or fail (did you mean "non-strict"?)`},
		{"example outcome unknown", doc("examples", examples("name: a, verdict: pass, outcome: truncated, client: [close]")),
			`t.yaml:7: example 1: outcome: unknown outcome "truncated" (want 502, 504, 5xx, passthrough, repaired, dropped, aborted or no-response, or a status 100-599)`},
		{"passing example with a failing outcome", doc("examples", examples("name: a, verdict: pass, outcome: hung, client: [hang]")),
			`t.yaml:7: example 1: outcome "hung" always fails, not pass`},
		{"passing example outside the pass list", doc("examples", examples("name: a, verdict: pass, outcome: \"502\", client: [close]")),
			`t.yaml:7: example 1: outcome "502" is not in expect.pass ("passthrough")`},
		{"non-strict example outside the list", doc("examples", examples("name: a, verdict: non-strict, outcome: \"503\", client: [close]")),
			`t.yaml:7: example 1: outcome "503" is not in expect.non_strict (nothing)`},
		{"failing example with a passing outcome", doc("examples", examples("name: a, verdict: pass, client: [close]")+"\n  - {name: c, verdict: fail, outcome: passthrough, client: [close]}"),
			`t.yaml:9: example 3: outcome "passthrough" passes, not fail: expect.pass lists it without checks`},
		{"failing example with a non-strict outcome", doc("expect", "expect: {pass: [\"502\"], non_strict: [5xx]}",
			"examples", examples("name: a, verdict: fail, outcome: 5xx, client: [close]")),
			`t.yaml:7: example 1: outcome "5xx" is non-strict, not fail: expect.non_strict lists it without checks`},
		{"non-strict example with a passing outcome", doc("expect", "expect: {pass: [\"502\"], non_strict: [{outcome: \"502\", attempts: 2}]}",
			"examples", examples("name: a, verdict: non-strict, outcome: \"502\", client: [close]")),
			`t.yaml:7: example 1: outcome "502" passes, not non-strict: expect.pass lists it without checks`},
		{"example name repeated", doc("examples", "examples:\n  - {name: a, verdict: pass, client: [close]}\n  - {name: a, verdict: fail, client: [reset]}"),
			`t.yaml:8: example 2: name "a" repeated (first at line 7)`},
		{"too many follow-up answers", doc("examples", examples("name: a, verdict: pass, client: [close], follow_ups: [{client: [close]}]")),
			`t.yaml:7: example 1: follow_ups: 1 answers, but the scenario has 0 follow-ups`},
		{"example attempts", doc("examples", examples("name: a, verdict: pass, client: [close], attempts: many")),
			`t.yaml:7: example 1: attempts: want an integer, got the string "many"`},

		// Files.
		{"empty file", "", `t.yaml:1: no scenario in file`},
		{"only separators", "---\n---\n", `t.yaml:1: no scenario in file`},
		{"duplicate id in one file", base + "---\n" + base, `t.yaml:11: duplicate id "pass/x" (first at t.yaml:1)`},
		{"control character", doc("summary", "summary: a\x01b"),
			`t.yaml:2: control character U+0001 is not allowed in YAML (write it as \xHH in a single-quoted string)`},
		{"invalid UTF-8", doc("upstream", upstream2("write: '\xff'")),
			`t.yaml:9: invalid UTF-8 byte 0xff (a YAML file is UTF-8 text; write bytes as \xHH in a single-quoted string)`},
		{"yaml scanner error", doc("level", "level: must\n  x: 1"),
			`t.yaml:5: yaml: mapping values are not allowed in this context`},
		{"yaml parser error", doc("tags", "tags: [a, b\nrepeat: 2"),
			`t.yaml:10: yaml: did not find expected ',' or ']'`},
		{"yaml error on line 1", "id: a: b\n", `t.yaml:1: yaml: mapping values are not allowed in this context`},
		{"unknown alias", doc("tags", "tags: *t"), `t.yaml:10: yaml: unknown anchor 't' referenced`},
		{"yaml error in second document", base + "---\nid: [\n", `t.yaml:11: yaml: did not find expected node content`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseErr(t, tt.src); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s\nsource:\n%s", got, tt.want, tt.src)
			}
		})
	}
}

// TestParseErrorsAll checks that several problems in one file are all reported,
// in line order, each as an *Error.
func TestParseErrorsAll(t *testing.T) {
	src := doc("level", "level: mst", "upstream", upstream2("wirte: 'x'"), "repeat", "repeat: 0") +
		"---\n" + doc("id", "id: Pass/y", "summary", "summary: [a]")
	_, err := Parse("t.yaml", []byte(src))
	if err == nil {
		t.Fatal("got no error; want four")
	}
	want := `t.yaml:4: level: "mst" is not must, should or may (did you mean "must"?)
t.yaml:9: step 2: unknown step "wirte" (did you mean "write"?)
t.yaml:10: repeat: 0 is out of range 1 to 5000
t.yaml:12: id "Pass/y" is not family/name with lowercase letters, digits and - in each part
t.yaml:13: summary: want a string, got a list`
	if got := err.Error(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	var e *Error
	if !errors.As(err, &e) || e.File != "t.yaml" || e.Line != 4 {
		t.Errorf("errors.As: got %+v; want the first *Error, t.yaml line 4", e)
	}
}

// TestParseErrorsBounded checks that a file full of problems reports a bounded
// number of lines.
func TestParseErrorsBounded(t *testing.T) {
	src := doc("upstream", "upstream:\n"+strings.Repeat("  - wirte: 'x'\n", 500))
	got := strings.Count(parseErr(t, src), "\n") + 1
	if got != maxErrors+1 {
		t.Errorf("got %d lines; want %d (the cap and a summary)", got, maxErrors+1)
	}
}
