package fakeupstream

import (
	"bufio"
	"bytes"
	"io"
	"testing"
	"time"
)

// allBytes holds every byte value once.
var allBytes = func() []byte {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}()

// TestStepsOnTheWire plays each writing step and checks what a raw client got, byte
// for byte, against the literal bytes and against Script.Output.
func TestStepsOnTheWire(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	tests := []struct {
		name  string
		steps []Step
		want  []byte
	}{
		{"write every byte value", []Step{Write{allBytes}, Write{allBytes}}, append(append([]byte{}, allBytes...), allBytes...)},
		{"body", []Step{Body{N: 10}}, []byte("ABCDEFGHIJ")},
		{"big body", []Step{Body{N: 1 << 20}}, Pattern(0, 1<<20)},
		{"chunked body", []Step{Body{N: 10, ChunkSize: 4}}, []byte("4\r\nABCD\r\n4\r\nEFGH\r\n2\r\nIJ\r\n")},
		{"chunk", []Step{Chunk{[]byte("\x00\xff")}, Chunk{[]byte("0123456789abcdef")}, Chunk{}}, []byte("2\r\n\x00\xff\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n")},
		{"drip data", []Step{Drip{Data: []byte("hello"), Size: 2}}, []byte("hello")},
		{"drip generated after body", []Step{Body{N: 2}, Drip{N: 3}}, []byte("ABCDE")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			steps := append(append([]Step{Read{}}, tt.steps...), Close{})
			path, token := addScript(t, s, steps...)
			c := dial(t, s.Endpoints().Main)
			send(t, c, get(path))
			got, err := readToError(c)
			if err != io.EOF {
				t.Errorf("read: %v; want io.EOF after the bytes", err)
			}
			if !bytes.Equal(got, tt.want) {
				t.Errorf("got %d bytes %.80q; want %d bytes %.80q", len(got), got, len(tt.want), tt.want)
			}
			if out := (Script{Steps: steps}).Output(); !bytes.Equal(out, got) {
				t.Errorf("Output() = %.80q; differs from the wire", out)
			}
			rec := waitFor(t, s, token, "the connection to end", connClosed)
			if by := rec.Connections[0].ClosedBy; by != ClosedByUpstream {
				t.Errorf("closed by %q; want %q", by, ClosedByUpstream)
			}
		})
	}
}

func TestDripAndSleepTiming(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	tests := []struct {
		name  string
		steps []Step
		want  string
	}{
		{"drip", []Step{Drip{Data: []byte("abcdef"), Size: 2, Every: 30 * time.Millisecond}}, "abcdef"},
		{"sleep", []Step{Sleep{D: 60 * time.Millisecond}, Write{[]byte("x")}}, "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			script := Script{Steps: append(append([]Step{Read{}}, tt.steps...), Close{})}
			path, token := addScript(t, s, script.Steps...)
			c := dial(t, s.Endpoints().Main)
			start := time.Now()
			send(t, c, get(path))
			got, err := readToError(c)
			elapsed := time.Since(start)
			if err != io.EOF || string(got) != tt.want {
				t.Errorf("got %q, %v; want %q, io.EOF", got, err, tt.want)
			}
			if limit := scriptDuration(script) + 2*time.Second; elapsed > limit {
				t.Errorf("took %v; want at most %v", elapsed, limit)
			}
			q, _ := waitFor(t, s, token, "the script to end", requestDone(0)).First(0)
			if q.FirstWrite.IsZero() || q.LastWrite.Before(q.FirstWrite) || q.Done.Before(q.LastWrite) {
				t.Errorf("write times out of order: first %v, last %v, done %v", q.FirstWrite, q.LastWrite, q.Done)
			}
		})
	}
}

func TestCloseSendsFIN(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	// The script reads only the head: the unread body must not turn the FIN into a RST.
	path, _ := addScript(t, s, Read{What: ReadHead}, Write{[]byte("hi")}, Close{})
	c := dial(t, s.Endpoints().Main)
	send(t, c, "POST "+path+" HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello")
	got, err := readToError(c)
	if string(got) != "hi" || err != io.EOF {
		t.Errorf("got %q, %v; want \"hi\", io.EOF", got, err)
	}
}

func TestHalfCloseKeepsReading(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	path, token := addScript(t, s, Read{}, Write{[]byte("abc")}, HalfClose{}, Read{}, Mark{Label: "second"})
	c := dial(t, s.Endpoints().Main)
	send(t, c, get(path))
	got, err := readToError(c)
	if string(got) != "abc" || err != io.EOF {
		t.Fatalf("got %q, %v; want \"abc\", io.EOF", got, err)
	}
	// The upstream still reads: it journals the next request under its own token.
	next := newToken(t)
	send(t, c, get(requestPath("other", next, 1)))
	waitFor(t, s, next, "the request sent after the FIN", func(r Record) bool { return r.Attempts(1) == 1 })
	rec := waitFor(t, s, token, "the mark", func(r Record) bool {
		q, ok := r.First(0)
		return ok && !q.Done.IsZero()
	})
	if by := rec.Connections[0].ClosedBy; by != ClosedByUpstream {
		t.Errorf("closed by %q; want %q", by, ClosedByUpstream)
	}
}

func TestResetDeliversExactBytes(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	path, _ := addScript(t, s, Read{}, Body{N: 1000}, Reset{})
	for i := range 50 {
		c := dial(t, s.Endpoints().Main)
		send(t, c, get(path))
		got, err := readToError(c)
		if !isReset(err) {
			t.Fatalf("round %d: read error %v; want ECONNRESET", i, err)
		}
		if !bytes.Equal(got, Pattern(0, 1000)) {
			t.Fatalf("round %d: got %d bytes before the reset; want exactly the 1000 written", i, len(got))
		}
		_ = c.Close()
	}
	// A body bigger than the socket buffers: Reset waits for the kernel to send it all.
	path, _ = addScript(t, s, Read{}, Body{N: 2 << 20}, Reset{})
	c := dial(t, s.Endpoints().Main)
	send(t, c, get(path))
	got, err := readToError(c)
	if !isReset(err) || !bytes.Equal(got, Pattern(0, 2<<20)) {
		t.Errorf("2 MiB then reset: got %d bytes, %v; want all 2097152, ECONNRESET", len(got), err)
	}
}

func TestHangEndsWhenThePeerCloses(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	path, token := addScript(t, s, Read{}, Write{[]byte("x")}, Hang{})
	c := dial(t, s.Endpoints().Main)
	send(t, c, get(path))
	br := bufio.NewReader(c)
	if b, err := br.ReadByte(); err != nil || b != 'x' {
		t.Fatalf("read %q, %v; want 'x'", b, err)
	}
	start := time.Now()
	_ = c.Close()
	rec := waitFor(t, s, token, "the hang to end", connClosed)
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("hang ended %v after the client closed; want at most 2s", elapsed)
	}
	if by := rec.Connections[0].ClosedBy; by != ClosedByProxy {
		t.Errorf("closed by %q; want %q", by, ClosedByProxy)
	}
}

func TestHangMax(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	path, token := addScript(t, s, Read{}, Hang{Max: 50 * time.Millisecond})
	c := dial(t, s.Endpoints().Main)
	start := time.Now()
	send(t, c, get(path))
	got, err := readToError(c)
	if len(got) != 0 || err != io.EOF {
		t.Errorf("got %q, %v; want nothing, io.EOF", got, err)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("hang of 50ms took %v; want at most 2s", elapsed)
	}
	rec := waitFor(t, s, token, "the connection to end", connClosed)
	if by := rec.Connections[0].ClosedBy; by != ClosedByUpstream {
		t.Errorf("closed by %q; want %q", by, ClosedByUpstream)
	}
}

func TestMarkAndWriteTimes(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	path, token := addScript(t, s, Read{}, Mark{Label: "before"}, Write{[]byte("HTTP/1.1 200 OK\r\n")}, Write{[]byte("Content-Length: 0\r\n\r\n")}, Mark{Label: "after"})
	c := dial(t, s.Endpoints().Main)
	send(t, c, get(path))
	readResponse(t, bufio.NewReader(c))
	q, _ := waitFor(t, s, token, "the script to end", requestDone(0)).First(0)
	before, after := q.Marks["before"], q.Marks["after"]
	switch {
	case before.IsZero() || after.IsZero():
		t.Errorf("marks = %v; want before and after", q.Marks)
	case q.At.After(before) || before.After(q.FirstWrite) || q.FirstWrite.After(q.LastWrite) ||
		q.LastWrite.After(after) || after.After(q.Done):
		t.Errorf("times out of order: at %v, before %v, first write %v, last write %v, after %v, done %v",
			q.At, before, q.FirstWrite, q.LastWrite, after, q.Done)
	}
	if q.Err != "" {
		t.Errorf("Err = %q; want none", q.Err)
	}
}
