package harness

import (
	"testing"

	"github.com/gatecheck/gatecheck/fakeupstream"
)

func TestReference(t *testing.T) {
	out := []byte("HTTP/1.0 200 OK\r\n\r\nhello")
	for _, c := range []struct {
		ending   fakeupstream.ScriptEnding
		complete bool
	}{{"close", true}, {"half_close", true}, {"reset", false}, {"hang", false}, {"open", false}} {
		if got := reference(out, c.ending, "GET"); got.Complete != c.complete {
			t.Errorf("reference(close-delimited, %q): got complete %v; want %v", c.ending, got.Complete, c.complete)
		}
	}
	if got := reference([]byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"), "open", "GET"); !got.Complete {
		t.Errorf("reference(content-length, open): got incomplete; want complete")
	}
}
