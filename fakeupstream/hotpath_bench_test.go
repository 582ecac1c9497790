package fakeupstream

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The healthy path's fast paths — the head parsed in place, the head read with no
// deadline when it is all buffered, a script's closing head and body written in
// one go — and the checks that they change nothing a test or a proxy can see.

// BenchmarkParseHead parses a head as wrk sends it.
func BenchmarkParseHead(b *testing.B) {
	head := benchRequest(nil, requestPath("pass/ok", "3f9a1c0b7e2d", 0))
	b.Run("proxied", func(b *testing.B) {
		// A head as a proxy forwards it, with a dozen fields.
		head := []byte("GET /gatecheck/pass/ok/3f9a1c0b7e2d/0 HTTP/1.1\r\nHost: 127.0.0.1:8081\r\n" +
			"X-Real-IP: 127.0.0.1\r\nX-Forwarded-For: 127.0.0.1\r\nX-Forwarded-Proto: http\r\n" +
			"Via: 1.1 proxy\r\nUser-Agent: gatecheck\r\nAccept: */*\r\nAccept-Encoding: gzip\r\n" +
			"Connection: keep-alive\r\nContent-Length: 0\r\n\r\n")
		var req request
		b.ReportAllocs()
		for b.Loop() {
			if err := req.parse(head); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("wrk", func(b *testing.B) {
		var req request
		b.ReportAllocs()
		for b.Loop() {
			if err := req.parse(head); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkRouterRead reads a head as the router does: into the connection's
// request and head buffer.
func BenchmarkRouterRead(b *testing.B) {
	head := benchRequest(nil, requestPath("pass/ok", "3f9a1c0b7e2d", 0))
	br := bufio.NewReaderSize(&repeatReader{b: head}, readerSize)
	lim := limits{maxHead: defaultMaxHead, maxBody: defaultMaxBody}
	var req request
	var buf []byte
	b.SetBytes(int64(len(head)))
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = req.read(br, lim, buf); err != nil {
			b.Fatal(err)
		}
	}
}

// parseHead parses a head into a new request, as the router's read does in
// place.
func parseHead(head []byte) (*request, error) {
	req := &request{}
	err := req.parse(head)
	return req, err
}

// parseHeadReference is parseHead as it was written first, by splitting strings:
// the in-place parser must agree with it on everything.
func parseHeadReference(head []byte) (*request, error) {
	req := &request{head: head}
	lines := bytes.Split(head, []byte("\n"))
	first := strings.TrimSuffix(string(lines[0]), "\r")
	parts := strings.Split(first, " ")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || !strings.HasPrefix(parts[2], "HTTP/") {
		return req, fmt.Errorf("malformed request line %q", truncate(first, 200))
	}
	req.method, req.target, req.version = parts[0], parts[1], parts[2]
	req.route, req.routeErr = parseRoute(req.target)
	var te, cl []string
	for _, raw := range lines[1:] {
		line := strings.TrimSuffix(string(raw), "\r")
		name, value, ok := strings.Cut(line, ":")
		if !ok || name == "" || name[0] == ' ' || name[0] == '\t' {
			continue
		}
		value = strings.Trim(value, " \t")
		switch strings.ToLower(name) {
		case "transfer-encoding":
			te = append(te, value)
		case "content-length":
			cl = append(cl, value)
		}
	}
	req.framing, req.length, req.framingErr = bodyFraming(te, cl)
	return req, nil
}

// describeRequest is everything parseHead decides, as text.
func describeRequest(req *request, err error) string {
	errText := func(err error) string {
		if err == nil {
			return "<nil>"
		}
		return err.Error()
	}
	return fmt.Sprintf("err=%s head=%q method=%q target=%q version=%q route=%+v routeErr=%s framing=%d length=%d framingErr=%s",
		errText(err), req.head, req.method, req.target, req.version, req.route, errText(req.routeErr),
		req.framing, req.length, errText(req.framingErr))
}

var parseHeadSeeds = []string{
	"GET /gatecheck/pass/ok/bench/0 HTTP/1.1\r\nHost: 127.0.0.1:8081\r\n\r\n",
	"POST /gatecheck/a/b/1 HTTP/1.0\nContent-Length: 5\nTransfer-Encoding: gzip, chunked\n\n",
	"PUT http://h/gatecheck/a/b/2?q HTTP/1.1\r\ncontent-LENGTH:  7 \r\nX: y\r\n\r\n",
	"GET  /two-spaces HTTP/1.1\r\n\r\n",
	"GET /x HTTP/1.1 extra\r\n\r\n",
	"GET /x FTP/1.1\r\n\r\n",
	" /x HTTP/1.1\r\n\r\n",
	"GARBAGE\r\n\r\n",
	"GET /x HTTP/1.1\r\n Content-Length: 3\r\n\tTransfer-Encoding: chunked\r\n: v\r\nnocolon\r\n\r\n",
	"GET /x HTTP/1.1\r\nTransfer-Encod\u0130ng: chunked\r\n\r\n",
	"GET /x HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
	"GET /x HTTP/1.1\r\nContent-Length: \xff\r\nTRANSFER-ENCODING: identity\r\n\r\n",
	"BREW /gatecheck/ready HTTP/9.9\r\n\r\n",
	"GET /gatecheck/x/tok/2 HTTP/1.1\r\rHost: x\r\n\r\n",
}

// mutations returns n variants of seeds, each changed at a few random places with
// bytes that matter to head parsing; the same every run.
func mutations(seeds []string, n int) [][]byte {
	const alphabet = " \r\n:\t/aAzZ0-\xc4\xb0HTTP/1.1chunkedContent-Length"
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([][]byte, 0, n+len(seeds))
	for _, s := range seeds {
		out = append(out, []byte(s))
	}
	for range n {
		b := []byte(seeds[rng.IntN(len(seeds))])
		for range 1 + rng.IntN(4) {
			i := rng.IntN(len(b) + 1)
			switch rng.IntN(3) {
			case 0: // insert
				b = slices.Insert(b, i, alphabet[rng.IntN(len(alphabet))])
			case 1: // delete
				if i < len(b) {
					b = slices.Delete(b, i, i+1)
				}
			default: // replace
				if i < len(b) {
					b[i] = alphabet[rng.IntN(len(alphabet))]
				}
			}
		}
		out = append(out, b)
	}
	return out
}

func TestParseHeadMatchesReference(t *testing.T) {
	n := 50000
	if testing.Short() {
		n = 5000
	}
	for _, in := range mutations(parseHeadSeeds, n) {
		want := describeRequest(parseHeadReference(in))
		if got := describeRequest(parseHead(in)); got != want {
			t.Errorf("parseHead(%q):\n got %s\nwant %s", in, got, want)
		}
	}
}

// countingReader counts the reads made of it.
type countingReader struct {
	r     io.Reader
	reads int
}

func (c *countingReader) Read(p []byte) (int, error) {
	c.reads++
	return c.r.Read(p)
}

// TestHeadBuffered checks that when headBuffered says the head is all in the
// buffer, readHead reads nothing more from the connection (and so needs no
// deadline) and succeeds, and that it says so for a whole head.
func TestHeadBuffered(t *testing.T) {
	seeds := []string{
		"GET / HTTP/1.1\r\nHost: x\r\n\r\nNEXT", "\r\n\n\r\nGET / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\n\n",
		"GET / HTTP/1.1\r\nHost", "\r\n\r\n", "GET / HTTP/1.1\r\nA: b\r\r\n\r\n",
	}
	whole := 0
	for i, in := range mutations(seeds, 20000) {
		cut := i % (len(in) + 1)
		// The first read returns in[:cut]; the rest takes more reads.
		cr := &countingReader{r: io.MultiReader(bytes.NewReader(in[:cut]), bytes.NewReader(in[cut:]))}
		br := bufio.NewReaderSize(cr, 64)
		if _, err := br.Peek(1); err != nil {
			continue
		}
		before := cr.reads
		buffered := headBuffered(br)
		_, err := readHead(br, nil, 1<<20)
		if buffered && (cr.reads != before || err != nil) {
			t.Errorf("%q cut at %d: headBuffered said yes, readHead read %d more times: %v", in, cut, cr.reads-before, err)
		}
		if buffered {
			whole++
		}
	}
	if whole == 0 {
		t.Error("headBuffered never found a whole head")
	}
}

// TestIdleWaitNotBoundedByHang checks the router's deadlines: waiting for a next
// request is bounded only by the connection's lifetime, also after a request
// whose body was read under a deadline, while a head that stalls halfway is
// bounded by DefaultHang.
func TestIdleWaitNotBoundedByHang(t *testing.T) {
	const hang = 400 * time.Millisecond
	const pause = 50 * time.Millisecond // well within hang, even on a busy machine
	const idle = hang + 200*time.Millisecond
	s := startServer(t, Config{DefaultHang: hang})
	path, token := addScript(t, s, Read{}, Write{[]byte(ok200)})
	id := strings.TrimSuffix(strings.TrimPrefix(path, PathPrefix), "/"+token+"/0")
	if err := s.Add(id+"-2", []Script{{Steps: []Step{Read{}, Write{[]byte(ok200)}}}}); err != nil {
		t.Fatal(err)
	}
	c := dial(t, s.Endpoints().Main)
	br := bufio.NewReader(c)
	// A head in two pieces: the router waits for the rest under the deadline.
	send(t, c, "GET "+path+" HTTP/1.1\r\n")
	time.Sleep(pause)
	send(t, c, "Host: x\r\n\r\n")
	if got := readResponse(t, br); got != ok200 {
		t.Fatalf("first response %q", got)
	}
	time.Sleep(idle)
	post := "POST " + requestPath(id+"-2", token, 0) + " HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
	send(t, c, post)
	if got := readResponse(t, br); got != ok200 {
		t.Fatalf("after an idle wait longer than DefaultHang: %q", got)
	}
	time.Sleep(idle)
	send(t, c, "GET "+path+" HTTP/1.1\r\nHost: x\r\n\r\n")
	if got := readResponse(t, br); got != ok200 {
		t.Fatalf("after a body and an idle wait longer than DefaultHang: %q", got)
	}
	// Half a head: the connection ends after DefaultHang.
	start := time.Now()
	send(t, c, "GET "+path+" HTTP/1.1\r\nHo")
	if _, err := readToError(br); err == nil {
		t.Fatal("no error")
	}
	if d := time.Since(start); d < hang || d > hang+2*time.Second {
		t.Errorf("a stalled head ended the connection after %v; want about %v", d, hang)
	}
}

// TestCompiledTail checks that a script's closing head and body are rendered to
// exactly the bytes its steps write, that only that shape is joined, and that
// the pattern continues from the steps before.
func TestCompiledTail(t *testing.T) {
	head := Write{[]byte("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")}
	tests := []struct {
		name  string
		steps []Step
		tail  int // want; len(steps) for none
	}{
		{"pass/ok", []Step{Read{}, head, Body{N: 64}}, 1},
		{"pointer steps", []Step{&Read{}, &head, &Body{N: 64}}, 1},
		{"bodies after a drip", []Step{Read{}, Drip{N: 7, Size: 3}, head, Body{N: 50}, Body{N: 43, ChunkSize: 10}}, 2},
		{"body alone after a sleep", []Step{Read{}, head, Sleep{}, Body{N: 10}}, 3},
		{"chunk then body", []Step{Read{}, Chunk{[]byte("x")}, Body{N: 5}}, 1},
		{"two writes stay two", []Step{Read{}, Write{[]byte("HTTP/1.1 100 Continue\r\n\r\n")}, head}, 2},
		{"a write alone", []Step{Read{}, head}, 1},
		{"ends with a close", []Step{Read{}, head, Body{N: 64}, Close{}}, 4},
		{"body too large", []Step{Read{}, head, Body{N: writePiece + 1}}, 3},
		{"nil step", []Step{Read{}, nil, Body{N: 1}}, 2},
		{"empty", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := compileScript(tt.steps)
			if p.tail != tt.tail {
				t.Fatalf("tail = %d; want %d", p.tail, tt.tail)
			}
			if p.tail == len(tt.steps) {
				if len(p.out) != 0 || len(p.ends) != 0 {
					t.Errorf("no run, but %d bytes rendered", len(p.out))
				}
				return
			}
			whole := Script{Steps: tt.steps}.Output()
			before := Script{Steps: tt.steps[:p.tail]}.Output()
			if want := whole[len(before):]; !bytes.Equal(p.out, want) {
				t.Errorf("rendered %q; want %q", p.out, want)
			}
			if len(p.ends) != len(tt.steps)-p.tail || p.ends[len(p.ends)-1] != len(p.out) {
				t.Errorf("ends = %v for %d bytes", p.ends, len(p.out))
			}
		})
	}
}

// failConn accepts n bytes, then fails every write.
type failConn struct {
	net.Conn
	n int
}

var errBoom = errors.New("boom")

func (c *failConn) Write(b []byte) (int, error) {
	if len(b) <= c.n {
		c.n -= len(b)
		return len(b), nil
	}
	n := c.n
	c.n = 0
	return n, errBoom
}

func (c *failConn) SetWriteDeadline(time.Time) error { return nil }

// TestCompiledTailWriteError checks that a write cut short in a joined run names
// the step whose bytes were cut, and counts within them, as step by step would.
func TestCompiledTailWriteError(t *testing.T) {
	head := "HTTP/1.1 200 OK\r\nContent-Length: 64\r\n\r\n"
	steps := []Step{Read{}, Write{[]byte(head)}, Body{N: 64}}
	for _, tt := range []struct {
		accept int
		want   string
	}{
		{0, "step 2 (write): write: 0 of " + strconv.Itoa(len(head)) + " bytes: boom"},
		{10, "step 2 (write): write: 10 of " + strconv.Itoa(len(head)) + " bytes: boom"},
		{len(head), "step 3 (body): write: 0 of 64 bytes: boom"},
		{len(head) + 5, "step 3 (body): write: 5 of 64 bytes: boom"},
	} {
		for _, joined := range []bool{false, true} {
			p := &player{ctx: context.Background(), nc: &failConn{n: tt.accept}, hang: time.Second, cur: &request{}}
			var err error
			if joined {
				err = p.play(compileScript(steps))
			} else {
				err = p.run(steps)
			}
			if err == nil || err.Error() != tt.want || !errors.Is(err, errBoom) {
				t.Errorf("accepting %d bytes, joined %v: error %v; want %q", tt.accept, joined, err, tt.want)
			}
		}
	}
}
