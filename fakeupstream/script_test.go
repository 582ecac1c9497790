package fakeupstream

import (
	"bytes"
	"math"
	"strconv"
	"testing"
	"time"
)

func TestScriptOutputAndEnding(t *testing.T) {
	tests := []struct {
		name   string
		steps  []Step
		output string
		ending ScriptEnding
	}{
		{"write", []Step{Read{}, Write{[]byte("a\x00\xff")}}, "a\x00\xff", EndingOpen},
		{"body", []Step{Body{N: 10}}, "ABCDEFGHIJ", EndingOpen},
		{"chunked body", []Step{Body{N: 10, ChunkSize: 4}}, "4\r\nABCD\r\n4\r\nEFGH\r\n2\r\nIJ\r\n", EndingOpen},
		{"chunk", []Step{Chunk{[]byte("hello")}, Chunk{}}, "5\r\nhello\r\n0\r\n\r\n", EndingOpen},
		{"pattern continues", []Step{Body{N: 3}, Drip{N: 3, Size: 2}, Body{N: 2, ChunkSize: 1}}, "ABCDEF1\r\nG\r\n1\r\nH\r\n", EndingOpen},
		{"drip data leaves the pattern alone", []Step{Drip{Data: []byte("xyz")}, Body{N: 2}}, "xyzAB", EndingOpen},
		{"first read anywhere", []Step{Write{[]byte("a")}, Read{What: ReadRequest}, Write{[]byte("b")}}, "ab", EndingOpen},
		{"second read request", []Step{Read{}, Write{[]byte("a")}, Read{}, Write{[]byte("b")}}, "a", EndingOpen},
		{"second read head", []Step{Read{What: ReadHead}, Read{What: ReadBody}, Write{[]byte("a")}, Read{What: ReadHead}, Write{[]byte("b")}}, "a", EndingOpen},
		{"close", []Step{Read{}, Write{[]byte("a")}, Close{}, Write{[]byte("b")}}, "a", EndingClose},
		{"reset", []Step{Read{}, Write{[]byte("a")}, Reset{}}, "a", EndingReset},
		{"half close", []Step{Read{}, Write{[]byte("a")}, HalfClose{}, Write{[]byte("b")}, Close{}}, "a", EndingHalfClose},
		{"hang", []Step{Read{}, Sleep{D: time.Second}, Write{[]byte("a")}, Hang{}}, "a", EndingHang},
		{"close after the next read", []Step{Read{}, Write{[]byte("a")}, Read{}, Close{}}, "a", EndingOpen},
		{"pointer steps", []Step{&Read{}, &Write{[]byte("a")}, &Body{N: 1}, &Close{}}, "aA", EndingClose},
		{"interim response", []Step{Read{What: ReadHead}, Write{[]byte("HTTP/1.1 100 Continue\r\n\r\n")}, Read{What: ReadBody}, Write{[]byte(ok200)}},
			"HTTP/1.1 100 Continue\r\n\r\n" + ok200, EndingOpen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Script{Steps: tt.steps}
			if got := string(s.Output()); got != tt.output {
				t.Errorf("Output() = %q; want %q", got, tt.output)
			}
			if got := s.Ending(); got != tt.ending {
				t.Errorf("Ending() = %q; want %q", got, tt.ending)
			}
		})
	}
}

func TestScriptOutputLargeChunkedBody(t *testing.T) {
	const n, size = 100000, 40000
	var want []byte
	for off := int64(0); off < n; off += size {
		k := min(int64(size), n-off)
		want = strconv.AppendInt(want, k, 16)
		want = append(want, "\r\n"...)
		want = append(want, Pattern(off, k)...)
		want = append(want, "\r\n"...)
	}
	got := Script{Steps: []Step{Body{N: n, ChunkSize: size}}}.Output()
	if !bytes.Equal(got, want) {
		t.Errorf("Output() of a %d-byte body in %d-byte chunks differs (len %d; want %d)", n, size, len(got), len(want))
	}
}

// TestPauses checks the pauses a scenario's deadline counts: a Sleep's, and a
// Drip's between its pieces, saturating; nothing for a Hang, which waits for
// the peer.
func TestPauses(t *testing.T) {
	tests := []struct {
		name  string
		steps []Step
		want  time.Duration
	}{
		{"none", []Step{Read{}, Write{[]byte("x")}, Hang{Max: time.Hour}}, 0},
		{"sleeps", []Step{Sleep{D: 100 * time.Millisecond}, Sleep{D: time.Second}}, 1100 * time.Millisecond},
		{"drip data", []Step{Drip{Data: []byte("abcd"), Every: 10 * time.Millisecond}}, 30 * time.Millisecond},
		{"drip generated", []Step{Drip{N: 10, Size: 3, Every: 5 * time.Millisecond}}, 15 * time.Millisecond},
		{"single piece", []Step{Drip{N: 3, Size: 3, Every: time.Hour}}, 0},
		{"both", []Step{Sleep{D: time.Second}, &Drip{Data: []byte("ab"), Every: time.Second}}, 2 * time.Second},
		{"negative", []Step{Sleep{D: -time.Second}, Drip{N: 2, Every: -time.Second}}, 0},
		{"saturates", []Step{Drip{N: 3, Every: math.MaxInt64/2 + 1}}, math.MaxInt64},
	}
	for _, tt := range tests {
		if got := scriptDuration(Script{Steps: tt.steps}); got != tt.want {
			t.Errorf("%s: scriptDuration = %v; want %v", tt.name, got, tt.want)
		}
	}
}
