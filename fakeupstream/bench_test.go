package fakeupstream

import (
	"bufio"
	"bytes"
	"io"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

// The benchmarks of the healthy path: what one keep-alive request costs the fake
// upstream when the script is the catalogue's pass/ok (read the request, write a
// head, write 64 pattern bytes, leave the connection open). Run them with
//
//	go test -run '^$' -bench . -benchmem ./fakeupstream
//
// Client and server share the machine, so ns/op covers both ends of a loopback
// round trip; req/s is b.N over the elapsed time.

// benchOKHead is the head pass/ok writes (scenarios/catalogue/pass.yaml).
const benchOKHead = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nCache-Control: no-transform\r\nX-Gatecheck: pass-ok\r\nContent-Length: 64\r\n\r\n"

// benchOKScript is pass/ok's script.
var benchOKScript = Script{Steps: []Step{Read{What: ReadRequest}, Write{Data: []byte(benchOKHead)}, Body{N: 64}}}

// benchRequest is the head wrk sends for a path: a request line, Host, nothing else.
func benchRequest(b []byte, path string) []byte {
	b = append(b, "GET "...)
	b = append(b, path...)
	return append(b, " HTTP/1.1\r\nHost: 127.0.0.1:8081\r\n\r\n"...)
}

// reportRate adds requests per second to a benchmark's figures.
func reportRate(b *testing.B, n int) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(n)/s, "req/s")
	}
}

// BenchmarkHealthyPath is one keep-alive request and response of pass/ok on one
// loopback connection. token=fixed sends the same path every time, as wrk does
// against `gatecheck serve`: the token's journal fills up after 1000 requests
// and the rest are only counted. token=per-request gives every request a fresh
// token, as a bench run through a proxy does: each is journaled in full, and the
// journal forgets the oldest token beyond 10 000.
func BenchmarkHealthyPath(b *testing.B) {
	for _, perRequest := range []bool{false, true} {
		name := "token=fixed"
		if perRequest {
			name = "token=per-request"
		}
		b.Run(name, func(b *testing.B) {
			s := startServer(b, Config{})
			if err := s.Add("pass/ok", []Script{benchOKScript}); err != nil {
				b.Fatal(err)
			}
			c := dial(b, s.Endpoints().Main)
			_ = c.SetDeadline(time.Time{})
			br := bufio.NewReader(c)
			resp := make([]byte, len(benchOKHead)+64)
			req := benchRequest(nil, requestPath("pass/ok", "bench", 0))
			var path []byte
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				if perRequest {
					path = append(path[:0], PathPrefix+"pass/ok/b"...)
					path = strconv.AppendInt(path, int64(n), 36)
					path = append(path, "/0"...)
					req = benchRequest(req[:0], string(path))
				}
				if _, err := c.Write(req); err != nil {
					b.Fatal(err)
				}
				if _, err := io.ReadFull(br, resp); err != nil {
					b.Fatal(err)
				}
				n++
			}
			reportRate(b, n)
			b.StopTimer()
			if !bytes.HasPrefix(resp, []byte(benchOKHead)) {
				b.Fatalf("response %q; want pass/ok's", resp)
			}
		})
	}
}

// BenchmarkHealthyPathConns is BenchmarkHealthyPath with 8 connections at once,
// all on the same token, as wrk's connections are: it shows contention on the
// journal's and the server's locks.
func BenchmarkHealthyPathConns(b *testing.B) {
	const conns = 8
	s := startServer(b, Config{})
	if err := s.Add("pass/ok", []Script{benchOKScript}); err != nil {
		b.Fatal(err)
	}
	req := benchRequest(nil, requestPath("pass/ok", "bench", 0))
	type client struct {
		w  io.Writer
		br *bufio.Reader
	}
	pool := make(chan client, conns)
	for range conns {
		c := dial(b, s.Endpoints().Main)
		_ = c.SetDeadline(time.Time{})
		pool <- client{c, bufio.NewReader(c)}
	}
	var mu sync.Mutex
	var total int
	b.ReportAllocs()
	b.SetParallelism((conns + 1) / 2)
	b.RunParallel(func(pb *testing.PB) {
		cl := <-pool
		defer func() { pool <- cl }()
		resp := make([]byte, len(benchOKHead)+64)
		n := 0
		for pb.Next() {
			if _, err := cl.w.Write(req); err != nil {
				b.Error(err)
				return
			}
			if _, err := io.ReadFull(cl.br, resp); err != nil {
				b.Error(err)
				return
			}
			n++
		}
		mu.Lock()
		total += n
		mu.Unlock()
	})
	reportRate(b, total)
}

// BenchmarkStallAccuracy measures how close a Sleep step's stall, seen by a raw
// client on loopback, comes to the scripted 5ms: p50-err-us and p99-err-us are
// the client's latency minus 5ms, in microseconds (timer lateness, the round
// trip and two goroutine wake-ups). bench/compare.sh's comparison (c) measures
// the same through gatecheck bench's client.
func BenchmarkStallAccuracy(b *testing.B) {
	const stall = 5 * time.Millisecond
	s := startServer(b, Config{})
	if err := s.Add("bench/stall", []Script{{Steps: []Step{Read{}, Sleep{D: stall}, Write{[]byte(ok200)}}}}); err != nil {
		b.Fatal(err)
	}
	c := dial(b, s.Endpoints().Main)
	_ = c.SetDeadline(time.Time{})
	br := bufio.NewReader(c)
	req := benchRequest(nil, requestPath("bench/stall", "bench", 0))
	resp := make([]byte, len(ok200))
	var errs []time.Duration
	for b.Loop() {
		start := time.Now()
		if _, err := c.Write(req); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(br, resp); err != nil {
			b.Fatal(err)
		}
		errs = append(errs, time.Since(start)-stall)
	}
	slices.Sort(errs)
	us := func(q float64) float64 { return float64(errs[int(q*float64(len(errs)-1))]) / 1e3 }
	b.ReportMetric(us(0.5), "p50-err-us")
	b.ReportMetric(us(0.99), "p99-err-us")
}

// BenchmarkReadRequest reads and parses one request head from a buffered
// reader, as the router does for every request.
func BenchmarkReadRequest(b *testing.B) {
	head := benchRequest(nil, requestPath("pass/ok", "3f9a1c0b7e2d", 0))
	src := &repeatReader{b: head}
	br := bufio.NewReaderSize(src, readerSize)
	lim := limits{maxHead: defaultMaxHead, maxBody: defaultMaxBody}
	b.SetBytes(int64(len(head)))
	b.ReportAllocs()
	for b.Loop() {
		req, err := readRequest(br, lim)
		if err != nil {
			b.Fatal(err)
		}
		if req.route.Index != 0 {
			b.Fatalf("route %+v", req.route)
		}
	}
}

// repeatReader returns b over and over.
type repeatReader struct {
	b   []byte
	off int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k := copy(p[n:], r.b[r.off:])
		n += k
		r.off = (r.off + k) % len(r.b)
	}
	return n, nil
}

// BenchmarkJournalAdd journals one request. full: its token already holds the
// most requests kept, so only the connection's count changes (wrk's case after
// the first 1000 requests). fresh: every request has a new token, and beyond
// maxTokens the oldest is forgotten.
func BenchmarkJournalAdd(b *testing.B) {
	head := benchRequest(nil, requestPath("pass/ok", "3f9a1c0b7e2d", 0))
	b.Run("full", func(b *testing.B) {
		j := newJournal(maxTokens, maxStoredHead)
		ci := &connInfo{id: 1}
		for range maxRequestsPerToken {
			j.add("bench", SeenRequest{Head: head}, ci)
		}
		b.ReportAllocs()
		for b.Loop() {
			if ref := j.add("bench", SeenRequest{Head: head, At: time.Now()}, ci); ref.e != nil {
				b.Fatal("a full token took another request")
			}
		}
	})
	b.Run("fresh", func(b *testing.B) {
		j := newJournal(maxTokens, maxStoredHead)
		ci := &connInfo{id: 1}
		tokens := make([]string, 2*maxTokens)
		for i := range tokens {
			tokens[i] = "t" + strconv.Itoa(i)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			j.add(tokens[i%len(tokens)], SeenRequest{Head: head, At: time.Now()}, ci)
			i++
		}
	})
}

// BenchmarkJournalForget journals one request under a token and forgets it, as
// the harness does once per run.
func BenchmarkJournalForget(b *testing.B) {
	head := benchRequest(nil, requestPath("pass/ok", "3f9a1c0b7e2d", 0))
	j := newJournal(maxTokens, maxStoredHead)
	ci := &connInfo{id: 1}
	b.ReportAllocs()
	for b.Loop() {
		j.add("bench", SeenRequest{Head: head, At: time.Now()}, ci)
		j.forget("bench")
	}
}
