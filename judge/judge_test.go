package judge

import (
	"strings"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/wire"
)

// Upstream answers the judge tests compare against.
const (
	upFields  = "Content-Type: text/plain\r\nCache-Control: no-transform\r\nX-Gatecheck: t\r\n"
	up200     = "HTTP/1.1 200 OK\r\n" + upFields + "Content-Length: 10\r\n\r\n0123456789"
	up200CL   = "HTTP/1.1 200 OK\r\n" + upFields + "Content-Length: 100\r\n\r\n0123456789" // truncated at 10
	upChunks  = "HTTP/1.1 200 OK\r\n" + upFields + "Transfer-Encoding: chunked\r\n\r\n5\r\n01234\r\n5\r\n56789\r\n"
	up103     = "HTTP/1.1 103 Early Hints\r\nX-Gatecheck-Interim: 1\r\nLink: </a>\r\n\r\n"
	upObsFold = "HTTP/1.1 200 OK\r\n" + upFields + "X-A: a\r\n b\r\nContent-Length: 10\r\n\r\n0123456789"
)

// Client answers.
const (
	cl200      = "HTTP/1.1 200 OK\r\nDate: x\r\nVia: 1.1 p\r\n" + upFields + "Content-Length: 10\r\n\r\n0123456789"
	cl200Chunk = "HTTP/1.1 200 OK\r\n" + upFields + "Transfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n0\r\n\r\n"
	cl502      = "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n"
	cl503      = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"
	cl504      = "HTTP/1.1 504 Gateway Timeout\r\nContent-Length: 0\r\n\r\n"
	cl404      = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
	clTrunc    = "HTTP/1.1 200 OK\r\n" + upFields + "Content-Length: 100\r\n\r\n0123456789"
)

// observe is the Observation of a client that received raw, ended as ending says
// (EndComplete when the bytes make a complete message).
func observe(raw string, ending wire.Ending) Observation {
	r := wire.ParseHTTP1Response([]byte(raw), "GET", ending)
	if r.Complete {
		ending = wire.EndComplete
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return Observation{Exchange: wire.Exchange{Response: r, Ending: ending, SentAt: at, EndAt: at.Add(time.Millisecond), End: time.Millisecond}, Attempts: 1}
}

// ref is the upstream's answer raw, parsed as the reference is for a script
// that ends as ending says: "close" with a FIN, "reset" with a RST, "hang"
// leaving the connection open.
func ref(raw, ending string) wire.Response {
	e := map[string]wire.Ending{"close": wire.EndTruncated, "reset": wire.EndReset, "hang": wire.EndTimeout}[ending]
	return wire.ParseHTTP1Response([]byte(raw), "GET", e)
}

func alts(words ...string) []scenarios.Alternative {
	out := make([]scenarios.Alternative, len(words))
	for i, w := range words {
		out[i] = scenarios.Alternative{Outcome: scenarios.Outcome(w)}
	}
	return out
}

func expect(pass []string, nonStrict ...string) scenarios.Expectation {
	return scenarios.Expectation{Pass: alts(pass...), NonStrict: alts(nonStrict...)}
}

// TestJudgeRules walks the ordered rules of "How outcomes are judged".
func TestJudgeRules(t *testing.T) {
	repair := func(field, value string) scenarios.Expectation {
		e := expect([]string{"502", "repaired"}, "dropped")
		e.Repair = &scenarios.Repair{Field: field, Value: value}
		return e
	}
	for _, c := range []struct {
		name    string
		exp     scenarios.Expectation
		ref     wire.Response
		obs     Observation
		outcome string
		actual  string // a substring of Actual
	}{
		// Rule 1.
		{"nothing, deadline", expect([]string{"502"}), ref(up200, "close"), observe("", wire.EndTimeout), "hung", "nothing within"},
		{"nothing, FIN", expect([]string{"502"}), ref(up200, "close"), observe("", wire.EndTruncated), "no-response", "no response: connection closed (FIN) before any byte"},
		{"nothing, reset", expect([]string{"502"}), ref(up200, "close"), observe("", wire.EndReset), "no-response", "no response: connection reset before any byte"},
		// Rule 2.
		{"half a head, FIN", expect([]string{"502"}), ref("HTTP/1.1 2", "close"), observe("HTTP/1.1 2", wire.EndTruncated), "raw-relay", `an incomplete head (10 bytes: HTTP/1.1 2), then FIN`},
		{"half a head, deadline", expect([]string{"502"}), ref("HTTP/1.1 2", "hang"), observe("HTTP/1.1 200 OK\r\n", wire.EndTimeout), "raw-relay", `HTTP/1.1 200 OK\r\n), then nothing until the deadline`},
		{"http/0.9 relayed", expect([]string{"502"}), ref("hello", "close"), observe("hello", wire.EndTruncated), "raw-relay", "incomplete head"},
		{"interim, then FIN", expect([]string{"502"}, "aborted"), ref(up103, "close"), observe(up103, wire.EndTruncated), "aborted", "interim 103, then FIN without a final response"},
		{"interim, then reset", expect([]string{"502"}, "aborted"), ref(up103, "reset"), observe(up103, wire.EndReset), "aborted", "then reset without"},
		{"interim, then deadline", expect([]string{"502"}), ref(up103, "hang"), observe(up103, wire.EndTimeout), "hung", "interim 103, then nothing until the deadline"},
		{"broken interim, then FIN", expect([]string{"502"}, "aborted"), ref(up103, "close"), observe("HTTP/1.1 103 Early\r\nX A: 1\r\n\r\n", wire.EndTruncated), "raw-relay", "field name \"X A\""},
		// Rule 3.
		{"obs-fold forwarded", repair("X-A", "a b"), ref(upObsFold, "close"), observe(upObsFold, wire.EndTruncated), "raw-relay", "200 that is not valid HTTP/1.1: head: obs-fold"},
		{"garbled status relayed", expect([]string{"502"}, "5xx"), ref("HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n", "close"),
			observe("HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n", wire.EndTruncated), "raw-relay", `status line "HTTP/1.1 2OO OK" that is not valid HTTP/1.1`},
		{"bad chunk size relayed", expect([]string{"aborted", "502"}), ref(upChunks+"zz\r\n", "close"),
			observe(upChunks+"zz\r\n", wire.EndTruncated), "raw-relay", "chunk size line \"zz\""},
		{"status without reason is tolerated", expect([]string{"passthrough"}, "502"), ref("HTTP/1.1 200\r\n"+upFields+"Content-Length: 0\r\n\r\n", "close"),
			observe("HTTP/1.1 200\r\n"+upFields+"Content-Length: 0\r\n\r\n", wire.EndTruncated), "passthrough", "200, no body, body identical"},
		{"overflowing length forwarded then cut", expect([]string{"502", "aborted"}), ref("HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551616\r\n\r\nab", "close"),
			observe("HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551616\r\n\r\nab", wire.EndTruncated), "aborted", "2 of 18446744073709551616 bytes, then FIN"},
		// Rule 4.
		{"502 for a 200", expect([]string{"passthrough"}, "502"), ref(up200, "close"), observe(cl502, wire.EndTruncated), "502", "502 from the proxy (upstream sent 200)"},
		{"502 not named", expect([]string{"passthrough"}), ref(up200, "close"), observe(cl502, wire.EndTruncated), "5xx", "502 from the proxy (upstream sent 200)"},
		{"503 not named", expect([]string{"502"}, "5xx"), ref("", "close"), observe(cl503, wire.EndTruncated), "5xx", "503 from the proxy (the upstream sent nothing)"},
		{"503 named", expect([]string{"502"}, "503"), ref("", "close"), observe(cl503, wire.EndTruncated), "503", "503 from the proxy"},
		{"504 not named", expect([]string{"502"}, "503"), ref("", "close"), observe(cl504, wire.EndTruncated), "5xx", "504 from the proxy"},
		{"404 from the proxy", expect([]string{"502"}, "5xx"), ref(up200, "close"), observe(cl404, wire.EndTruncated), "404", "404 from the proxy"},
		{"200 for an invalid status line", expect([]string{"502"}, "5xx"), ref("HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n", "close"),
			observe("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", wire.EndTruncated), "200", `200 for an invalid upstream response (the upstream sent the invalid status line "HTTP/1.1 2OO OK")`},
		{"200 for a half head", expect([]string{"502"}, "5xx"), ref("HTTP/1.1 200 OK\r\nConte", "close"),
			observe("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", wire.EndTruncated), "200", "the upstream sent no complete response head"},
		{"an invalid status the upstream did not send", expect([]string{"502"}, "5xx"), ref("hello", "close"),
			observe("HTTP/1.1 000 \r\nContent-Length: 5\r\n\r\nhello", wire.EndTruncated), "raw-relay", "status 000, which the upstream did not send and RFC 9110 §15 calls invalid"},
		{"the upstream's own invalid status is tolerated", expect([]string{"502"}, "passthrough"), ref("HTTP/1.1 999 Odd\r\n"+upFields+"Content-Length: 0\r\n\r\n", "close"),
			observe("HTTP/1.1 999 Odd\r\n"+upFields+"Content-Length: 0\r\n\r\n", wire.EndTruncated), "passthrough", "999"},
		{"502 cut short", expect([]string{"502"}), ref(up200CL, "close"),
			observe("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 10\r\n\r\nab", wire.EndReset), "502", "502 from the proxy (upstream sent 200), content-length, 2 of 10 bytes, then reset"},
		// Rule 5.
		{"truncated, FIN", expect([]string{"aborted", "502"}), ref(up200CL, "close"), observe(clTrunc, wire.EndTruncated), "aborted", "200, content-length, 10 of 100 bytes, then FIN"},
		{"truncated, reset", expect([]string{"aborted", "502"}), ref(up200CL, "reset"), observe(clTrunc, wire.EndReset), "aborted", "then reset"},
		{"no last-chunk, FIN", expect([]string{"aborted", "502"}), ref(upChunks, "close"), observe(upChunks, wire.EndTruncated), "aborted", "200, chunked, no last-chunk, 10 bytes, then FIN"},
		{"truncated, deadline", expect([]string{"aborted", "502"}), ref(up200CL, "hang"), observe(clTrunc, wire.EndTimeout), "hung", "then nothing until the deadline"},
		{"close-delimited reset", expect([]string{"aborted", "502"}), ref("HTTP/1.0 200 OK\r\n\r\nab", "reset"), observe("HTTP/1.0 200 OK\r\n\r\nab", wire.EndReset), "aborted", "200, close-delimited, 2 bytes, then reset"},
		// Rule 6.
		{"truncation re-framed", expect([]string{"aborted", "502"}), ref(up200CL, "close"), observe(cl200Chunk, wire.EndTruncated), "fake-complete",
			"200, chunked, last-chunk present, 10 of 100 bytes — truncation presented as complete"},
		{"truncation ended by FIN", expect([]string{"aborted", "502"}), ref(up200CL, "close"), observe("HTTP/1.1 200 OK\r\n\r\n0123456789", wire.EndTruncated), "fake-complete",
			"close-delimited, 10 of 100 bytes ended by FIN — truncation"},
		{"close-delimited stall ended cleanly", expect([]string{"aborted", "504"}, "502"), ref("HTTP/1.0 200 OK\r\n\r\nab", "hang"), observe(cl200Chunk, wire.EndTruncated), "fake-complete", "truncation presented as complete"},
		{"broken chunks re-framed", expect([]string{"aborted", "502"}), ref(upChunks+"zz\r\n", "close"), observe(cl200Chunk, wire.EndTruncated), "fake-complete", "a broken upstream body (body: chunk size line"},
		{"conflicting lengths re-framed", expect([]string{"502"}), ref("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", "close"),
			observe("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", wire.EndTruncated), "fake-complete", "a body with invalid framing (head: conflicting Content-Length"},
		{"different body", expect([]string{"passthrough"}), ref(up200, "close"), observe(strings.Replace(cl200, "0123456789", "0123x56789", 1), wire.EndTruncated), "fake-complete", "first difference at byte 4"},
		{"shorter body", expect([]string{"passthrough"}), ref(up200, "close"), observe(strings.Replace(cl200, "10\r\n\r\n0123456789", "3\r\n\r\n012", 1), wire.EndTruncated), "fake-complete", "3 bytes, the upstream sent 10"},
		{"replaced 502 body", expect([]string{"passthrough"}), ref("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 8\r\n\r\nupstream", "close"), observe(cl502, wire.EndTruncated), "fake-complete", "0 bytes, the upstream sent 8"},
		// Rule 7.
		{"identical", expect([]string{"passthrough"}), ref(up200, "close"), observe(cl200, wire.EndTruncated), "passthrough", "200, content-length, 10 of 10 bytes, body identical"},
		{"re-framed", expect([]string{"passthrough"}), ref(up200, "close"), observe(cl200Chunk, wire.EndTruncated), "passthrough", "chunked, last-chunk present"},
		{"marker dropped", expect([]string{"passthrough"}), ref(up200, "close"), observe(strings.Replace(cl200, "X-Gatecheck: t\r\n", "", 1), wire.EndTruncated), "dropped", "X-Gatecheck missing"},
		{"cache-control changed", expect([]string{"passthrough"}), ref(up200, "close"), observe(strings.Replace(cl200, "no-transform", "no-cache", 1), wire.EndTruncated), "dropped",
			`Cache-Control changed from "no-transform" to "no-cache"`},
		{"whitespace runs compare equal", expect([]string{"passthrough"}), ref(up200, "close"), observe(strings.Replace(cl200, "text/plain", "text/plain ", 1), wire.EndTruncated), "passthrough", ""},
		{"checked field changed", scenarios.Expectation{Pass: alts("passthrough"), CheckedFields: []string{"ETag"}},
			ref(strings.Replace(up200, "X-Gatecheck", "ETag: \"1\"\r\nX-Gatecheck", 1), "close"), observe(cl200, wire.EndTruncated), "dropped", "ETag missing"},
		{"repaired", repair("X-A", "a b"), ref(upObsFold, "close"), observe(strings.Replace(cl200, "X-Gatecheck", "X-A: a  b\r\nX-Gatecheck", 1), wire.EndTruncated), "repaired", `X-A: "a  b" repaired`},
		{"repair dropped", repair("X-A", "a b"), ref(upObsFold, "close"), observe(cl200, wire.EndTruncated), "dropped", "X-A dropped"},
		{"repair wrong", repair("X-A", "a b"), ref(upObsFold, "close"), observe(strings.Replace(cl200, "X-Gatecheck", "X-A: a\r\nX-Gatecheck", 1), wire.EndTruncated), "raw-relay", `X-A: "a" forwarded, not the prescribed repair "a b"`},
		{"repair of another kind", repair("X-A", "a b"), ref(strings.Replace(up200, "X-Gatecheck", "X-A: a\x00b\r\nX-Gatecheck", 1), "close"),
			observe(strings.Replace(cl200, "X-Gatecheck", "X-A: ab\r\nX-Gatecheck", 1), wire.EndTruncated), "raw-relay", `X-A: "ab" forwarded, not the prescribed repair "a b"`},
		{"repair impossible", repair("X-A", ""), ref(upObsFold, "close"), observe(strings.Replace(cl200, "X-Gatecheck", "X-A: a\r\nX-Gatecheck", 1), wire.EndTruncated), "raw-relay", "can only be dropped"},
		{"repaired but marker lost", repair("X-A", "a b"), ref(upObsFold, "close"),
			observe(strings.Replace(cl200, "X-Gatecheck: t", "X-A: a b", 1), wire.EndTruncated), "dropped", "X-A repaired, but X-Gatecheck missing"},
	} {
		t.Run(c.name, func(t *testing.T) {
			j := Judge(c.exp, c.ref, c.obs, scenarios.DefaultTimeouts(), false)
			if j.Outcome != scenarios.Outcome(c.outcome) || !strings.Contains(j.Actual, c.actual) {
				t.Errorf("got %s (%s); want %s (…%s…)", j.Outcome, j.Actual, c.outcome, c.actual)
			}
		})
	}
}

// TestJudgeVerdicts: every outcome word can pass, be non-strict and fail, and
// the always-failing outcomes fail even when listed.
func TestJudgeVerdicts(t *testing.T) {
	rp := &scenarios.Repair{Field: "X-A", Value: "a b"}
	obsFor := map[string]struct {
		ref wire.Response
		obs Observation
	}{
		"502":         {ref(up200CL, "close"), observe(cl502, wire.EndTruncated)},
		"504":         {ref("", "hang"), observe(cl504, wire.EndTruncated)},
		"503":         {ref("", "close"), observe(cl503, wire.EndTruncated)},
		"5xx":         {ref("", "close"), observe("HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n", wire.EndTruncated)},
		"passthrough": {ref(up200, "close"), observe(cl200, wire.EndTruncated)},
		"repaired":    {ref(upObsFold, "close"), observe(strings.Replace(cl200, "X-Gatecheck", "X-A: a b\r\nX-Gatecheck", 1), wire.EndTruncated)},
		"dropped":     {ref(upObsFold, "close"), observe(cl200, wire.EndTruncated)},
		"aborted":     {ref(up200CL, "close"), observe(clTrunc, wire.EndReset)},
		"no-response": {ref("", "close"), observe("", wire.EndReset)},
	}
	other := map[string]string{"passthrough": "502"}
	for word, o := range obsFor {
		otherWord := other[word]
		if otherWord == "" {
			otherWord = "passthrough"
		}
		never := scenarios.Alternative{Outcome: scenarios.Outcome(word), Attempts: &scenarios.Range{Min: 5, Max: 5}}
		for _, c := range []struct {
			exp  scenarios.Expectation
			want scenarios.Verdict
		}{
			{scenarios.Expectation{Pass: alts(word)}, scenarios.VerdictPass},
			{scenarios.Expectation{Pass: alts(otherWord), NonStrict: alts(word)}, scenarios.VerdictNonStrict},
			{scenarios.Expectation{Pass: []scenarios.Alternative{never}, NonStrict: []scenarios.Alternative{never}}, scenarios.VerdictFail},
		} {
			if j := Judge(scenarios.Expectation{Pass: alts("418")}, o.ref, o.obs, scenarios.DefaultTimeouts(), false); j.Verdict != scenarios.VerdictFail {
				t.Errorf("%s unlisted: got %s; want fail", word, j.Verdict)
			}
			if word == "repaired" || word == "dropped" {
				c.exp.Repair = rp
			}
			j := Judge(c.exp, o.ref, o.obs, scenarios.DefaultTimeouts(), false)
			if j.Outcome != scenarios.Outcome(word) || j.Verdict != c.want {
				t.Errorf("%s against %s: got %s %s (%s); want %s %s", word, j.Expected, j.Outcome, j.Verdict, j.Actual, word, c.want)
			}
		}
	}
	for word, o := range map[string]struct {
		ref wire.Response
		obs Observation
	}{
		"fake-complete": {ref(up200CL, "close"), observe(cl200Chunk, wire.EndTruncated)},
		"raw-relay":     {ref(upObsFold, "close"), observe(upObsFold, wire.EndTruncated)},
		"hung":          {ref("", "hang"), observe("", wire.EndTimeout)},
	} {
		j := Judge(expect([]string{word}, word), o.ref, o.obs, scenarios.DefaultTimeouts(), false)
		if j.Outcome != scenarios.Outcome(word) || j.Verdict != scenarios.VerdictFail {
			t.Errorf("%s listed: got %s %s; want %s fail", word, j.Outcome, j.Verdict, word)
		}
	}
}

// check builds an expectation of one passing alternative with checks, and a
// non-strict fallback that never matches.
func check(a scenarios.Alternative) scenarios.Expectation {
	return scenarios.Expectation{Pass: []scenarios.Alternative{a}}
}

func TestJudgeChecks(t *testing.T) {
	str := func(s string) *string { return &s }
	num := func(n int) *int { return &n }
	anchor := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	timed := func(o Observation, head, body, end time.Duration, anchors ...string) Observation {
		o.HeadAt, o.FirstBodyAt, o.EndAt = anchor.Add(head), anchor.Add(body), anchor.Add(end)
		o.Anchors = map[string]time.Time{}
		for _, a := range anchors {
			o.Anchors[a] = anchor
		}
		return o
	}
	with := func(o Observation, attempts int, reused bool) Observation {
		o.Attempts, o.Reused = attempts, reused
		return o
	}
	pass := observe(cl200, wire.EndTruncated)
	marked103 := "HTTP/1.1 103 Early Hints\r\nX-Gatecheck-Interim: 1\r\nLink: </a>\r\nVia: p\r\n\r\n"
	trailers := "HTTP/1.1 200 OK\r\n" + upFields + "Transfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n0\r\nX-T: 1\r\n\r\n"
	passthrough := func(a scenarios.Alternative) scenarios.Alternative { a.Outcome = "passthrough"; return a }
	for _, c := range []struct {
		name     string
		alt      scenarios.Alternative
		ref      wire.Response
		obs      Observation
		followUp bool
		want     scenarios.Verdict
		actual   string // substring of Actual
		notes    []string
	}{
		{"interim forwarded", passthrough(scenarios.Alternative{Interim: "forwarded"}), ref(up103+up200, "close"), observe(marked103+cl200, wire.EndTruncated), false, scenarios.VerdictPass, "", nil},
		{"interim forwarded among the proxy's own", passthrough(scenarios.Alternative{Interim: "forwarded"}), ref(up103+up200, "close"),
			observe("HTTP/1.1 100 Continue\r\n\r\n"+marked103+cl200, wire.EndTruncated), false, scenarios.VerdictPass, "", nil},
		{"interim swallowed", passthrough(scenarios.Alternative{Interim: "forwarded"}), ref(up103+up200, "close"), observe(cl200, wire.EndTruncated), false, scenarios.VerdictFail,
			"0 of the upstream's 1 interim responses (103) reached the client (it got no 1xx)", nil},
		{"interim made by the proxy", passthrough(scenarios.Alternative{Interim: "forwarded"}), ref(up103+up200, "close"),
			observe("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"+cl200, wire.EndTruncated), false, scenarios.VerdictFail, "it got 103 (unmarked)", nil},
		{"interim field lost", passthrough(scenarios.Alternative{Interim: "forwarded"}), ref(up103+up200, "close"),
			observe("HTTP/1.1 103 Early Hints\r\nX-Gatecheck-Interim: 1\r\n\r\n"+cl200, wire.EndTruncated), false, scenarios.VerdictFail, "interim 1 differs from the upstream's: Link missing", nil},
		{"interim twice", passthrough(scenarios.Alternative{Interim: "forwarded"}), ref(up103+up200, "close"), observe(marked103+marked103+cl200, wire.EndTruncated), false, scenarios.VerdictFail, "2 of the upstream's 1", nil},
		{"unmarked interim in order", passthrough(scenarios.Alternative{Interim: "forwarded"}), ref("HTTP/1.1 100 Continue\r\n\r\n"+up200, "close"),
			observe("HTTP/1.1 100 Continue\r\nVia: p\r\n\r\n"+cl200, wire.EndTruncated), false, scenarios.VerdictPass, "", nil},
		{"unmarked interim missing", passthrough(scenarios.Alternative{Interim: "forwarded"}), ref("HTTP/1.1 100 Continue\r\n\r\n"+up200, "close"),
			observe(cl200, wire.EndTruncated), false, scenarios.VerdictFail, "the upstream's interim 1 (100) never reached the client", nil},
		{"interim then 502", scenarios.Alternative{Outcome: "502", Interim: "forwarded"}, ref(up103, "close"), observe(marked103+cl502, wire.EndTruncated), false, scenarios.VerdictPass, "interim 103, then 502 from the proxy", nil},
		{"no interim", passthrough(scenarios.Alternative{Interim: "none"}), ref(up103+up200, "close"), observe(cl200, wire.EndTruncated), false, scenarios.VerdictPass, "", nil},
		{"interim when none is due", passthrough(scenarios.Alternative{Interim: "none"}), ref(up103+up200, "close"), observe(marked103+cl200, wire.EndTruncated), false, scenarios.VerdictFail, "the client got interim 103", nil},
		{"attempts in range", scenarios.Alternative{Outcome: "502", Attempts: &scenarios.Range{Min: 1, Max: 2}}, ref(up200CL, "close"), with(observe(cl502, wire.EndTruncated), 2, false), false, scenarios.VerdictPass, "", nil},
		{"attempts too many", scenarios.Alternative{Outcome: "502", Attempts: &scenarios.Range{Min: 1, Max: 1}}, ref(up200CL, "close"), with(observe(cl502, wire.EndTruncated), 2, false), false, scenarios.VerdictFail,
			"the upstream saw the request 2 times (want exactly 1 upstream attempt)", nil},
		{"attempts too few", scenarios.Alternative{Outcome: "502", Attempts: &scenarios.Range{Min: 1, Max: 1}}, ref(up200CL, "close"), with(observe(cl502, wire.EndTruncated), 0, false), false, scenarios.VerdictFail, "0 times", nil},
		{"reuse never held", passthrough(scenarios.Alternative{Reuse: "never"}), ref(up200, "close"), with(pass, 1, false), true, scenarios.VerdictPass, "", nil},
		{"reuse never broken", passthrough(scenarios.Alternative{Reuse: "never"}), ref(up200, "close"), with(pass, 1, true), true, scenarios.VerdictFail, "the follow-up rode the main request's upstream connection", nil},
		{"reuse allowed, pooled", passthrough(scenarios.Alternative{Reuse: "allowed"}), ref(up200, "close"), with(pass, 1, true), true, scenarios.VerdictPass, "", nil},
		{"reuse allowed, not pooled", passthrough(scenarios.Alternative{Reuse: "allowed"}), ref(up200, "close"), with(pass, 1, false), true, scenarios.VerdictPass, "", nil},
		{"reuse on a main request", passthrough(scenarios.Alternative{Reuse: "allowed"}), ref(up200, "close"), with(pass, 1, true), false, scenarios.VerdictFail, "reuse is a check for follow-ups only", nil},
		{"field absent", passthrough(scenarios.Alternative{Fields: []scenarios.FieldCheck{{Name: "X-Int", Absent: true}}}), ref(up200, "close"), pass, false, scenarios.VerdictPass, "", nil},
		{"field absent broken", passthrough(scenarios.Alternative{Fields: []scenarios.FieldCheck{{Name: "x-int", Absent: true}}}), ref(up200, "close"),
			observe(strings.Replace(cl200, "Date", "X-Int: 1\r\nDate", 1), wire.EndTruncated), false, scenarios.VerdictFail, "x-int: 1 forwarded", nil},
		{"field present", passthrough(scenarios.Alternative{Fields: []scenarios.FieldCheck{{Name: "Date", Present: true}}}), ref(up200, "close"), pass, false, scenarios.VerdictPass, "", nil},
		{"field present broken", passthrough(scenarios.Alternative{Fields: []scenarios.FieldCheck{{Name: "Age", Present: true}}}), ref(up200, "close"), pass, false, scenarios.VerdictFail, "Age absent", nil},
		{"field equals", passthrough(scenarios.Alternative{Fields: []scenarios.FieldCheck{{Name: "Set-Cookie", Equals: str("a=1, b=2")}}}), ref(up200, "close"),
			observe(strings.Replace(cl200, "Date: x", "Set-Cookie: a=1\r\nSet-Cookie: b=2", 1), wire.EndTruncated), false, scenarios.VerdictPass, "", nil},
		{"field equals broken", passthrough(scenarios.Alternative{Fields: []scenarios.FieldCheck{{Name: "Content-Length", Equals: str("12")}}}), ref(up200, "close"), pass, false, scenarios.VerdictFail,
			`Content-Length: "10" (want "12")`, nil},
		{"field equals absent", passthrough(scenarios.Alternative{Fields: []scenarios.FieldCheck{{Name: "Age", Equals: str("1")}}}), ref(up200, "close"), pass, false, scenarios.VerdictFail, `Age absent (want "1")`, nil},
		{"field count", passthrough(scenarios.Alternative{Fields: []scenarios.FieldCheck{{Name: "Set-Cookie", Count: num(2)}}}), ref(up200, "close"),
			observe(strings.Replace(cl200, "Date: x", "Set-Cookie: a=1\r\nSet-Cookie: b=2", 1), wire.EndTruncated), false, scenarios.VerdictPass, "", nil},
		{"field count broken", passthrough(scenarios.Alternative{Fields: []scenarios.FieldCheck{{Name: "Set-Cookie", Count: num(2)}}}), ref(up200, "close"),
			observe(strings.Replace(cl200, "Date: x", "Set-Cookie: a=1, b=2", 1), wire.EndTruncated), false, scenarios.VerdictFail, "1 Set-Cookie line(s) (want 2)", nil},
		{"field lacks held", passthrough(scenarios.Alternative{Fields: []scenarios.FieldCheck{{Name: "Connection", Lacks: "X-Int"}}}), ref(up200, "close"),
			observe(strings.Replace(cl200, "Date: x", "Connection: keep-alive", 1), wire.EndTruncated), false, scenarios.VerdictPass, "", nil},
		{"field lacks without the field", passthrough(scenarios.Alternative{Fields: []scenarios.FieldCheck{{Name: "Connection", Lacks: "X-Int"}}}), ref(up200, "close"), pass, false, scenarios.VerdictPass, "", nil},
		{"field lacks broken", passthrough(scenarios.Alternative{Fields: []scenarios.FieldCheck{{Name: "Connection", Lacks: "X-Int"}}}), ref(up200, "close"),
			observe(strings.Replace(cl200, "Date: x", "Connection: close, x-int", 1), wire.EndTruncated), false, scenarios.VerdictFail, "Connection: close, x-int forwarded, which lists X-Int", nil},
		{"method held", passthrough(scenarios.Alternative{Method: "HEAD"}), ref(up200, "close"), func() Observation { o := pass; o.UpstreamMethod = "HEAD"; return o }(), false, scenarios.VerdictPass, "", nil},
		{"method changed by the proxy", passthrough(scenarios.Alternative{Method: "HEAD"}), ref(up200, "close"), func() Observation { o := pass; o.UpstreamMethod = "GET"; return o }(), false, scenarios.VerdictFail,
			"the upstream saw a GET, not the client's HEAD", nil},
		{"method never seen", passthrough(scenarios.Alternative{Method: "HEAD"}), ref(up200, "close"), pass, false, scenarios.VerdictFail, "the upstream never saw the request, so not as a HEAD", nil},
		{"trailer present", passthrough(scenarios.Alternative{Fields: []scenarios.FieldCheck{{Name: "X-T", In: "trailers", Present: true}}}), ref(up200, "close"), observe(trailers, wire.EndTruncated), false, scenarios.VerdictPass, "", nil},
		{"trailer not in the head", passthrough(scenarios.Alternative{Fields: []scenarios.FieldCheck{{Name: "X-T", Absent: true}}}), ref(up200, "close"), observe(trailers, wire.EndTruncated), false, scenarios.VerdictPass, "", nil},
		{"trailer absent broken", passthrough(scenarios.Alternative{Fields: []scenarios.FieldCheck{{Name: "X-T", In: "trailers", Absent: true}}}), ref(up200, "close"), observe(trailers, wire.EndTruncated), false, scenarios.VerdictFail,
			"trailer X-T: 1 forwarded", nil},
		{"within complete", passthrough(scenarios.Alternative{Within: &scenarios.Within{Limit: scenarios.MustDuration("promptly")}}), ref(up200, "close"),
			timed(pass, 0, 0, 200*time.Millisecond, "last-byte"), false, scenarios.VerdictPass, "", nil},
		{"within complete late", passthrough(scenarios.Alternative{Within: &scenarios.Within{Limit: scenarios.MustDuration("promptly")}}), ref(up200, "close"),
			timed(pass, 0, 0, 300*time.Millisecond, "last-byte"), false, scenarios.VerdictFail, "complete 300ms after the upstream's last byte (limit 250ms)", nil},
		{"within head after a mark", passthrough(scenarios.Alternative{Within: &scenarios.Within{Limit: scenarios.MustDuration("read_timeout / 2"), Event: "head", After: "m"}}), ref(up200, "close"),
			timed(pass, 400*time.Millisecond, time.Second, time.Second, "m"), false, scenarios.VerdictPass, "", nil},
		{"within head late", passthrough(scenarios.Alternative{Within: &scenarios.Within{Limit: scenarios.MustDuration("100ms"), Event: "head"}}), ref(up200, "close"),
			timed(pass, 400*time.Millisecond, time.Second, time.Second, "last-byte"), false, scenarios.VerdictFail, "head 400ms after the upstream's last byte (limit 100ms)", nil},
		{"within first body byte", passthrough(scenarios.Alternative{Within: &scenarios.Within{Limit: scenarios.MustDuration("100ms"), Event: "first-body-byte", After: "first-event"}}), ref(up200, "close"),
			timed(pass, 0, -time.Second, time.Second, "first-event"), false, scenarios.VerdictPass, "", nil},
		{"within missing anchor", passthrough(scenarios.Alternative{Within: &scenarios.Within{Limit: scenarios.MustDuration("1s"), After: "m"}}), ref(up200, "close"),
			timed(pass, 0, 0, 0, "last-byte"), false, scenarios.VerdictFail, `no time for the upstream's mark "m" in the journal, so nothing to time from`, nil},
		{"within missing event", passthrough(scenarios.Alternative{Within: &scenarios.Within{Limit: scenarios.MustDuration("1s"), Event: "first-body-byte"}}), ref(up200, "close"),
			func() Observation { o := timed(pass, 0, 0, 0, "last-byte"); o.FirstBodyAt = time.Time{}; return o }(), false, scenarios.VerdictFail, "no body byte arrived", nil},
		{"within a response cut by the deadline", scenarios.Alternative{Outcome: "hung", Within: &scenarios.Within{Limit: scenarios.MustDuration("1s")}}, ref(up200, "close"),
			timed(observe("", wire.EndTimeout), 0, 0, 0, "last-byte"), false, scenarios.VerdictFail, "nothing within", nil},
		{"within an abort", scenarios.Alternative{Outcome: "aborted", Within: &scenarios.Within{Limit: scenarios.MustDuration("read_timeout + 1s")}}, ref(up200CL, "hang"),
			timed(observe(clTrunc, wire.EndReset), 0, 0, 1500*time.Millisecond, "last-byte"), false, scenarios.VerdictPass, "", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			j := Judge(check(c.alt), c.ref, c.obs, scenarios.DefaultTimeouts(), c.followUp)
			if j.Verdict != c.want || !strings.Contains(j.Actual, c.actual) || strings.Join(j.Notes, "|") != strings.Join(c.notes, "|") {
				t.Errorf("got %s %s (%s), notes %q; want %s (…%s…), notes %q\n  expected: %s", j.Verdict, j.Outcome, j.Actual, j.Notes, c.want, c.actual, c.notes, j.Expected)
			}
		})
	}
}

func TestJudgeNonStrictFallback(t *testing.T) {
	exp := scenarios.Expectation{
		Pass:      []scenarios.Alternative{{Outcome: "502", Attempts: &scenarios.Range{Min: 1, Max: 1}}},
		NonStrict: []scenarios.Alternative{{Outcome: "5xx", Attempts: &scenarios.Range{Min: 1, Max: 1}}},
	}
	o := observe(cl503, wire.EndTruncated)
	if j := Judge(exp, ref("", "reset"), o, scenarios.DefaultTimeouts(), false); j.Verdict != scenarios.VerdictNonStrict || j.Outcome != "5xx" {
		t.Errorf("503 once: got %s %s; want non-strict 5xx", j.Verdict, j.Outcome)
	}
	o.Attempts = 2
	if j := Judge(exp, ref("", "reset"), o, scenarios.DefaultTimeouts(), false); j.Verdict != scenarios.VerdictFail || !strings.Contains(j.Actual, "the upstream saw the request 2 times") {
		t.Errorf("503 twice: got %s (%s); want fail naming the attempts", j.Verdict, j.Actual)
	}
	o = observe(cl502, wire.EndTruncated)
	o.Attempts = 2
	if j := Judge(exp, ref("", "reset"), o, scenarios.DefaultTimeouts(), false); j.Verdict != scenarios.VerdictFail || j.Outcome != "502" {
		t.Errorf("502 twice: got %s %s; want fail 502 (a named 502 is not 5xx)", j.Verdict, j.Outcome)
	}
}

func TestExpectedWords(t *testing.T) {
	str := func(s string) *string { return &s }
	to := scenarios.DefaultTimeouts()
	for _, c := range []struct {
		exp  scenarios.Expectation
		want string
	}{
		{expect([]string{"aborted", "502"}, "5xx"), "aborted or 502 (non-strict: 5xx)"},
		{expect([]string{"502", "504", "passthrough"}), "502, 504 or passthrough"},
		{scenarios.Expectation{Pass: []scenarios.Alternative{{Outcome: "passthrough", Fields: []scenarios.FieldCheck{{Name: "X-Int", Absent: true}, {Name: "Connection", Absent: true}}}}},
			"passthrough with X-Int absent and Connection absent"},
		{scenarios.Expectation{Pass: []scenarios.Alternative{{Outcome: "502", Attempts: &scenarios.Range{Min: 1, Max: 1}}}}, "502 after exactly 1 upstream attempt"},
		{scenarios.Expectation{Pass: []scenarios.Alternative{{Outcome: "504", Interim: "forwarded"}}, NonStrict: []scenarios.Alternative{{Outcome: "502", Interim: "forwarded"}}},
			"1xx forwarded, then 504 (non-strict: 1xx forwarded, then 502)"},
		{scenarios.Expectation{Pass: []scenarios.Alternative{{Outcome: "passthrough", Within: &scenarios.Within{Limit: scenarios.MustDuration("promptly")}}}},
			"passthrough, complete within promptly (250ms) of the upstream's last byte"},
		{scenarios.Expectation{Pass: []scenarios.Alternative{{Outcome: "passthrough", Reuse: "never", Fields: []scenarios.FieldCheck{{Name: "X-T", In: "trailers", Equals: str("1")}}}}},
			`passthrough with trailer X-T: "1", on a new upstream connection`},
		{scenarios.Expectation{Pass: alts("502", "repaired"), NonStrict: alts("dropped"), Repair: &scenarios.Repair{Field: "X-A", Value: "v"}},
			`502 or repaired (X-A: "v") (non-strict: dropped (X-A removed))`},
	} {
		if got := renderExpected(c.exp, &to); got != c.want {
			t.Errorf("got %q; want %q", got, c.want)
		}
	}
	if got := expectedText(scenarios.Expectation{Pass: []scenarios.Alternative{{Outcome: "passthrough", Within: &scenarios.Within{Limit: scenarios.MustDuration("promptly")}}}}); got != "passthrough, complete within promptly of the upstream's last byte" {
		t.Errorf("expectedText: got %q", got)
	}
}

func TestJudgeClientError(t *testing.T) {
	o := observe("", wire.EndTimeout)
	o.Err = "exchange cancelled: context canceled"
	j := Judge(expect([]string{"502"}), ref(up200, "close"), o, scenarios.DefaultTimeouts(), false)
	if j.Verdict != scenarios.VerdictError || j.Outcome != "none" || !strings.Contains(j.Actual, "context canceled") {
		t.Errorf("got %s %s (%s); want error none naming the cause", j.Verdict, j.Outcome, j.Actual)
	}
}
