package bench

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/wire"
)

// streamEnd is how the stream goes on after its bytes: a FIN, a reset, or
// nothing until the deadline.
type streamEnd int

const (
	endFIN streamEnd = iota
	endReset
	endHang
)

func (s streamEnd) String() string { return [...]string{"FIN", "reset", "hang"}[s] }

// decision is what a plain-mode exchange decides about an answer.
type decision struct {
	// doneAt is the piece after which the message was complete by its
	// framing (the client stops reading), -1 for never.
	doneAt   int
	outcome  string
	reusable bool
	idle     bool
}

// harnessDecision is the harness client's decision (Client.Exchange then
// plainOutcome, reusable and closedIdle) for a stream arriving in pieces and
// then ending as end says. The parser is fed each prefix afresh, which the
// harness parser decides the same as piece by piece (the pieces here stay
// clear of its read-dependent bounds).
func harnessDecision(pieces [][]byte, method string, end streamEnd) decision {
	var raw []byte
	d := decision{doneAt: -1}
	var obs wire.Exchange
	for i, p := range pieces {
		raw = append(raw, p...)
		if wire.ParseHTTP1Response(raw, method, wire.EndTimeout).Complete {
			d.doneAt = i
			obs = wire.Exchange{Ending: wire.EndComplete, Response: wire.ParseHTTP1Response(raw, method, wire.EndComplete)}
			break
		}
	}
	if d.doneAt < 0 {
		switch end {
		case endFIN:
			obs.Ending = wire.EndTruncated
			if wire.ParseHTTP1Response(raw, method, wire.EndTruncated).Complete { // close-delimited
				obs.Ending = wire.EndComplete
			}
		case endReset:
			obs.Ending = wire.EndReset
		case endHang:
			obs.Ending = wire.EndTimeout
		}
		obs.Response = wire.ParseHTTP1Response(raw, method, obs.Ending)
	}
	d.outcome, d.reusable, d.idle = plainOutcome(obs), reusable(obs), closedIdle(obs)
	return d
}

// readerDecision is the plainReader's decision for the same stream, as
// plainSend takes it.
func readerDecision(r *plainReader, pieces [][]byte, method string, end streamEnd) decision {
	r.reset(method)
	d := decision{doneAt: -1}
	ending := wire.EndComplete
	for i, p := range pieces {
		r.feed(p)
		if r.done() {
			d.doneAt = i
			break
		}
	}
	if d.doneAt < 0 {
		switch end {
		case endFIN:
			ending = wire.EndTruncated
			if r.closeDelimited() {
				ending = wire.EndComplete
			}
		case endReset:
			ending = wire.EndReset
		case endHang:
			ending = wire.EndTimeout
		}
	}
	d.outcome = r.outcome(ending)
	d.reusable = r.reusable()
	d.idle = !r.got && (ending == wire.EndTruncated || ending == wire.EndReset)
	return d
}

// plainCases are answers the plain-mode reader must decide as the harness
// does. fast says the reader decides every head in place, without the
// harness parser.
var plainCases = []struct {
	name, method, raw string
	fast              bool
}{
	{"content-length", "GET", nginxOK, true},
	{"content-length body", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world", true},
	{"content-length 0", "GET", "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", true},
	{"content-length 000", "GET", "HTTP/1.1 200 OK\r\ncontent-length: 000\r\n\r\n", true},
	{"content-length leading zeros", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 002\r\n\r\nok", true},
	{"connection close", "GET", "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 2\r\nConnection: Keep-Alive, CLOSE\r\n\r\nno", true},
	{"connection close in a token", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: x-closed\r\n\r\nok", true},
	{"two connection lines", "GET", "HTTP/1.1 200 OK\r\nConnection: upgrade\r\nContent-Length: 2\r\nconnection: close\r\n\r\nok", true},
	{"http/1.0", "GET", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", true},
	{"http/1.0 keep-alive", "GET", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok", true},
	{"http/1.9", "GET", "HTTP/1.9 200 OK\r\nContent-Length: 2\r\n\r\nok", true},
	{"chunked", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", true},
	{"chunked extensions and trailers", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\nTrailer: X-Sum\r\n\r\n" +
		"5;name=value\r\nhello\r\n00B ; a = \"q;\\\"x\" ;b\r\n hello world\r\nA\t\r\n0123456789\r\n000;last\r\nX-Sum: 1\r\nX-Other: 2\r\n\r\n", true},
	{"chunked bare LF", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nok\n0\n\n", true},
	{"chunked then extra", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n", true},
	{"chunked bad size", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n", true},
	{"chunked size then junk", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2 x\r\nok\r\n0\r\n\r\n", true},
	{"chunked size overflow", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n8000000000000000\r\nok\r\n0\r\n\r\n", true},
	{"chunked size 63 bits", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n00007fffffffffffffff\r\nok", true},
	{"chunk data without CRLF", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokX\r\n0\r\n\r\n", true},
	{"chunk data CR CR", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\r\n0\r\n\r\n", true},
	{"chunked size line CR CR", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\r\nok\r\n0\r\n\r\n", true},
	{"trailer line of CR CR", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\r\n\r\n", true},
	{"gzip, chunked", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", false},
	{"gzip only", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzzzz", false},
	{"chunked and content-length", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", true},
	{"two transfer-encoding lines", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", false},
	{"close-delimited", "GET", "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end", true},
	{"close-delimited empty", "GET", "HTTP/1.1 200 OK\r\n\r\n", true},
	{"HEAD with content-length", "HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n", true},
	{"HEAD chunked", "head", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", true},
	{"204", "GET", "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n", true},
	{"304", "GET", "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\nETag: \"x\"\r\n\r\n", true},
	{"304 then bytes", "GET", "HTTP/1.1 304 Not Modified\r\n\r\nsurprise", true},
	{"CONNECT 200", "CONNECT", "HTTP/1.1 200 Connection Established\r\n\r\n", true},
	{"1xx before final", "GET", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>; rel=preload\r\n\r\n" +
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", true},
	{"1xx with framing fields", "GET", "HTTP/1.1 102 Processing\r\nTransfer-Encoding: chunked\r\nContent-Length: 9\r\n\r\n\r\n" +
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", true},
	{"1xx only", "GET", "HTTP/1.1 100 Continue\r\n\r\n", true},
	{"101", "GET", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nframes", true},
	{"empty lines before the status line", "GET", "\r\n\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", true},
	{"extra bytes", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA", true},
	{"no reason phrase", "GET", "HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok", true},
	{"empty reason phrase", "GET", "HTTP/1.1 418 \r\nContent-Length: 2\r\n\r\nok", true},
	{"status 999", "GET", "HTTP/1.1 999 Odd\r\nContent-Length: 2\r\n\r\nok", true},
	{"status 000", "GET", "HTTP/1.1 000 Odd\r\nContent-Length: 2\r\n\r\nok", true},
	{"HTTP/2 status line", "GET", "HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nok", false},
	{"not HTTP", "GET", "SSH-2.0-OpenSSH\r\n\r\n", false},
	{"four-digit status", "GET", "HTTP/1.1 2000 OK\r\nContent-Length: 2\r\n\r\nok", false},
	{"CTL in the reason", "GET", "HTTP/1.1 200 O\x01K\r\nContent-Length: 2\r\n\r\nok", false},
	{"bare LF head", "GET", "HTTP/1.1 200 OK\nContent-Length: 2\n\nok", false},
	{"bare LF field", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 2\n\r\nok", false},
	{"obs-fold", "GET", "HTTP/1.1 200 OK\r\nConnection: keep-alive,\r\n close\r\nContent-Length: 2\r\n\r\nok", false},
	{"line without a colon", "GET", "HTTP/1.1 200 OK\r\nnonsense\r\nContent-Length: 2\r\n\r\nok", false},
	{"space before the colon", "GET", "HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nok", true},
	{"repeated content-length", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok", false},
	{"two content-length lines", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 02\r\n\r\nok", false},
	{"conflicting content-length", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok", false},
	{"signed content-length", "GET", "HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\nok", false},
	{"empty content-length", "GET", "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\nok", false},
	{"content-length beyond 63 bits", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\nok", true},
	{"CR in content-length", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\r\n\r\nok", false},
	{"non-ASCII keep-alive", "GET", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: \u212aeep-alive\r\n\r\nok", false},
	{"non-ASCII field name", "GET", "HTTP/1.1 200 OK\r\nTran\u017ffer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", false},
	{"non-ASCII chunked", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chun\u212aed\r\n\r\n2\r\nok\r\n0\r\n\r\n", false},
	{"empty", "GET", "", true},
	{"garbage", "GET", "\x00\x01\x02", true},
}

// pieces splits raw at the given offsets.
func pieces(raw string, at ...int) [][]byte {
	var out [][]byte
	prev := 0
	for _, i := range at {
		out = append(out, []byte(raw[prev:i]))
		prev = i
	}
	return append(out, []byte(raw[prev:]))
}

// TestPlainReaderMatchesHarness checks the plain-mode reader against the
// harness client's decisions on a table of answers: whole, split in two at
// every offset, byte by byte, and cut short at every offset; each followed by
// a FIN, a reset, or nothing until the deadline.
func TestPlainReaderMatchesHarness(t *testing.T) {
	var r plainReader // one reader throughout: its buffers are reused
	for _, c := range plainCases {
		check := func(how string, ps [][]byte, end streamEnd) {
			t.Helper()
			want := harnessDecision(ps, c.method, end)
			if got := readerDecision(&r, ps, c.method, end); got != want {
				t.Errorf("%s, %s, then %s: got %+v; want %+v (the harness's)", c.name, how, end, got, want)
			}
		}
		for end := endFIN; end <= endHang; end++ {
			r.slow = 0
			check("whole", pieces(c.raw), end)
			if c.fast && r.slow != 0 {
				t.Errorf("%s: %d heads went to the harness parser; want none", c.name, r.slow)
			}
			for i := 1; i < len(c.raw); i++ {
				check(fmt.Sprintf("split at %d", i), pieces(c.raw, i), end)
				check(fmt.Sprintf("cut at %d", i), pieces(c.raw[:i]), end)
			}
			var every []int
			for i := 1; i < len(c.raw); i++ {
				every = append(every, i)
			}
			check("byte by byte", pieces(c.raw, every...), end)
		}
	}
}

// TestPlainReaderOutcomes pins a few decisions by name, so that the harness
// and the reader cannot drift together unnoticed.
func TestPlainReaderOutcomes(t *testing.T) {
	for _, c := range []struct {
		raw      string
		end      streamEnd
		outcome  string
		reusable bool
	}{
		{nginxOK, endHang, "200", true},
		{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel", endFIN, string(scenarios.OutcomeAborted), false},
		{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel", endHang, string(scenarios.OutcomeHung), false},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n", endReset, string(scenarios.OutcomeAborted), false},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;x=y\r\nok\r\n0\r\nA: b\r\n\r\n", endHang, "200", true},
		{"HTTP/1.1 200 OK\r\n\r\nbody", endFIN, "200", false},
		{"HTTP/1.1 200 OK\r\n\r\nbody", endReset, string(scenarios.OutcomeAborted), false},
		{"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n", endHang, "204", true},
		{"HTTP/1.1 100 Continue\r\n\r\n", endFIN, string(scenarios.OutcomeAborted), false},
		{"", endFIN, string(scenarios.OutcomeNoResponse), false},
		{"", endReset, string(scenarios.OutcomeNoResponse), false},
		{"", endHang, string(scenarios.OutcomeHung), false},
		{"HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n", endHang, "0", true},
	} {
		var r plainReader
		got := readerDecision(&r, pieces(c.raw), "GET", c.end)
		if got.outcome != c.outcome || got.reusable != c.reusable {
			t.Errorf("%q then %s: outcome %q, reusable %v; want %q, %v", c.raw, c.end, got.outcome, got.reusable, c.outcome, c.reusable)
		}
	}
}

// scriptedServer accepts connections and plays one script per connection,
// in order: it reads a request head, writes the answer, and then ends the
// connection as the script says (the last script repeats).
type scriptedServer struct {
	ln      net.Listener
	wg      sync.WaitGroup
	mu      sync.Mutex
	conns   []net.Conn
	scripts []serverScript
}

type serverScript struct {
	answer string
	end    streamEnd
	// keep leaves the connection open for the next request, answered the
	// same way (end is then ignored).
	keep bool
}

func startScriptedServer(t *testing.T, scripts ...serverScript) *scriptedServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &scriptedServer{ln: ln, scripts: scripts}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for n := 0; ; n++ {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns = append(s.conns, c)
			s.mu.Unlock()
			sc := s.scripts[min(n, len(s.scripts)-1)]
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer c.Close()
				buf := make([]byte, 4096)
				for {
					var acc []byte
					for !strings.Contains(string(acc), "\r\n\r\n") {
						n, err := c.Read(buf)
						if err != nil {
							return
						}
						acc = append(acc, buf[:n]...)
					}
					if _, err := c.Write([]byte(sc.answer)); err != nil {
						return
					}
					if sc.keep {
						continue
					}
					switch sc.end {
					case endReset:
						_ = c.(*net.TCPConn).SetLinger(0)
					case endHang:
						_, _ = c.Read(buf) // until the client gives up
					}
					return
				}
			}()
		}
	}()
	return s
}

func (s *scriptedServer) close() {
	_ = s.ln.Close()
	s.mu.Lock()
	for _, c := range s.conns {
		_ = c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// harnessRequest is the plain-mode request as it was before the plain
// reader: the harness client and plainOutcome.
func (w *worker) harnessRequest(j job) {
	e := w.e
	d := e.plainDeadline()
	obs, reused, err := w.send(e.plainHead, nil, "GET", false, d, true)
	if err == nil && reused && closedIdle(obs) {
		e.rec.resend(j.measured)
		obs, _, err = w.send(e.plainHead, nil, "GET", false, d, true)
	}
	e.finish(sent{entry: -1, obs: obs, err: err, start: j.start, measured: j.measured})
}

// TestPlainSendMatchesHarness runs plain-mode requests over loopback against
// servers that answer and then keep the connection, close it, reset it, or
// hang, with the plain reader and with the harness client, and compares the
// outcomes, resends and client errors recorded.
func TestPlainSendMatchesHarness(t *testing.T) {
	timeouts := scenarios.Timeouts{Connect: time.Millisecond, Read: time.Millisecond} // a 2.002s deadline
	cases := []struct {
		name    string
		scripts []serverScript
		n       int
	}{
		{"keep-alive", []serverScript{{answer: nginxOK, keep: true}}, 20},
		{"connection close", []serverScript{{answer: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok", end: endFIN}}, 5},
		{"close-delimited", []serverScript{{answer: "HTTP/1.1 200 OK\r\n\r\nuntil the end", end: endFIN}}, 5},
		{"close-delimited reset", []serverScript{{answer: "HTTP/1.1 200 OK\r\n\r\nuntil the end", end: endReset}}, 3},
		{"truncated", []serverScript{{answer: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nok", end: endFIN}}, 3},
		{"reset mid-body", []serverScript{{answer: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nok", end: endReset}}, 3},
		{"no response", []serverScript{{answer: "", end: endFIN}}, 3},
		{"reset before a byte", []serverScript{{answer: "", end: endReset}}, 3},
		{"extra bytes", []serverScript{{answer: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1", end: endFIN}}, 3},
		{"closed while idle", []serverScript{{answer: nginxOK, end: endFIN}}, 4},
		{"reset while idle", []serverScript{{answer: nginxOK, end: endReset}}, 4},
		{"hung", []serverScript{{answer: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nok", end: endHang}}, 1},
	}
	if testing.Short() {
		cases = cases[:len(cases)-1]
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			record := func(plain bool) *recorder {
				srv := startScriptedServer(t, c.scripts...)
				defer srv.close()
				e := plainEngine(t, srv.addr())
				e.timeouts = timeouts
				defer e.cancelX()
				w := &worker{e: e}
				defer w.close()
				for i := range int64(c.n) {
					if plain {
						w.plainRequest(job{i: i, start: time.Now(), measured: true})
					} else {
						w.harnessRequest(job{i: i, start: time.Now(), measured: true})
					}
				}
				return e.rec
			}
			want, got := record(false), record(true)
			t.Logf("outcomes %v, resent %d, client errors %v", got.outcomes, got.resent, got.clientErrors)
			if fmt.Sprint(got.outcomes) != fmt.Sprint(want.outcomes) || got.resent != want.resent ||
				fmt.Sprint(got.clientErrors) != fmt.Sprint(want.clientErrors) || got.completed != want.completed {
				t.Errorf("plain reader: outcomes %v, resent %d, client errors %v; harness client: %v, %d, %v",
					got.outcomes, got.resent, got.clientErrors, want.outcomes, want.resent, want.clientErrors)
			}
		})
	}
}

func (s *scriptedServer) addr() string { return s.ln.Addr().String() }

// TestPlainDeadlineIsTheRequests checks that a request on a connection whose
// deadline was set for an earlier request still waits out its own deadline:
// the earlier deadline fires first and is moved.
func TestPlainDeadlineIsTheRequests(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out a 2s deadline")
	}
	hang := make(chan struct{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		buf := make([]byte, 4096)
		for {
			if _, err := c.Read(buf); err != nil {
				return
			}
			select {
			case <-hang:
				continue // answer nothing
			default:
			}
			if _, err := c.Write([]byte(nginxOK)); err != nil {
				return
			}
		}
	}()
	e := plainEngine(t, ln.Addr().String())
	e.timeouts = scenarios.Timeouts{Connect: time.Millisecond, Read: time.Millisecond}
	defer e.cancelX()
	w := &worker{e: e}
	defer w.close()
	d := e.plainDeadline()
	w.plainRequest(job{start: time.Now(), measured: true})
	set := w.p.until
	time.Sleep(d * 3 / 10) // the first deadline stays: more than half of d is left
	close(hang)
	start := time.Now()
	w.plainRequest(job{i: 1, start: start, measured: true})
	took := time.Since(start)
	if w.p.until.Equal(set) || took < d {
		t.Errorf("the hung request took %v (deadline %v), the connection's deadline moved: %v; want at least the request's own deadline", took, d, !w.p.until.Equal(set))
	}
	if e.rec.outcomes["200"] != 1 || e.rec.outcomes[string(scenarios.OutcomeHung)] != 1 {
		t.Errorf("outcomes %v; want 200 and hung", e.rec.outcomes)
	}
}

// TestPlainCancel checks that cancelling the run's exchanges ends a plain
// request that waits for its answer at once, unrecorded.
func TestPlainCancel(t *testing.T) {
	srv := startScriptedServer(t, serverScript{answer: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nok", end: endHang})
	defer srv.close()
	e := plainEngine(t, srv.addr())
	w := &worker{e: e}
	defer w.close()
	time.AfterFunc(100*time.Millisecond, e.cancelX)
	start := time.Now()
	w.plainRequest(job{start: start, measured: true})
	if took := time.Since(start); took > time.Second {
		t.Errorf("the cancelled request took %v", took)
	}
	if e.rec.completed != 0 || len(e.rec.clientErrors) != 0 {
		t.Errorf("completed %d, client errors %v; want nothing recorded", e.rec.completed, e.rec.clientErrors)
	}
	// A request after the cancel ends at once too.
	start = time.Now()
	w.plainRequest(job{i: 1, start: start, measured: true})
	if took := time.Since(start); took > time.Second || e.rec.completed != 0 {
		t.Errorf("a request after the cancel took %v, completed %d", took, e.rec.completed)
	}
}
