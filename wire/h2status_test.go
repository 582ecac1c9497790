package wire

import (
	"strings"
	"testing"

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
