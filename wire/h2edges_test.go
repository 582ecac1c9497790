package wire

import (
	"context"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// TestH2StatusRange: a :status is any three digits, as a status line's code
// is; one outside 100-599 is noted (RFC 9110 §15 has a client treat it as 5xx),
// not a malformation, just as ParseHTTP1Response notes it.
func TestH2StatusRange(t *testing.T) {
	for _, tc := range []struct {
		value  string
		status int
		bad    bool
		note   bool
	}{
		{"200", 200, false, false},
		{"099", 99, false, true},
		{"999", 999, false, true},
		{"+99", 0, true, false},
		{"20", 0, true, false},
		{"2OO", 0, true, false},
		{"2000", 0, true, false},
	} {
		var f findings
		b := readH2Block([]hpack.HeaderField{{Name: ":status", Value: tc.value}}, "head", false, &f)
		bad, notes := f.lists()
		if b.status != tc.status || (len(bad) > 0) != tc.bad || (len(notes) > 0) != tc.note {
			t.Errorf(":status %q: got status %d, violations %q, notes %q", tc.value, b.status, bad, notes)
		}
		if tc.note && !strings.Contains(strings.Join(notes, ""), "outside 100-599") {
			t.Errorf(":status %q: notes %q", tc.value, notes)
		}
	}
}

// TestH2ExchangeDeadline: a stream the proxy never answers ends the exchange
// at its deadline (EndTimeout), and a cancelled context ends it at once; the
// exchange used to go on reading after either.
func TestH2ExchangeDeadline(t *testing.T) {
	silent := func(*http2.Framer, func(...string) []byte, func() http2.Frame) {}
	for _, cancelled := range []bool{false, true} {
		p := startH2Peer(t, nil, silent)
		c, err := DialHTTP2(context.Background(), p.addr, nil, H2Settings{}, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		if cancelled {
			time.AfterFunc(100*time.Millisecond, cancel)
		}
		start := time.Now()
		x := c.Exchange(ctx, H2Request{Method: "GET", Path: "/x", Authority: "gatecheck.test"}, time.Now().Add(300*time.Millisecond))
		cancel()
		c.Close()
		if d := time.Since(start); x.Ending != EndTimeout || d > 3*time.Second || (x.Err != "") != cancelled {
			t.Errorf("cancelled %v: got ending %s after %v, err %q; want %s within the deadline", cancelled, x.Ending, d, x.Err, EndTimeout)
		}
	}
}
