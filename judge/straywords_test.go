package judge

import (
	"strings"
	"testing"

	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/wire"
)

const strayOK = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"

// TestStrayWords: what the judge says of bytes after a complete response.
func TestStrayWords(t *testing.T) {
	const second = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\npoison"
	for _, c := range []struct {
		name, method, raw, extra, want string
	}{
		{"none", "GET", strayOK + "hello", "", ""},
		{"only CRLFs", "GET", strayOK + "hello", "\r\n\r\n", ""},
		{"a second response", "GET", strayOK + "hello", second, `44 bytes after the complete message, before the client's next request: a second status line, "HTTP/1.1 200 OK"`},
		{"a body after HEAD", "HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", "hello", "5 bytes after the response to a HEAD, which cannot have a body"},
		{"a body after 304", "GET", "HTTP/1.1 304 Not Modified\r\n\r\n", "x", "1 byte after the 304, which cannot have a body"},
		{"tunnel data after 101", "GET", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n", "tunnel", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			obs := Observation{Exchange: wire.Exchange{Response: wire.ParseHTTP1Response([]byte(c.raw), c.method, wire.EndComplete), Ending: wire.EndComplete, Method: c.method}}
			obs.Response.Extra = append(obs.Response.Extra, c.extra...)
			got := Stray(obs)
			if c.want == "" && got != "" || !strings.Contains(got, c.want) {
				t.Errorf("got %q; want …%q…", got, c.want)
			}
			j := Judge(scenarios.Expectation{Pass: []scenarios.Alternative{{Outcome: "passthrough"}}}, obs.Response, obs, scenarios.DefaultTimeouts(), false)
			if wantRelay := c.want != ""; (j.Outcome == scenarios.OutcomeRawRelay) != wantRelay || wantRelay && j.Verdict != scenarios.VerdictFail {
				t.Errorf("judged %s %s (%s); want raw-relay %v", j.Verdict, j.Outcome, j.Actual, wantRelay)
			}
		})
	}
}
