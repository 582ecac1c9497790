package judge

import (
	"testing"

	"github.com/gatecheck/gatecheck/wire"
)

// TestFramingWordsEndStream: HTTP/2 content without a content-length is
// described by its END_STREAM, not as invalid framing.
func TestFramingWordsEndStream(t *testing.T) {
	for _, tc := range []struct {
		r    wire.Response
		want string
	}{
		{wire.Response{Framing: wire.FramingEndStream, BodyLen: 30, Complete: true}, "no content-length, 30 bytes ended by END_STREAM"},
		{wire.Response{Framing: wire.FramingEndStream, BodyLen: 10}, "no content-length, 10 bytes"},
	} {
		if got := framingWords(tc.r, wire.Response{}); got != tc.want {
			t.Errorf("got %q; want %q", got, tc.want)
		}
	}
}
