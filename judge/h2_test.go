package judge

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/wire"
)

// h2obs is an HTTP/2 client's observation: a final head of status with the
// given fields, body bytes, and how the stream ended.
func h2obs(status int, fields []wire.Field, body string, contentLength int64, stream wire.H2Stream, ending wire.Ending, violations ...string) Observation {
	r := wire.Response{HeadComplete: status != 0, Final: wire.Head{StatusLine: "HTTP/2 " + strconv.Itoa(status), Version: "HTTP/2", Status: status, Fields: fields},
		Framing: wire.FramingEndStream, Body: []byte(body), BodyLen: int64(len(body)), Violations: violations}
	if status != 0 {
		r.Raw = []byte("HTTP/2 " + strconv.Itoa(status) + "\r\n\r\n" + body)
	}
	if contentLength >= 0 {
		r.Framing, r.ContentLength = wire.FramingContentLength, contentLength
	}
	r.Complete = r.HeadComplete && stream.EndStream
	r.BodySHA256 = wire.ParseHTTP1Response([]byte("HTTP/1.1 200 OK\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"+body), "GET", wire.EndTruncated).BodySHA256
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := stream
	return Observation{Exchange: wire.Exchange{Response: r, Ending: ending, SentAt: at, EndAt: at.Add(time.Millisecond), End: time.Millisecond, H2: &s}, Attempts: 1}
}

var h2Fields = []wire.Field{{Name: "content-type", Value: "text/plain"}, {Name: "cache-control", Value: "no-transform"}, {Name: "x-gatecheck", Value: "t"}}

// TestJudgeHTTP2 proves each HTTP/2 mapping of the glossary's words both ways:
// the outcome it must give, and the verdict under an expectation.
func TestJudgeHTTP2(t *testing.T) {
	no := false
	abortedReset := scenarios.Expectation{Pass: []scenarios.Alternative{{Outcome: scenarios.OutcomeAborted, RSTCode: []string{"INTERNAL_ERROR", "CANCEL"}, EndStream: &no}}}
	tests := []struct {
		name    string
		exp     scenarios.Expectation
		up      wire.Response
		obs     Observation
		outcome scenarios.Outcome
		verdict scenarios.Verdict
		actual  string
	}{
		{"passthrough", expect([]string{"passthrough"}), ref(up200, "close"),
			h2obs(200, h2Fields, "0123456789", 10, wire.H2Stream{ID: 1, EndStream: true}, wire.EndComplete),
			scenarios.OutcomePassthrough, scenarios.VerdictPass, "body identical"},
		{"RST_STREAM after the head is aborted", abortedReset, ref(up200CL, "close"),
			h2obs(200, h2Fields, "0123456789", 100, wire.H2Stream{ID: 1, Reset: "INTERNAL_ERROR"}, wire.EndReset),
			scenarios.OutcomeAborted, scenarios.VerdictPass, "RST_STREAM(INTERNAL_ERROR)"},
		{"the wrong RST_STREAM code fails rst_code", abortedReset, ref(up200CL, "close"),
			h2obs(200, h2Fields, "0123456789", 100, wire.H2Stream{ID: 1, Reset: "PROTOCOL_ERROR"}, wire.EndReset),
			scenarios.OutcomeAborted, scenarios.VerdictFail, "not RST_STREAM(INTERNAL_ERROR or CANCEL)"},
		{"END_STREAM after a truncated upstream body is fake-complete", expect([]string{"aborted", "502"}), ref(up200CL, "close"),
			h2obs(200, h2Fields, "0123456789", -1, wire.H2Stream{ID: 1, EndStream: true}, wire.EndComplete),
			scenarios.OutcomeFakeComplete, scenarios.VerdictFail, "presented as complete"},
		{"END_STREAM short of the proxy's content-length is fake-complete", expect([]string{"passthrough"}), ref(up200, "close"),
			h2obs(200, h2Fields, "01234", 10, wire.H2Stream{ID: 1, EndStream: true}, wire.EndComplete),
			scenarios.OutcomeFakeComplete, scenarios.VerdictFail, "END_STREAM after 5 bytes of the content-length of 10"},
		{"a connection-specific field is raw-relay", expect([]string{"passthrough"}), ref(up200, "close"),
			h2obs(200, h2Fields, "0123456789", 10, wire.H2Stream{ID: 1, EndStream: true}, wire.EndComplete, "head: the connection-specific field transfer-encoding (RFC 9113 §8.2.2)"),
			scenarios.OutcomeRawRelay, scenarios.VerdictFail, "not valid HTTP/2"},
		{"a frame after END_STREAM is protocol-error", expect([]string{"passthrough"}), ref(up200, "close"),
			h2obs(200, h2Fields, "0123456789", 10, wire.H2Stream{ID: 1, EndStream: true, ProtocolErrors: []string{"DATA on stream 1 after its END_STREAM"}}, wire.EndComplete),
			scenarios.OutcomeProtocolError, scenarios.VerdictFail, "an HTTP/2 protocol error of the proxy's"},
		{"RST_STREAM before any HEADERS is no-response", expect([]string{"502"}, "no-response"), ref(up200CL, "close"),
			h2obs(0, nil, "", -1, wire.H2Stream{ID: 1, Reset: "INTERNAL_ERROR"}, wire.EndReset),
			scenarios.OutcomeNoResponse, scenarios.VerdictNonStrict, "RST_STREAM(INTERNAL_ERROR) before any HEADERS or DATA"},
		{"a 502 over HTTP/2", expect([]string{"502"}), ref("HTTP/1.1 2OO OK\r\n\r\n", "close"),
			h2obs(502, nil, "", 0, wire.H2Stream{ID: 1, EndStream: true}, wire.EndComplete),
			scenarios.Outcome502, scenarios.VerdictPass, "502"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := Judge(tt.exp, tt.up, tt.obs, scenarios.DefaultTimeouts(), false)
			if j.Outcome != tt.outcome || j.Verdict != tt.verdict || !strings.Contains(j.Actual, tt.actual) {
				t.Errorf("got %s %s (%s); want %s %s with %q", j.Verdict, j.Outcome, j.Actual, tt.verdict, tt.outcome, tt.actual)
			}
		})
	}
	// The HTTP/2 checks fail, saying why, for an HTTP/1.1 observation.
	j := Judge(abortedReset, ref(up200CL, "close"), observe(clTrunc, wire.EndTruncated), scenarios.DefaultTimeouts(), false)
	if j.Verdict != scenarios.VerdictFail || !strings.Contains(j.Actual, "HTTP/2 checks") {
		t.Errorf("rst_code on an HTTP/1.1 observation: %s (%s)", j.Verdict, j.Actual)
	}
}
