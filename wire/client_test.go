package wire

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/fakeupstream"
)

// peer is the far end of one test connection: a real local TCP listener that
// accepts once and runs a handler on the accepted connection.
type peer struct {
	addr string
	done chan struct{}
}

// startPeer listens on 127.0.0.1:0 and runs handle on the first connection. The
// listener and the connection are closed, and handle waited for, at cleanup.
func startPeer(t testing.TB, handle func(c *net.TCPConn, r *bufio.Reader)) *peer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	p := &peer{addr: ln.Addr().String(), done: make(chan struct{})}
	var conn net.Conn
	var mu sync.Mutex
	go func() {
		defer close(p.done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		mu.Lock()
		conn = c
		mu.Unlock()
		handle(c.(*net.TCPConn), bufio.NewReader(c))
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		if conn != nil {
			_ = conn.Close()
		}
		mu.Unlock()
		<-p.done
	})
	return p
}

// dial connects to the peer; the connection is closed at cleanup.
func (p *peer) dial(t testing.TB) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", p.addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", p.addr, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// readHead reads a request head up to its empty line.
func readHead(r *bufio.Reader) string {
	var b strings.Builder
	for {
		line, err := r.ReadString('\n')
		b.WriteString(line)
		if err != nil || line == "\r\n" {
			return b.String()
		}
	}
}

// rst aborts c with a TCP reset.
func rst(c *net.TCPConn) {
	_ = c.SetLinger(0)
	_ = c.Close()
}

const getHead = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"

func TestExchangeEndings(t *testing.T) {
	const head100 = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
	for _, c := range []struct {
		name     string
		serve    func(c *net.TCPConn)
		ending   Ending
		complete bool
		body     string
	}{
		{"complete and left open", func(c *net.TCPConn) { io.WriteString(c, okHead+"hello"); io.Copy(io.Discard, c) }, EndComplete, true, "hello"},
		{"FIN mid-body", func(c *net.TCPConn) { io.WriteString(c, head100+"0123456789"); c.Close() }, EndTruncated, false, "0123456789"},
		{"RST mid-body", func(c *net.TCPConn) { io.WriteString(c, head100+"0123456789"); rst(c) }, EndReset, false, "0123456789"},
		{"close-delimited FIN", func(c *net.TCPConn) { io.WriteString(c, "HTTP/1.0 200 OK\r\n\r\nhello"); c.Close() }, EndComplete, true, "hello"},
		{"close-delimited half-close", func(c *net.TCPConn) {
			io.WriteString(c, "HTTP/1.1 200 OK\r\n\r\nhello")
			c.CloseWrite()
			io.Copy(io.Discard, c)
		}, EndComplete, true, "hello"},
		{"close-delimited RST", func(c *net.TCPConn) { io.WriteString(c, "HTTP/1.0 200 OK\r\n\r\nhello"); rst(c) }, EndReset, false, "hello"},
		{"close-delimited left open", func(c *net.TCPConn) { io.WriteString(c, "HTTP/1.0 200 OK\r\n\r\nhello"); io.Copy(io.Discard, c) }, EndTimeout, false, "hello"},
		{"FIN before any byte", func(c *net.TCPConn) { c.Close() }, EndTruncated, false, ""},
		{"RST before any byte", func(c *net.TCPConn) { rst(c) }, EndReset, false, ""},
		{"nothing at all", func(c *net.TCPConn) { io.Copy(io.Discard, c) }, EndTimeout, false, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p := startPeer(t, func(conn *net.TCPConn, r *bufio.Reader) {
				readHead(r)
				c.serve(conn)
			})
			conn := p.dial(t)
			const wait = 700 * time.Millisecond
			start := time.Now()
			obs := NewHTTP1Client(conn).Exchange(context.Background(), []byte(getHead), nil, "GET", false, start.Add(wait))
			elapsed := time.Since(start)
			if obs.Ending != c.ending || obs.Response.Complete != c.complete || string(obs.Response.Body) != c.body {
				t.Errorf("got %s, complete %v, body %q; want %s, %v, %q", obs.Ending, obs.Response.Complete, obs.Response.Body, c.ending, c.complete, c.body)
			}
			if obs.Err != "" {
				t.Errorf("got err %q; want none", obs.Err)
			}
			// Only a timeout may wait for the deadline, and never much past it.
			if limit := wait / 2; c.ending != EndTimeout && elapsed > limit {
				t.Errorf("took %v; want at most %v", elapsed, limit)
			}
			if elapsed > wait+500*time.Millisecond {
				t.Errorf("took %v; want at most the deadline %v plus slack", elapsed, wait)
			}
			if (len(obs.Response.Raw) > 0) != (obs.FirstByte > 0) || obs.End <= 0 || obs.EndAt.Before(obs.SentAt) {
				t.Errorf("timing: first byte %v, end %v, sent %v, end at %v", obs.FirstByte, obs.End, obs.SentAt, obs.EndAt)
			}
		})
	}
}

func TestExchangeTimestamps(t *testing.T) {
	release := make(chan struct{})
	p := startPeer(t, func(c *net.TCPConn, r *bufio.Reader) {
		readHead(r)
		io.WriteString(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
		<-release
		io.WriteString(c, "5\r\nhello\r\n0\r\n\r\n")
	})
	conn := p.dial(t)
	done := make(chan Exchange)
	go func() {
		done <- NewHTTP1Client(conn).Exchange(context.Background(), []byte(getHead), nil, "GET", false, time.Now().Add(5*time.Second))
	}()
	// The head alone must not complete the exchange; the client reads on.
	select {
	case obs := <-done:
		t.Fatalf("exchange ended after the head alone: %s", obs.Ending)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	obs := <-done
	if obs.Ending != EndComplete || string(obs.Response.Body) != "hello" {
		t.Fatalf("got %s, body %q; want complete, hello", obs.Ending, obs.Response.Body)
	}
	if obs.SentAt.IsZero() || obs.HeadAt.Before(obs.SentAt) || obs.FirstBodyAt.Before(obs.HeadAt) || obs.EndAt.Before(obs.FirstBodyAt) || obs.HeadAt.Equal(obs.FirstBodyAt) {
		t.Errorf("got sent %v, head %v, first body %v, end %v; want them in that order, the body after the head",
			obs.SentAt, obs.HeadAt, obs.FirstBodyAt, obs.EndAt)
	}
}

func TestExchangeSendsBody(t *testing.T) {
	got := make(chan string, 1)
	p := startPeer(t, func(c *net.TCPConn, r *bufio.Reader) {
		req, err := http.ReadRequest(r)
		if err != nil {
			got <- "error: " + err.Error()
			return
		}
		b, _ := io.ReadAll(req.Body)
		got <- string(b)
		io.WriteString(c, okHead+"hello")
	})
	head, body := BuildHTTP1Request(Request{Method: "POST", Body: []byte("payload"), Path: "/p", Host: "x"})
	obs := NewHTTP1Client(p.dial(t)).Exchange(context.Background(), head, body, "POST", false, time.Now().Add(5*time.Second))
	if b := <-got; b != "payload" || obs.Ending != EndComplete || obs.BodySent != int64(len(body)) {
		t.Errorf("upstream got body %q, client ended %s having sent %d; want payload, complete, %d", b, obs.Ending, obs.BodySent, len(body))
	}
}

func TestExchangeExpectContinue(t *testing.T) {
	head, body := BuildHTTP1Request(Request{Method: "PUT", Body: []byte("payload"), ExpectContinue: true, Path: "/p", Host: "x"})
	t.Run("body after 100", func(t *testing.T) {
		t.Parallel()
		early := make(chan bool, 1)
		p := startPeer(t, func(c *net.TCPConn, r *bufio.Reader) {
			readHead(r)
			// The body must be held back until the 100: nothing arrives in 300ms
			// (the client would wait ContinueWait, 1s).
			_ = c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
			_, err := r.Peek(1)
			early <- err == nil
			_ = c.SetReadDeadline(time.Time{})
			io.WriteString(c, "HTTP/1.1 100 Continue\r\n\r\n")
			b := make([]byte, len(body))
			if _, err := io.ReadFull(r, b); err != nil {
				return
			}
			io.WriteString(c, okHead+"hello")
		})
		obs := NewHTTP1Client(p.dial(t)).Exchange(context.Background(), head, body, "PUT", true, time.Now().Add(5*time.Second))
		if <-early {
			t.Errorf("the body arrived before the 100")
		}
		if obs.Ending != EndComplete || len(obs.Response.Interim) != 1 || obs.Response.Interim[0].Status != 100 || obs.BodySent != int64(len(body)) {
			t.Errorf("got %s, interim %v, body sent %d; want complete, [100], %d", obs.Ending, obs.Response.Interim, obs.BodySent, len(body))
		}
	})
	t.Run("body after a final response", func(t *testing.T) {
		t.Parallel()
		got := make(chan string, 1)
		p := startPeer(t, func(c *net.TCPConn, r *bufio.Reader) {
			readHead(r)
			io.WriteString(c, okHead+"hello")
			_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
			b := make([]byte, len(body))
			_, _ = io.ReadFull(r, b)
			got <- string(b)
		})
		// A connection that will carry another request: the body goes out
		// after the final response (without Reuse the write would be cut).
		cl := NewHTTP1Client(p.dial(t))
		cl.Reuse = true
		obs := cl.Exchange(context.Background(), head, body, "PUT", true, time.Now().Add(5*time.Second))
		if b := <-got; obs.Ending != EndComplete || b != string(body) {
			t.Errorf("got %s, upstream body %q; want complete, %q", obs.Ending, b, body)
		}
	})
	t.Run("body after the bounded wait", func(t *testing.T) {
		t.Parallel()
		p := startPeer(t, func(c *net.TCPConn, r *bufio.Reader) {
			readHead(r)
			b := make([]byte, len(body))
			if _, err := io.ReadFull(r, b); err == nil {
				io.WriteString(c, okHead+"hello")
			}
		})
		obs := NewHTTP1Client(p.dial(t)).Exchange(context.Background(), head, body, "PUT", true, time.Now().Add(5*time.Second))
		if obs.Ending != EndComplete || obs.BodySent != int64(len(body)) {
			t.Errorf("got %s, body sent %d; want complete, %d", obs.Ending, obs.BodySent, len(body))
		}
	})
	t.Run("no body when the connection ends first", func(t *testing.T) {
		t.Parallel()
		p := startPeer(t, func(c *net.TCPConn, r *bufio.Reader) { readHead(r); c.Close() })
		obs := NewHTTP1Client(p.dial(t)).Exchange(context.Background(), head, body, "PUT", true, time.Now().Add(5*time.Second))
		if obs.Ending != EndTruncated || obs.BodySent != 0 {
			t.Errorf("got %s, body sent %d; want truncated, 0", obs.Ending, obs.BodySent)
		}
	})
}

// TestExchangeEarlyResponse: a response that comes before a large body is read
// is observed at once, and the unread body does not hold the client: its write
// is cut when the response has ended, not writeGrace later.
func TestExchangeEarlyResponse(t *testing.T) {
	stop := make(chan struct{})
	p := startPeer(t, func(c *net.TCPConn, r *bufio.Reader) {
		readHead(r)
		io.WriteString(c, "HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\n\r\n")
		<-stop // reads nothing more
	})
	t.Cleanup(func() { close(stop) }) // runs before the peer's cleanup
	head, body := BuildHTTP1Request(Request{Method: "POST", BodyBytes: 32 << 20, Path: "/p", Host: "x"})
	start := time.Now()
	obs := NewHTTP1Client(p.dial(t)).Exchange(context.Background(), head, body, "POST", false, start.Add(10*time.Second))
	if elapsed := time.Since(start); elapsed >= writeGrace {
		t.Errorf("took %v; want the write cut before writeGrace (%v)", elapsed, writeGrace)
	}
	if obs.Ending != EndComplete || obs.Response.Final.Status != 413 || obs.BodySent >= int64(len(body)) {
		t.Errorf("got %s, %d, body sent %d of %d; want complete, 413, less than all", obs.Ending, obs.Response.Final.Status, obs.BodySent, len(body))
	}
}

// TestExchangeReuseSendsWholeBody: with Reuse, a body still being written when
// an early response has ended is written to the end, so that the connection's
// next request starts after it.
func TestExchangeReuseSendsWholeBody(t *testing.T) {
	head, body := BuildHTTP1Request(Request{Method: "POST", BodyBytes: 8 << 20, Path: "/p", Host: "x"})
	got := make(chan int64, 1)
	p := startPeer(t, func(c *net.TCPConn, r *bufio.Reader) {
		readHead(r)
		io.WriteString(c, "HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\n\r\n")
		n, _ := io.CopyN(io.Discard, r, int64(len(body)))
		got <- n
	})
	cl := NewHTTP1Client(p.dial(t))
	cl.Reuse = true
	obs := cl.Exchange(context.Background(), head, body, "POST", false, time.Now().Add(10*time.Second))
	if n := <-got; obs.Ending != EndComplete || obs.BodySent != int64(len(body)) || n != int64(len(body)) {
		t.Errorf("got %s, body sent %d, peer read %d; want complete and all %d", obs.Ending, obs.BodySent, n, len(body))
	}
}

// TestClientCarry: bytes that arrive with one response are the start of the next.
func TestClientCarry(t *testing.T) {
	p := startPeer(t, func(c *net.TCPConn, r *bufio.Reader) {
		readHead(r)
		io.WriteString(c, okHead+"hello"+"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok")
		io.Copy(io.Discard, r)
	})
	cl := NewHTTP1Client(p.dial(t))
	deadline := time.Now().Add(5 * time.Second)
	first := cl.Exchange(context.Background(), []byte(getHead), nil, "GET", false, deadline)
	second := cl.Exchange(context.Background(), []byte(getHead), nil, "GET", false, deadline)
	if first.Response.Final.Status != 200 || second.Response.Final.Status != 201 || string(second.Response.Body) != "ok" || second.Ending != EndComplete {
		t.Errorf("got %d then %d %q (%s); want 200 then 201 \"ok\" (complete)", first.Response.Final.Status, second.Response.Final.Status, second.Response.Body, second.Ending)
	}
}

func TestExchangeCancelled(t *testing.T) {
	p := startPeer(t, func(c *net.TCPConn, r *bufio.Reader) { io.Copy(io.Discard, r) })
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	obs := NewHTTP1Client(p.dial(t)).Exchange(ctx, []byte(getHead), nil, "GET", false, start.Add(10*time.Second))
	if elapsed := time.Since(start); elapsed > 2*time.Second || obs.Err == "" || obs.Ending != EndTimeout {
		t.Errorf("got %s, err %q after %v; want timeout with an error, promptly", obs.Ending, obs.Err, elapsed)
	}
}

func TestBuildRequest(t *testing.T) {
	for _, c := range []struct {
		name       string
		req        Request
		head, body string
	}{
		{"defaults", Request{}, "GET /p HTTP/1.1\r\nHost: h:1\r\n\r\n", ""},
		{"headers in order, Host kept", Request{Method: "HEAD", Version: "HTTP/1.0", Headers: []string{"X-B: 2", "host: given", "X-A: 1"}},
			"HEAD /p HTTP/1.0\r\nX-B: 2\r\nhost: given\r\nX-A: 1\r\n\r\n", ""},
		{"body with Content-Length", Request{Method: "POST", Body: []byte("abc")},
			"POST /p HTTP/1.1\r\nHost: h:1\r\nContent-Length: 3\r\n\r\n", "abc"},
		{"Content-Length given", Request{Method: "POST", Body: []byte("abc"), Headers: []string{"Content-Length: 2"}},
			"POST /p HTTP/1.1\r\nHost: h:1\r\nContent-Length: 2\r\n\r\n", "abc"},
		{"chunked", Request{Method: "POST", Body: []byte("abc"), Chunked: true},
			"POST /p HTTP/1.1\r\nHost: h:1\r\nTransfer-Encoding: chunked\r\n\r\n", "3\r\nabc\r\n0\r\n\r\n"},
		{"chunked empty", Request{Method: "POST", Chunked: true},
			"POST /p HTTP/1.1\r\nHost: h:1\r\nTransfer-Encoding: chunked\r\n\r\n", "0\r\n\r\n"},
		{"generated body", Request{Method: "PUT", BodyBytes: 70},
			"PUT /p HTTP/1.1\r\nHost: h:1\r\nContent-Length: 70\r\n\r\n", string(fakeupstream.Pattern(0, 70))},
		{"expect continue", Request{Method: "PUT", Body: []byte("x"), ExpectContinue: true},
			"PUT /p HTTP/1.1\r\nHost: h:1\r\nContent-Length: 1\r\nExpect: 100-continue\r\n\r\n", "x"},
	} {
		c.req.Path, c.req.Host = "/p", "h:1"
		head, body := BuildHTTP1Request(c.req)
		if string(head) != c.head || string(body) != c.body {
			t.Errorf("%s: got %q %q; want %q %q", c.name, head, body, c.head, c.body)
		}
	}
	big := bytes.Repeat([]byte("z"), 40000)
	_, body := BuildHTTP1Request(Request{Method: "POST", Body: big, Chunked: true, Path: "/p", Host: "h"})
	got := ParseHTTP1Response(append([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"), body...), "POST", EndTimeout)
	if !got.Complete || !bytes.Equal(got.Body, big) || len(got.Violations) != 0 {
		t.Errorf("chunked 40000 bytes: got complete %v, %d bytes, violations %q; want the body back", got.Complete, got.BodyLen, got.Violations)
	}
}

// TestLinger: after a complete response the client reads on until its bound,
// a FIN or a reset, and says which; the bytes it gets are the stray ones and
// are never carried into the next exchange.
func TestLinger(t *testing.T) {
	const stray = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\npoison"
	for _, c := range []struct {
		name  string
		serve func(c *net.TCPConn, r *bufio.Reader)
		bytes string // stray bytes: with the response's read or by Linger
		state ConnState
		quick bool // ends well before the bound
	}{
		{"nothing, left open", func(c *net.TCPConn, r *bufio.Reader) { io.Copy(io.Discard, r) }, "", ConnOpen, false},
		{"nothing, then FIN", func(c *net.TCPConn, r *bufio.Reader) { c.Close() }, "", ConnClosed, true},
		{"nothing, then RST", func(c *net.TCPConn, r *bufio.Reader) { rst(c) }, "", ConnReset, true},
		{"a late stray response", func(c *net.TCPConn, r *bufio.Reader) {
			time.Sleep(50 * time.Millisecond) // the stray bytes come later than the response, in a write of their own
			io.WriteString(c, stray)
			io.Copy(io.Discard, r)
		}, stray, ConnOpen, false},
		{"a stray response, then FIN", func(c *net.TCPConn, r *bufio.Reader) {
			io.WriteString(c, stray)
			c.CloseWrite()
			io.Copy(io.Discard, r)
		}, stray, ConnClosed, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p := startPeer(t, func(conn *net.TCPConn, r *bufio.Reader) {
				readHead(r)
				io.WriteString(conn, okHead+"hello")
				c.serve(conn, r)
			})
			cl := NewHTTP1Client(p.dial(t))
			obs := cl.Exchange(context.Background(), []byte(getHead), nil, "GET", false, time.Now().Add(5*time.Second))
			if obs.Ending != EndComplete {
				t.Fatalf("exchange: %s; want complete", obs.Ending)
			}
			const bound = 400 * time.Millisecond
			start := time.Now()
			state := cl.Linger(context.Background(), start.Add(bound), &obs)
			elapsed := time.Since(start)
			// Stray bytes may come in the response's own read or later: all
			// are in Response.Extra.
			if all := string(obs.Response.Extra); all != c.bytes || state != c.state {
				t.Errorf("got %q, %s; want %q, %s", all, state, c.bytes, c.state)
			}
			if elapsed > bound+500*time.Millisecond || (c.quick && elapsed > bound/2) {
				t.Errorf("took %v (bound %v, quick %v)", elapsed, bound, c.quick)
			}
			if len(cl.carry) != 0 {
				t.Errorf("carry %q after Linger; want nothing", cl.carry)
			}
		})
	}
}
