package harness

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/http2"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/judge"
	"github.com/gatecheck/gatecheck/scenarios"
)

// h2FixtureDoc is a scenario that works the HTTP/2 fixture's machinery: a
// request body beyond the fixture's initial window (its WINDOW_UPDATEs), a
// field block beyond one frame (CONTINUATION), a response body beyond the
// client's small stream window (the client's WINDOW_UPDATEs), and a follow-up
// on the same connection (a second stream).
var h2FixtureDoc = `id: own/h2-fixture
summary: a POST of 200 KiB answered with 5000 bytes, then a follow-up on the same connection
spec: {section: RFC 9110 §7.7, quote: q}
level: must
clients: [h2]
h2_settings: {initial_window_size: 1000}
request: {method: POST, body_bytes: 200KiB}
upstream:
  - read: request
  - write: 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nCache-Control: no-transform\r\nX-Gatecheck: h2-fixture\r\nContent-Length: 5000\r\n\r\n'
  - body: 5000
follow_ups:
  - connection: same
expect: {pass: [passthrough]}
examples:
  - name: relayed, then the follow-up on stream 3
    verdict: pass
    outcome: passthrough
    h2:
      - headers: [':status: 200', 'content-type: text/plain', 'cache-control: no-transform', 'x-gatecheck: h2-fixture', 'x-pad: ` + strings.Repeat("p", 40000) + `']
      - data: 3000
      - data: {bytes: 2000, end_stream: true}
    follow_ups:
      - h2:
          - headers: [':status: 200', 'content-type: text/plain', 'cache-control: no-transform', 'x-gatecheck: follow-up']
          - data: {text: 'follow-up answer\n', end_stream: true}
  - name: the follow-up's stream reset after its head
    verdict: fail
    outcome: aborted
    h2:
      - headers: [':status: 200', 'content-type: text/plain', 'cache-control: no-transform', 'x-gatecheck: h2-fixture']
      - data: {bytes: 5000, end_stream: true}
    follow_ups:
      - h2:
          - headers: [':status: 200', 'content-type: text/plain', 'cache-control: no-transform', 'x-gatecheck: follow-up']
          - rst_stream: CANCEL
`

// TestH2Fixture replays h2FixtureDoc's examples through the HTTP/2 fixture:
// each gets its verdict, and the follow-up rode the main request's connection.
func TestH2Fixture(t *testing.T) {
	t.Parallel()
	sc := parseScenarios(t, h2FixtureDoc)[0]
	for _, ex := range sc.Examples {
		res, err := runExample(sc, ex)
		if err != nil {
			t.Fatalf("example %q: %v", ex.Name, err)
		}
		checkExample(t, sc, ex, judge.Judgement{Verdict: res.Verdict, Outcome: res.Outcome, Expected: res.Expected, Actual: res.Actual})
		for _, n := range res.Notes {
			if strings.Contains(n, "not sent") {
				t.Errorf("example %q: %s", ex.Name, n)
			}
		}
	}
}

// TestH2FixtureAcks: the fixture's connection preface is a SETTINGS frame, and
// it acknowledges the client's SETTINGS and PING.
func TestH2FixtureAcks(t *testing.T) {
	t.Parallel()
	sc := parseScenarios(t, h2FixtureDoc)[0]
	up, err := fakeupstream.Start(fakeupstream.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	fx := newH2Fixture(quietTB{t}, up, sc, sc.Examples[0])
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := fx.Start(ctx, up.Endpoints()); err != nil {
		t.Fatal(err)
	}
	defer fx.Stop(context.Background())
	l, err := fx.HTTP2(scenarios.ClientH2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fx.HTTP2(scenarios.ClientH2TLS); err == nil {
		t.Error("h2-tls: got a listener; want NotServed")
	}
	nc, err := net.Dial("tcp", l.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	_ = nc.SetDeadline(time.Now().Add(5 * time.Second))
	fr := http2.NewFramer(nc, nc)
	if _, err := nc.Write([]byte(http2.ClientPreface)); err != nil {
		t.Fatal(err)
	}
	if err := fr.WriteSettings(); err != nil {
		t.Fatal(err)
	}
	if err := fr.WritePing(false, [8]byte{1, 2, 3, 4, 5, 6, 7, 8}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for len(got) < 3 {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("after %v: %v", got, err)
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if f.IsAck() {
				got = append(got, "SETTINGS ack")
			} else {
				got = append(got, "SETTINGS")
			}
		case *http2.PingFrame:
			if f.IsAck() && f.Data == [8]byte{1, 2, 3, 4, 5, 6, 7, 8} {
				got = append(got, "PING ack")
			}
		}
	}
	if strings.Join(got, ", ") != "SETTINGS, SETTINGS ack, PING ack" {
		t.Errorf("got %v; want SETTINGS, SETTINGS ack, PING ack", got)
	}
}
