package bench

import (
	"bytes"
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/wire"
)

// nginxOK is what nginx's `return 200 "ok";` sends (compare.sh (b)).
const nginxOK = "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Fri, 27 Nov 2026 10:00:00 GMT\r\n" +
	"Content-Type: application/octet-stream\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok"

// rawResponder is a loopback server that answers every request head it reads
// with the same bytes, on as many keep-alive connections as are opened.
type rawResponder struct {
	ln    net.Listener
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns []net.Conn
}

func startRawResponder(tb testing.TB, answer string) *rawResponder {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	r := &rawResponder{ln: ln}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			r.mu.Lock()
			r.conns = append(r.conns, c)
			r.mu.Unlock()
			r.wg.Add(1)
			go func() {
				defer r.wg.Done()
				defer c.Close()
				buf, out := make([]byte, 4096), []byte(answer)
				var acc []byte
				for {
					n, err := c.Read(buf)
					if err != nil {
						return
					}
					acc = append(acc, buf[:n]...)
					for {
						i := bytes.Index(acc, []byte("\r\n\r\n"))
						if i < 0 {
							break
						}
						acc = acc[:copy(acc, acc[i+4:])]
						if _, err := c.Write(out); err != nil {
							return
						}
					}
				}
			}()
		}
	}()
	return r
}

func (r *rawResponder) addr() string { return r.ln.Addr().String() }

func (r *rawResponder) close() {
	_ = r.ln.Close()
	r.mu.Lock()
	for _, c := range r.conns {
		_ = c.Close()
	}
	r.mu.Unlock()
	r.wg.Wait()
}

// plainEngine is an engine in plain mode against addr, ready for requests.
func plainEngine(tb testing.TB, addr string) *engine {
	tb.Helper()
	cfg := Config{URL: "http://" + addr + "/", Connections: 1}
	if err := cfg.Normalize(); err != nil {
		tb.Fatal(err)
	}
	e := &engine{cfg: cfg, addr: addr, host: addr, timeouts: scenarios.DefaultTimeouts()}
	e.plainHead, _ = wire.BuildHTTP1Request(wire.Request{Method: "GET", Path: "/", Host: addr})
	e.xctx, e.cancelX = context.WithCancel(context.Background())
	e.windowStart = time.Now()
	e.rec = newRecorder(time.Minute, e.windowStart)
	return e
}

// BenchmarkPlainRequest is one plain-mode request end to end on a keep-alive
// loopback connection to a raw responder sending nginx's answer: send, read,
// frame, classify, record. ns/op covers both ends of the round trip.
func BenchmarkPlainRequest(b *testing.B) {
	srv := startRawResponder(b, nginxOK)
	defer srv.close()
	e := plainEngine(b, srv.addr())
	defer e.cancelX()
	w := &worker{e: e}
	defer w.close()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range int64(b.N) {
		w.request(job{i: i, start: time.Now(), measured: true})
	}
	b.StopTimer()
	if e.rec.completed != int64(b.N) || e.rec.outcomes["200"] != int64(b.N) {
		b.Errorf("completed %d of %d, outcomes %v", e.rec.completed, b.N, e.rec.outcomes)
	}
}

// BenchmarkPlainReader frames nginx's answer, the reader alone.
func BenchmarkPlainReader(b *testing.B) {
	var r plainReader
	raw := []byte(nginxOK)
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for range b.N {
		r.reset("GET")
		r.feed(raw)
		if !r.done() || !r.reusable() || r.status != 200 {
			b.Fatal("not framed")
		}
	}
}
