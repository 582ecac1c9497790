package wire

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/internal/certs"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// h2peer is a raw HTTP/2 server for one connection, written with the Framer:
// it reads the client's preface and request, then plays script, which writes
// the frames the test is about. It is the fault side of the client's tests;
// the well-behaved side is Go's own server (TestH2AgainstGoServer).
type h2peer struct {
	addr string
	// got is the request's decoded fields and body, once script has run.
	got chan h2got
}

type h2got struct {
	fields []hpack.HeaderField
	body   []byte
	frames []string
}

type h2script func(fr *http2.Framer, enc func(fields ...string) []byte, rd func() http2.Frame)

// startH2Peer listens on loopback and serves one connection with script.
func startH2Peer(t *testing.T, settings []http2.Setting, script h2script) *h2peer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &h2peer{addr: ln.Addr().String(), got: make(chan h2got, 1)}
	t.Cleanup(func() { ln.Close() })
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		pre := make([]byte, len(http2.ClientPreface))
		if _, err := io.ReadFull(conn, pre); err != nil {
			return
		}
		fr := http2.NewFramer(conn, conn)
		fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
		_ = fr.WriteSettings(settings...)
		var g h2got
		rd := func() http2.Frame {
			for {
				f, err := fr.ReadFrame()
				if err != nil {
					return nil
				}
				g.frames = append(g.frames, f.Header().Type.String())
				switch f := f.(type) {
				case *http2.SettingsFrame:
					if !f.IsAck() {
						_ = fr.WriteSettingsAck()
					}
					continue
				case *http2.WindowUpdateFrame:
					continue
				}
				return f
			}
		}
		var buf bytes.Buffer
		e := hpack.NewEncoder(&buf)
		enc := func(fields ...string) []byte {
			buf.Reset()
			for i := 0; i+1 < len(fields); i += 2 {
				_ = e.WriteField(hpack.HeaderField{Name: fields[i], Value: fields[i+1]})
			}
			return bytes.Clone(buf.Bytes())
		}
		// The request: its HEADERS, then DATA until END_STREAM.
		for {
			f := rd()
			if f == nil {
				return
			}
			if h, ok := f.(*http2.MetaHeadersFrame); ok {
				g.fields = h.Fields
				if h.StreamEnded() {
					break
				}
				continue
			}
			if d, ok := f.(*http2.DataFrame); ok {
				g.body = append(g.body, d.Data()...)
				if n := uint32(len(d.Data())); n > 0 {
					_ = fr.WriteWindowUpdate(0, n)
					_ = fr.WriteWindowUpdate(d.StreamID, n)
				}
				if d.StreamEnded() {
					break
				}
			}
		}
		script(fr, enc, rd)
		p.got <- g
		// Hold the connection until the client goes: the script's own
		// ending is what the test is about.
		_, _ = io.Copy(io.Discard, conn)
	}()
	return p
}

// exchangeOnce dials peer, sends req and returns the exchange.
func exchangeOnce(t *testing.T, addr string, s H2Settings, req H2Request) (*H2Client, Exchange) {
	t.Helper()
	c, err := DialHTTP2(context.Background(), addr, nil, s, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	if req.Path == "" {
		req.Path = "/x"
	}
	req.Authority = "gatecheck.test"
	return c, c.Exchange(context.Background(), req, time.Now().Add(5*time.Second))
}

func TestH2AgainstGoServer(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Trailer", "X-Sum")
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(200)
		_, _ = w.Write([]byte("got " + string(body) + " " + r.Proto + " " + r.Host))
		w.Header().Set("X-Sum", "ok")
	})
	srv := &http.Server{Handler: h, Protocols: new(http.Protocols)}
	srv.Protocols.SetUnencryptedHTTP2(true)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	c, x := exchangeOnce(t, ln.Addr().String(), H2Settings{}, H2Request{Method: "POST", Body: []byte("abc"), Fields: []string{"Connection: keep-alive", "X-A: 1"}})
	r := x.Response
	if x.Ending != EndComplete || !r.Complete || r.Final.Status != 200 || string(r.Body) != "got abc HTTP/2.0 gatecheck.test" {
		t.Fatalf("got ending %s complete %v status %d body %q; violations %v", x.Ending, r.Complete, r.Final.Status, r.Body, r.Violations)
	}
	if len(r.Violations) != 0 || len(x.H2.ProtocolErrors) != 0 {
		t.Errorf("a well-formed response: violations %v, protocol errors %v", r.Violations, x.H2.ProtocolErrors)
	}
	if got := FieldValues(r.Trailers, "x-sum"); len(got) != 1 || got[0] != "ok" {
		t.Errorf("trailers: %v", r.Trailers)
	}
	if !x.H2.EndStream || x.H2.ID != 1 || x.BodySent != 3 {
		t.Errorf("stream record: %+v, body sent %d", x.H2, x.BodySent)
	}
	// A second request rides the same connection, on stream 3.
	x2 := c.Exchange(context.Background(), H2Request{Path: "/y", Authority: "gatecheck.test"}, time.Now().Add(5*time.Second))
	if x2.H2.ID != 3 || !x2.Response.Complete {
		t.Errorf("second exchange: stream %d complete %v", x2.H2.ID, x2.Response.Complete)
	}
	if st := c.Linger(context.Background(), time.Now().Add(50*time.Millisecond), &x2); st != ConnOpen {
		t.Errorf("linger on a quiet connection: %s", st)
	}
}

func TestH2OverTLS(t *testing.T) {
	set, err := certs.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, r.Proto) }), TLSConfig: set.ServerConfig("h2")}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.ServeTLS(ln, "", "")
	t.Cleanup(func() { srv.Close() })
	c, err := DialHTTP2(context.Background(), ln.Addr().String(), set.ClientConfig("h2"), H2Settings{}, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	x := c.Exchange(context.Background(), H2Request{Path: "/", Authority: "localhost"}, time.Now().Add(5*time.Second))
	if string(x.Response.Body) != "HTTP/2.0" || !x.H2.TLS {
		t.Fatalf("body %q tls %v", x.Response.Body, x.H2.TLS)
	}

	// A listener whose ALPN is only http/1.1 is named for what it is.
	srv1 := &http.Server{Handler: http.NotFoundHandler(), TLSConfig: set.ServerConfig("http/1.1"), Protocols: new(http.Protocols)}
	srv1.Protocols.SetHTTP1(true)
	srv1.ErrorLog = log.New(io.Discard, "", 0)
	ln1, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv1.ServeTLS(ln1, "", "")
	t.Cleanup(func() { srv1.Close() })
	_, err = DialHTTP2(context.Background(), ln1.Addr().String(), set.ClientConfig("h2"), H2Settings{}, 5*time.Second)
	if !errors.Is(err, ErrNotHTTP2) || !strings.Contains(err.Error(), "ALPN") {
		t.Errorf("http/1.1-only ALPN: %v", err)
	}
	// A cleartext listener is a handshake failure.
	_, err = DialHTTP2(context.Background(), startHTTP1(t), set.ClientConfig("h2"), H2Settings{}, 5*time.Second)
	if !errors.Is(err, ErrTLSHandshake) {
		t.Errorf("TLS to a cleartext listener: %v", err)
	}
}

// startHTTP1 is a listener that answers anything with an HTTP/1.1 400, as a
// proxy without h2c does.
func startHTTP1(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_, _ = c.Read(make([]byte, 1024))
				_, _ = io.WriteString(c, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
			}()
		}
	}()
	return ln.Addr().String()
}

func TestH2NotHTTP2(t *testing.T) {
	_, err := DialHTTP2(context.Background(), startHTTP1(t), nil, H2Settings{}, 5*time.Second)
	if !errors.Is(err, ErrNotHTTP2) || !strings.Contains(err.Error(), `"HTTP/1.1 400 Bad Request"`) {
		t.Fatalf("h2c to an HTTP/1.1 listener: %v", err)
	}
}

func TestH2Faults(t *testing.T) {
	ok := []string{":status", "200"}
	cases := []struct {
		name     string
		settings H2Settings
		req      H2Request
		script   h2script
		check    func(t *testing.T, x Exchange)
	}{
		{name: "reset after headers", script: func(fr *http2.Framer, enc func(...string) []byte, _ func() http2.Frame) {
			_ = fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: enc(":status", "200", "content-length", "10"), EndHeaders: true})
			_ = fr.WriteData(1, false, []byte("hello"))
			_ = fr.WriteRSTStream(1, http2.ErrCodeInternal)
		}, check: func(t *testing.T, x Exchange) {
			if x.Ending != EndReset || x.H2.Reset != "INTERNAL_ERROR" || x.Response.Complete || x.Response.BodyLen != 5 || x.H2.EndStream {
				t.Errorf("ending %s reset %q complete %v body %d", x.Ending, x.H2.Reset, x.Response.Complete, x.Response.BodyLen)
			}
		}},
		{name: "end stream short of content-length", script: func(fr *http2.Framer, enc func(...string) []byte, _ func() http2.Frame) {
			_ = fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: enc(":status", "200", "content-length", "10"), EndHeaders: true})
			_ = fr.WriteData(1, true, []byte("hello"))
		}, check: func(t *testing.T, x Exchange) {
			r := x.Response
			if !r.Complete || r.Framing != FramingContentLength || r.ContentLength != 10 || r.BodyLen != 5 || len(r.Violations) != 0 {
				t.Errorf("complete %v framing %s cl %d body %d violations %v", r.Complete, r.Framing, r.ContentLength, r.BodyLen, r.Violations)
			}
		}},
		{name: "content-length beyond 2^63-1", script: func(fr *http2.Framer, enc func(...string) []byte, _ func() http2.Frame) {
			_ = fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: enc(":status", "200", "content-length", "18446744073709551616"), EndHeaders: true})
			_ = fr.WriteData(1, false, []byte("hello"))
			_ = fr.WriteRSTStream(1, http2.ErrCodeInternal)
		}, check: func(t *testing.T, x Exchange) {
			// A valid numeral (RFC 9110 §8.6), kept as 2^63-1 and noted, as
			// ParseHTTP1Response keeps it: the stream was cut short, no violation.
			r := x.Response
			if r.Complete || r.Framing != FramingContentLength || r.ContentLength != 1<<63-1 || len(r.Violations) != 0 || len(r.Notes) != 1 {
				t.Errorf("complete %v framing %s cl %d violations %v notes %v", r.Complete, r.Framing, r.ContentLength, r.Violations, r.Notes)
			}
		}},
		{name: "content-length with a sign", script: func(fr *http2.Framer, enc func(...string) []byte, _ func() http2.Frame) {
			_ = fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: enc(":status", "200", "content-length", "+5"), EndHeaders: true})
			_ = fr.WriteData(1, true, []byte("hello"))
		}, check: wantViolation(`content-length "+5" is not a number`)},
		{name: "more data than content-length", script: func(fr *http2.Framer, enc func(...string) []byte, _ func() http2.Frame) {
			_ = fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: enc(":status", "200", "content-length", "2"), EndHeaders: true})
			_ = fr.WriteData(1, true, []byte("hello"))
		}, check: wantViolation("5 bytes of DATA for a content-length of 2")},
		{name: "a repeated content-length", script: func(fr *http2.Framer, enc func(...string) []byte, _ func() http2.Frame) {
			_ = fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: enc(":status", "200", "content-length", "5", "content-length", "5"), EndHeaders: true})
			_ = fr.WriteData(1, true, []byte("hello"))
		}, check: func(t *testing.T, x Exchange) {
			if !x.Response.Complete || x.Response.ContentLength != 5 {
				t.Errorf("complete %v content-length %d", x.Response.Complete, x.Response.ContentLength)
			}
			wantViolation(`repeated content-length "5, 5"`)(t, x)
		}},
		{name: "more data than content-length, then a reset", script: func(fr *http2.Framer, enc func(...string) []byte, _ func() http2.Frame) {
			_ = fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: enc(":status", "200", "content-length", "2"), EndHeaders: true})
			_ = fr.WriteData(1, false, []byte("hello"))
			_ = fr.WriteRSTStream(1, http2.ErrCodeProtocol)
		}, check: wantViolation("5 bytes of DATA for a content-length of 2")},
		{name: "uppercase and connection-specific fields", script: func(fr *http2.Framer, enc func(...string) []byte, _ func() http2.Frame) {
			_ = fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: enc(":status", "200", "X-Upper", "1", "transfer-encoding", "chunked"), EndHeaders: true, EndStream: true})
		}, check: func(t *testing.T, x Exchange) {
			v := strings.Join(x.Response.Violations, "\n")
			if !strings.Contains(v, "uppercase") || !strings.Contains(v, "connection-specific field transfer-encoding") {
				t.Errorf("violations: %v", x.Response.Violations)
			}
		}},
		{name: "no status and a pseudo-header after a field", script: func(fr *http2.Framer, enc func(...string) []byte, _ func() http2.Frame) {
			_ = fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: enc("x-a", "1", ":status", "200"), EndHeaders: true, EndStream: true})
		}, check: wantViolation("after a regular field")},
		{name: "interim with end stream", script: func(fr *http2.Framer, enc func(...string) []byte, _ func() http2.Frame) {
			_ = fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: enc(":status", "103"), EndHeaders: true, EndStream: true})
		}, check: func(t *testing.T, x Exchange) {
			if x.Response.HeadComplete || len(x.Response.Interim) != 1 || !x.H2.EndStream {
				t.Errorf("head %v interim %d", x.Response.HeadComplete, len(x.Response.Interim))
			}
			wantViolation("informational status code is malformed")(t, x)
		}},
		{name: "a 101 then a final response", script: func(fr *http2.Framer, enc func(...string) []byte, _ func() http2.Frame) {
			_ = fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: enc(":status", "101", "upgrade", "websocket"), EndHeaders: true})
			_ = fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: enc(":status", "204"), EndHeaders: true, EndStream: true})
		}, check: func(t *testing.T, x Exchange) {
			if !x.Response.Complete || x.Response.Final.Status != 204 || x.Tunnel() {
				t.Errorf("complete %v status %d tunnel %v", x.Response.Complete, x.Response.Final.Status, x.Tunnel())
			}
			wantViolation("interim 1: a 101 (RFC 9113 §8.6")(t, x)
		}},
		{name: "goaway below the stream", script: func(fr *http2.Framer, _ func(...string) []byte, _ func() http2.Frame) {
			_ = fr.WriteGoAway(0, http2.ErrCodeNo, nil)
		}, check: func(t *testing.T, x Exchange) {
			if x.Ending != EndReset || !x.H2.Refused() || len(x.Response.Raw) != 0 {
				t.Errorf("ending %s refused %v raw %q", x.Ending, x.H2.Refused(), x.Response.Raw)
			}
		}},
		{name: "data on stream 0", script: func(fr *http2.Framer, enc func(...string) []byte, _ func() http2.Frame) {
			_ = fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: enc(ok...), EndHeaders: true})
			_ = fr.WriteRawFrame(http2.FrameData, 0, 0, []byte("x"))
		}, check: wantProtocolError("")},
		{name: "push promise", script: func(fr *http2.Framer, enc func(...string) []byte, _ func() http2.Frame) {
			_ = fr.WritePushPromise(http2.PushPromiseParam{StreamID: 1, PromiseID: 2, BlockFragment: enc(":method", "GET", ":path", "/p", ":scheme", "http", ":authority", "a"), EndHeaders: true})
		}, check: wantProtocolError("")},
		{name: "undecodable field block", script: func(fr *http2.Framer, _ func(...string) []byte, _ func() http2.Frame) {
			_ = fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: []byte{0xff, 0xff, 0xff, 0xff}, EndHeaders: true})
		}, check: wantProtocolError("COMPRESSION_ERROR")},
		{name: "a frame too large", script: func(fr *http2.Framer, enc func(...string) []byte, _ func() http2.Frame) {
			_ = fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: enc(ok...), EndHeaders: true})
			_ = fr.WriteData(1, true, make([]byte, 17000))
		}, check: wantProtocolError("SETTINGS_MAX_FRAME_SIZE")},
		{name: "a tiny window is honoured and reopened", settings: H2Settings{InitialWindowSize: 16}, script: func(fr *http2.Framer, enc func(...string) []byte, rd func() http2.Frame) {
			_ = fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: enc(":status", "200", "content-length", "64"), EndHeaders: true})
			for i := 0; i < 4; i++ {
				_ = fr.WriteData(1, i == 3, bytes.Repeat([]byte{'a' + byte(i)}, 16))
				if i < 3 {
					// The client's WINDOW_UPDATE lets the next 16 bytes go.
					for f := rdAll(fr); f != nil; f = rdAll(fr) {
						if w, ok := f.(*http2.WindowUpdateFrame); ok && w.StreamID == 1 {
							break
						}
					}
				}
			}
		}, check: func(t *testing.T, x Exchange) {
			if !x.Response.Complete || x.Response.BodyLen != 64 || len(x.H2.ProtocolErrors) != 0 {
				t.Errorf("complete %v body %d errors %v", x.Response.Complete, x.Response.BodyLen, x.H2.ProtocolErrors)
			}
		}},
		{name: "data beyond the window", settings: H2Settings{InitialWindowSize: 16}, script: func(fr *http2.Framer, enc func(...string) []byte, _ func() http2.Frame) {
			_ = fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: enc(ok...), EndHeaders: true})
			_ = fr.WriteData(1, true, make([]byte, 17))
		}, check: wantProtocolError("flow-control window")},
		{name: "request body through a small proxy window", req: H2Request{Method: "POST", Body: bytes.Repeat([]byte("z"), 100000)},
			script: func(fr *http2.Framer, enc func(...string) []byte, _ func() http2.Frame) {
				_ = fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: enc(ok...), EndHeaders: true, EndStream: true})
			}, check: func(t *testing.T, x Exchange) {
				if !x.Response.Complete {
					t.Errorf("complete %v", x.Response.Complete)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var settings []http2.Setting
			if tc.req.Method == "POST" {
				// A window the body must wait on twice.
				settings = []http2.Setting{{ID: http2.SettingInitialWindowSize, Val: 40000}}
			}
			p := startH2Peer(t, settings, tc.script)
			_, x := exchangeOnce(t, p.addr, tc.settings, tc.req)
			tc.check(t, x)
			if tc.req.Method == "POST" {
				g := <-p.got
				if len(g.body) != len(tc.req.Body) {
					t.Errorf("the peer got %d body bytes of %d", len(g.body), len(tc.req.Body))
				}
			}
		})
	}
}

// rdAll reads one frame (nil at an error).
func rdAll(fr *http2.Framer) http2.Frame {
	f, err := fr.ReadFrame()
	if err != nil {
		return nil
	}
	return f
}

func wantViolation(part string) func(t *testing.T, x Exchange) {
	return func(t *testing.T, x Exchange) {
		t.Helper()
		if !strings.Contains(strings.Join(x.Response.Violations, "\n"), part) {
			t.Errorf("want a violation with %q, got %v (protocol errors %v)", part, x.Response.Violations, x.H2.ProtocolErrors)
		}
	}
}

func wantProtocolError(part string) func(t *testing.T, x Exchange) {
	return func(t *testing.T, x Exchange) {
		t.Helper()
		if len(x.H2.ProtocolErrors) == 0 || !strings.Contains(strings.Join(x.H2.ProtocolErrors, "\n"), part) {
			t.Errorf("want a protocol error with %q, got %v", part, x.H2.ProtocolErrors)
		}
	}
}

// TestH2FrameAfterEndStream: a frame on the stream after its END_STREAM
// arrives while the client lingers, and is the proxy's protocol error.
func TestH2FrameAfterEndStream(t *testing.T) {
	release := make(chan struct{})
	p := startH2Peer(t, nil, func(fr *http2.Framer, enc func(...string) []byte, _ func() http2.Frame) {
		_ = fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: enc(":status", "204"), EndHeaders: true, EndStream: true})
		<-release
		_ = fr.WriteData(1, true, []byte("stray"))
	})
	c, x := exchangeOnce(t, p.addr, H2Settings{}, H2Request{})
	if !x.Response.Complete || x.Response.Final.Status != 204 {
		t.Fatalf("complete %v status %d", x.Response.Complete, x.Response.Final.Status)
	}
	close(release)
	st := c.Linger(context.Background(), time.Now().Add(5*time.Second), &x)
	if !strings.Contains(strings.Join(x.H2.ProtocolErrors, "\n"), "after its END_STREAM") {
		t.Errorf("protocol errors %v (state %s)", x.H2.ProtocolErrors, st)
	}
}

// TestH2Deadline: a proxy that sends a head and then nothing leaves the
// exchange at its deadline, EndTimeout, and the client cancels the stream.
func TestH2Deadline(t *testing.T) {
	cancelled := make(chan http2.ErrCode, 1)
	p := startH2Peer(t, nil, func(fr *http2.Framer, enc func(...string) []byte, rd func() http2.Frame) {
		_ = fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: enc(":status", "200"), EndHeaders: true})
		if f, ok := rd().(*http2.RSTStreamFrame); ok {
			cancelled <- f.ErrCode
		}
		close(cancelled)
	})
	c, err := DialHTTP2(context.Background(), p.addr, nil, H2Settings{}, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	start := time.Now()
	x := c.Exchange(context.Background(), H2Request{Method: "GET", Authority: "gatecheck.test", Path: "/x"}, time.Now().Add(300*time.Millisecond))
	if took := time.Since(start); x.Ending != EndTimeout || took > 3*time.Second || x.Err != "" {
		t.Errorf("got ending %v after %v, err %q; want %v within 3s, no error", x.Ending, took, x.Err, EndTimeout)
	}
	if !x.Response.HeadComplete || x.Response.Complete {
		t.Errorf("got head complete %v, complete %v; want the head and no end", x.Response.HeadComplete, x.Response.Complete)
	}
	if code := <-cancelled; code != http2.ErrCodeCancel {
		t.Errorf("the peer got RST_STREAM %v; want CANCEL", code)
	}
}

// TestH2LastRequestSaysGoAway: a request that says Connection: close is the
// connection's last; after its response the client sends GOAWAY(NO_ERROR) and
// ends its half, so the peer closes and the linger ends at that FIN instead of
// at its bound, and no further stream opens.
func TestH2LastRequestSaysGoAway(t *testing.T) {
	goaway := make(chan http2.ErrCode, 1)
	p := startH2Peer(t, nil, func(fr *http2.Framer, enc func(...string) []byte, rd func() http2.Frame) {
		_ = fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: enc(":status", "204"), EndHeaders: true, EndStream: true})
		if f, ok := rd().(*http2.GoAwayFrame); ok {
			goaway <- f.ErrCode
		}
		close(goaway)
	})
	req := HTTP2Request(Request{Path: "/x", Headers: []string{"Connection: close"}})
	if !req.Last {
		t.Fatal("a request with Connection: close is not the connection's last")
	}
	c, x := exchangeOnce(t, p.addr, H2Settings{}, req)
	if !x.Response.Complete {
		t.Fatalf("complete %v", x.Response.Complete)
	}
	if code, ok := <-goaway; !ok || code != http2.ErrCodeNo {
		t.Fatalf("the peer got GOAWAY %v (a GOAWAY: %v); want NO_ERROR", code, ok)
	}
	start := time.Now()
	if st := c.Linger(context.Background(), time.Now().Add(10*time.Second), &x); st != ConnClosed {
		t.Errorf("after the client's GOAWAY the connection stood %s; want closed", st)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the linger took %v: it waited for its bound instead of the FIN", took)
	}
	if why := c.CanOpen(); why == "" {
		t.Error("a new stream may open after the client's own GOAWAY")
	}
	if other := HTTP2Request(Request{Headers: []string{"Connection: keep-alive, Upgrade"}}); other.Last {
		t.Error("Connection: keep-alive made the request the connection's last")
	}
}

// TestH2WindowUpdatesBatched: a slow drip of small DATA frames gets no
// WINDOW_UPDATE per frame (RFC 9113 §6.9.1 advises against very small
// increments; Traffic Server resets such a client with ENHANCE_YOUR_CALM):
// with the default 16 MiB window, none at all.
func TestH2WindowUpdatesBatched(t *testing.T) {
	updates := make(chan int, 1)
	p := startH2Peer(t, nil, func(fr *http2.Framer, enc func(...string) []byte, _ func() http2.Frame) {
		_ = fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: enc(":status", "200", "content-length", "200"), EndHeaders: true})
		for i := range 50 {
			_ = fr.WriteData(1, i == 49, []byte("drip"))
		}
		n := 0
		for f := rdAll(fr); f != nil; f = rdAll(fr) {
			if _, ok := f.(*http2.WindowUpdateFrame); ok {
				n++
			}
			if _, ok := f.(*http2.GoAwayFrame); ok {
				break
			}
		}
		updates <- n
	})
	req := HTTP2Request(Request{Path: "/x", Headers: []string{"Connection: close"}})
	_, x := exchangeOnce(t, p.addr, H2Settings{}, req)
	if !x.Response.Complete || x.Response.BodyLen != 200 {
		t.Fatalf("complete %v body %d", x.Response.Complete, x.Response.BodyLen)
	}
	if n := <-updates; n != 0 {
		t.Errorf("the client sent %d WINDOW_UPDATEs for 200 bytes of a 16 MiB window; want none", n)
	}
}
