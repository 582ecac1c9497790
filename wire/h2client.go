package wire

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// H2Settings are the SETTINGS the client sends in its connection preface. Zero
// fields keep RFC 9113 §6.5.2's initial values, but for push, which the client
// always disables (it never asked for a pushed response), and for the stream
// window, which is DefaultStreamWindow unless a scenario sets one: a proxy
// must never wait on the client's WINDOW_UPDATEs unless the scenario is about
// that.
type H2Settings struct {
	// InitialWindowSize is each stream's flow-control window for what the proxy
	// sends (default DefaultStreamWindow).
	InitialWindowSize uint32 `json:"initial_window_size,omitempty"`
	// MaxFrameSize is the largest frame payload the client accepts (default
	// 16,384).
	MaxFrameSize uint32 `json:"max_frame_size,omitempty"`
	// MaxHeaderListSize is advertised when not 0 (default: unlimited).
	MaxHeaderListSize uint32 `json:"max_header_list_size,omitempty"`
	// HeaderTableSize is the HPACK table size the proxy may use (default 4,096).
	HeaderTableSize uint32 `json:"header_table_size,omitempty"`
}

// DefaultStreamWindow is the client's stream window when a scenario sets
// none: 16 MiB, as large as the catalogue's largest body, so that the body
// never waits on a window round trip (browsers open windows of megabytes too).
const DefaultStreamWindow = 16 << 20

func (s H2Settings) list() []http2.Setting {
	out := []http2.Setting{{ID: http2.SettingEnablePush, Val: 0}}
	if s.InitialWindowSize == 0 {
		s.InitialWindowSize = DefaultStreamWindow
	}
	add := func(id http2.SettingID, v uint32) {
		if v != 0 {
			out = append(out, http2.Setting{ID: id, Val: v})
		}
	}
	add(http2.SettingInitialWindowSize, s.InitialWindowSize)
	add(http2.SettingMaxFrameSize, s.MaxFrameSize)
	add(http2.SettingMaxHeaderListSize, s.MaxHeaderListSize)
	add(http2.SettingHeaderTableSize, s.HeaderTableSize)
	return out
}

// The protocol's fixed sizes (RFC 9113 §6.5.2, §6.9.2).
const (
	h2DefaultWindow    = 65535
	h2DefaultFrameSize = 16384
	h2MaxWindow        = 1<<31 - 1
	// h2ConnWindow is the connection window the client opens at once: a large
	// body must never stall on the connection, only on a stream window a
	// scenario set small on purpose.
	h2ConnWindow = 1 << 30
	// maxH2Frames bounds how many frames one exchange records.
	maxH2Frames = 4096
)

// H2Frame is one frame the client received (or, for the TCP ending, the
// connection's end), with when it arrived after the request was sent.
type H2Frame struct {
	At     time.Duration `json:"at_ns"`
	Type   string        `json:"type"` // "HEADERS", "DATA", ..., or "TCP" for the connection's end
	Stream uint32        `json:"stream"`
	// Flags are the frame's flags by name, as "END_STREAM|END_HEADERS".
	Flags  string `json:"flags,omitempty"`
	Length uint32 `json:"length"`
	// Status is a field block's :status, once decoded (HEADERS only).
	Status int `json:"status,omitempty"`
	// Code is RST_STREAM's or GOAWAY's error code by name; LastStream is
	// GOAWAY's last stream id; Increment is WINDOW_UPDATE's.
	Code       string `json:"code,omitempty"`
	LastStream uint32 `json:"last_stream,omitempty"`
	Increment  uint32 `json:"increment,omitempty"`
	// End, for the TCP pseudo-frame: "fin" or "reset".
	End string `json:"end,omitempty"`
}

// H2Stream is what an HTTP/2 client saw of one request's stream, beside the
// Response the frames make: the frames, how the stream ended, and what the
// proxy did against HTTP/2's own rules.
type H2Stream struct {
	// TLS is true on h2 over TLS (ALPN h2), false on h2c by prior knowledge.
	TLS bool `json:"tls"`
	// ID is the stream's identifier.
	ID uint32 `json:"id"`
	// Frames are the frames of this stream and the connection's own frames
	// (stream 0) that arrived while it was read, in order.
	Frames []H2Frame `json:"frames"`
	// EndStream is true when a frame with END_STREAM ended the proxy's side.
	EndStream bool `json:"end_stream"`
	// Reset is the RST_STREAM code that ended the stream ("" when none came).
	Reset string `json:"reset,omitempty"`
	// GoAway is the code of a GOAWAY that arrived, with its last stream id.
	GoAway           string `json:"goaway,omitempty"`
	GoAwayLastStream uint32 `json:"goaway_last_stream,omitempty"`
	// ProtocolErrors are the frame-level errors of the proxy's (RFC 9113 §4-§6),
	// each with its section: any makes the outcome protocol-error.
	ProtocolErrors []string `json:"protocol_errors,omitempty"`
	// MoreFrames counts the frames left out of Frames (Trimmed).
	MoreFrames int `json:"more_frames,omitempty"`
}

// Trimmed is a copy of s that keeps its first n frames and its last one (the
// ending), counting the rest in MoreFrames: a report's record of a 16 MiB
// body need not list a thousand DATA frames.
func (s *H2Stream) Trimmed(n int) *H2Stream {
	if s == nil {
		return nil
	}
	c := *s
	if len(s.Frames) > n+1 {
		c.Frames = append(append([]H2Frame(nil), s.Frames[:n]...), s.Frames[len(s.Frames)-1])
		c.MoreFrames = s.MoreFrames + len(s.Frames) - n - 1
	}
	return &c
}

// Refused reports whether the stream ended with neither a response nor
// END_STREAM because of a GOAWAY whose last stream id is below it (RFC 9113
// §6.8: the proxy did not process it).
func (s *H2Stream) Refused() bool {
	return s.GoAway != "" && s.GoAwayLastStream < s.ID && !s.EndStream
}

// H2Request is one request as the HTTP/2 client sends it: the control data,
// the fields (lowercased on the wire) and the body.
type H2Request struct {
	Method, Authority, Path string
	// Fields are regular fields, "Name: value", sent lowercased, in order; the
	// ones RFC 9113 §8.2.2 forbids are dropped, as an HTTP/2 client must.
	Fields []string
	Body   []byte
	// ExpectContinue holds the body until a 100 or a final response, or
	// ContinueWait.
	ExpectContinue bool
	// Last says no other request follows on the connection: once the stream
	// has ended the client sends GOAWAY(NO_ERROR), HTTP/2's way of saying what
	// an HTTP/1.1 client's "Connection: close" says (RFC 9113 §6.8: GOAWAY
	// "is used to initiate shutdown of a connection"), so that a proxy closes the
	// connection instead of keeping it for a request that never comes.
	Last bool
}

// h2frame is one frame as the reader goroutine hands it over: copied out of
// the Framer's buffers, or the read error that ended the connection.
type h2frame struct {
	at       time.Time
	typ      http2.FrameType
	stream   uint32
	flags    http2.Flags
	length   uint32
	data     []byte // DATA payload, or a HEADERS/CONTINUATION block fragment
	code     http2.ErrCode
	last     uint32
	incr     uint32
	settings []http2.Setting
	err      error
}

// H2Client is gatecheck's raw HTTP/2 client on one connection to the proxy,
// built on golang.org/x/net/http2's Framer and hpack, never its Transport: it
// writes exactly the frames it means, and records every frame that comes back
// without repairing, merging or rejecting anything. Requests go one after
// another, each on a new stream; SETTINGS and PING are acknowledged at once
// by the reader, whatever the client is doing.
type H2Client struct {
	conn    net.Conn
	tls     bool
	br      *bufio.Reader
	writeMu sync.Mutex
	fr      *http2.Framer
	enc     *hpack.Encoder
	encBuf  bytes.Buffer
	dec     *hpack.Decoder
	frames  chan h2frame
	stop    chan struct{}
	done    chan struct{}
	// window is the client's stream window (what its SETTINGS said).
	window   uint32
	next     uint32
	closed   sync.Once
	peerMu   sync.Mutex
	peer     peerSettings
	sendConn int64 // the proxy's connection window for what the client sends
	// ended is the connection's end once the reader met it; goaway the last
	// GOAWAY's last stream id (or maxUint32), for whether new streams may go.
	ended     error
	goaway    uint32
	hadGoAway bool
	// unackedConn is what the proxy sent on the connection since the client
	// last gave its window back (h2stream.credit).
	unackedConn uint32
	// sentGoAway: the client itself sent GOAWAY (H2Request.Last).
	sentGoAway bool
	// blk is the field block being read (HEADERS or PUSH_PROMISE, then its
	// CONTINUATION frames), blkFrame its first frame.
	blk      []byte
	blkFrame h2frame
}

// hpackField is one decoded field line.
type hpackField = hpack.HeaderField

type peerSettings struct {
	initialWindow int64
	maxFrame      uint32
}

// ErrTLSHandshake is the error of a TLS listener whose handshake failed: it
// does not speak TLS, or not with a certificate the client trusts.
var ErrTLSHandshake = errors.New("TLS handshake failed")

// ErrNotHTTP2 is the error of a listener that did not answer the connection
// preface with HTTP/2: its message quotes what came instead.
var ErrNotHTTP2 = errors.New("not HTTP/2")

// DialHTTP2 connects to addr and opens an HTTP/2 connection: h2c by prior
// knowledge when tlsConf is nil, else TLS whose ALPN must agree on h2. The
// connection preface is exchanged before it returns, all within timeout: an
// answer in HTTP/1.x, a failed handshake or another ALPN is an error that
// says which (ErrNotHTTP2 for the first).
func DialHTTP2(ctx context.Context, addr string, tlsConf *tls.Config, settings H2Settings, timeout time.Duration) (*H2Client, error) {
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(timeout)
	_ = conn.SetDeadline(deadline)
	if tlsConf != nil {
		// Offer http/1.1 too: a listener without h2 then says so by choosing
		// it, rather than by a bare alert.
		tlsConf = tlsConf.Clone()
		tlsConf.NextProtos = []string{"h2", "http/1.1"}
		tc := tls.Client(conn, tlsConf)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, fmt.Errorf("%w: %w", ErrTLSHandshake, err)
		}
		if p := tc.ConnectionState().NegotiatedProtocol; p != "h2" {
			tc.Close()
			if p == "" {
				p = "none"
			}
			return nil, fmt.Errorf("TLS ALPN agreed on %s, not h2 (the listener does not serve HTTP/2 over TLS): %w", p, ErrNotHTTP2)
		}
		conn = tc
	}
	c, err := newH2Client(conn, tlsConf != nil, settings)
	if err != nil {
		conn.Close()
		return nil, err
	}
	_ = conn.SetDeadline(time.Time{})
	c.start()
	return c, nil
}

// newH2Client writes the client's connection preface and reads the proxy's:
// its first frame must be a SETTINGS frame (RFC 9113 §3.4).
func newH2Client(conn net.Conn, isTLS bool, s H2Settings) (*H2Client, error) {
	c := &H2Client{conn: conn, tls: isTLS, br: bufio.NewReaderSize(conn, readSize), next: 1,
		frames: make(chan h2frame, 256), stop: make(chan struct{}), done: make(chan struct{}),
		window: DefaultStreamWindow, goaway: 1<<32 - 1, peer: peerSettings{initialWindow: h2DefaultWindow, maxFrame: h2DefaultFrameSize},
		sendConn: h2DefaultWindow}
	if s.InitialWindowSize != 0 {
		c.window = s.InitialWindowSize
	}
	c.fr = http2.NewFramer(conn, c.br)
	maxFrame := uint32(h2DefaultFrameSize)
	if s.MaxFrameSize != 0 {
		maxFrame = s.MaxFrameSize
	}
	c.fr.SetMaxReadFrameSize(maxFrame)
	c.enc = hpack.NewEncoder(&c.encBuf)
	table := uint32(4096)
	if s.HeaderTableSize != 0 {
		table = s.HeaderTableSize
	}
	c.dec = hpack.NewDecoder(table, nil)
	c.dec.SetMaxStringLength(maxSection)
	// A write error is kept for when no answer comes: a listener that is not
	// HTTP/2 may answer the preface's first bytes and close at once.
	_, werr := io.WriteString(conn, http2.ClientPreface)
	if werr == nil {
		werr = c.fr.WriteSettings(s.list()...)
	}
	if werr == nil {
		werr = c.fr.WriteWindowUpdate(0, h2ConnWindow-h2DefaultWindow)
	}
	head, err := c.br.Peek(9)
	if err != nil {
		if len(head) > 0 {
			return nil, fmt.Errorf("the answer to the connection preface ended after %d bytes (%s): %w", len(head), FirstBytes(head, 40), ErrNotHTTP2)
		}
		if werr != nil {
			err = werr
		}
		return nil, fmt.Errorf("no answer to the connection preface: %w", err)
	}
	if bytes.HasPrefix(head, []byte("HTTP/")) {
		line, _ := c.br.Peek(min(c.br.Buffered(), 80))
		if i := bytes.IndexAny(line, "\r\n"); i >= 0 {
			line = line[:i]
		}
		return nil, fmt.Errorf("answered the HTTP/2 connection preface in HTTP/1.x (%q): %w", line, ErrNotHTTP2)
	}
	if http2.FrameType(head[3]) != http2.FrameSettings || head[4]&byte(http2.FlagSettingsAck) != 0 {
		return nil, fmt.Errorf("the answer to the connection preface does not begin with SETTINGS (%s) (RFC 9113 §3.4): %w", FirstBytes(head, 9), ErrNotHTTP2)
	}
	return c, nil
}

// start runs the reader: it reads frames until the connection ends, answers
// SETTINGS and PING, and hands every frame to the exchanges.
func (c *H2Client) start() {
	go func() {
		defer close(c.done)
		for {
			f, err := c.fr.ReadFrame()
			hf := h2frame{at: time.Now(), err: err}
			if err == nil {
				hf = c.copyFrame(f)
			}
			select {
			case c.frames <- hf:
			case <-c.stop:
				return
			}
			if err != nil {
				return
			}
		}
	}()
}

// copyFrame copies what the exchanges need out of f (valid only until the
// next read), acknowledging SETTINGS and PING and applying the proxy's
// settings on the way.
func (c *H2Client) copyFrame(f http2.Frame) h2frame {
	h := f.Header()
	out := h2frame{at: time.Now(), typ: h.Type, stream: h.StreamID, flags: h.Flags, length: h.Length}
	switch f := f.(type) {
	case *http2.DataFrame:
		out.data = bytes.Clone(f.Data())
	case *http2.HeadersFrame:
		out.data = bytes.Clone(f.HeaderBlockFragment())
	case *http2.ContinuationFrame:
		out.data = bytes.Clone(f.HeaderBlockFragment())
	case *http2.RSTStreamFrame:
		out.code = f.ErrCode
	case *http2.GoAwayFrame:
		out.code, out.last = f.ErrCode, f.LastStreamID
	case *http2.WindowUpdateFrame:
		out.incr = f.Increment
		if f.StreamID == 0 {
			c.peerMu.Lock()
			c.sendConn += int64(f.Increment)
			c.peerMu.Unlock()
		}
	case *http2.SettingsFrame:
		if !f.IsAck() {
			_ = f.ForeachSetting(func(s http2.Setting) error {
				out.settings = append(out.settings, s)
				c.peerMu.Lock()
				switch s.ID {
				case http2.SettingInitialWindowSize:
					c.peer.initialWindow = int64(s.Val)
				case http2.SettingMaxFrameSize:
					c.peer.maxFrame = s.Val
				}
				c.peerMu.Unlock()
				return nil
			})
			c.write(func() error { return c.fr.WriteSettingsAck() })
		}
	case *http2.PingFrame:
		if !f.IsAck() {
			data := f.Data
			c.write(func() error { return c.fr.WritePing(true, data) })
		}
	}
	return out
}

// write runs one frame write under the write lock; a failed write shows as the
// read side's end soon enough, so its error is not kept.
func (c *H2Client) write(w func() error) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	return w()
}

// Close closes the connection and waits for the reader; a nil client is
// already closed.
func (c *H2Client) Close() {
	if c == nil {
		return
	}
	c.closed.Do(func() {
		close(c.stop)
		_ = c.conn.Close()
		<-c.done
	})
}

// CanOpen says why the connection can carry no new stream, or returns "": it
// ended, or a GOAWAY came (RFC 9113 §6.8: no new streams after it).
func (c *H2Client) CanOpen() string {
	switch {
	case c.ended != nil:
		return "the proxy ended the HTTP/2 connection after the previous response (" + endName(c.ended) + ")"
	case c.hadGoAway:
		return "the proxy sent GOAWAY after the previous response, so the connection takes no new stream"
	case c.sentGoAway:
		return "the previous request said Connection: close, so the client sent GOAWAY after its response"
	}
	return ""
}

// Exchange sends req on a new stream and reads the answer until the stream
// ends: END_STREAM (EndComplete), RST_STREAM or a GOAWAY that leaves it out
// (EndReset), the connection's end (EndTruncated at a FIN, EndReset at a TCP
// reset) or deadline (EndTimeout). The Response is built from the frames as
// ParseHTTP1Response builds one from bytes: interim and final heads, the
// body, the trailers, every malformation in Violations; x.H2 holds the frames.
// A cancelled ctx ends the exchange at once with Err set.
func (c *H2Client) Exchange(ctx context.Context, req H2Request, deadline time.Time) Exchange {
	x := Exchange{Method: req.Method}
	st := newH2Stream(c, &x, &H2Stream{TLS: c.tls, ID: c.next}, req.Method)
	x.H2 = st.rec
	c.next += 2
	if why := c.CanOpen(); why != "" {
		x.Err = "no new stream: " + why
		return x
	}
	_ = c.conn.SetWriteDeadline(deadline)
	defer c.conn.SetWriteDeadline(time.Time{})
	block := c.encode(req)
	body := req.Body
	err := c.write(func() error { return c.writeBlock(st.rec.ID, block, len(body) == 0) })
	x.SentAt = time.Now()
	if err != nil {
		// The proxy may have answered and closed already: read on.
		body = nil
	}
	st.sendWindow = c.peerWindow()
	held := req.ExpectContinue && len(body) > 0
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	var cont <-chan time.Time
	if held {
		t := time.NewTimer(ContinueWait)
		defer t.Stop()
		cont = t.C
	}
	for !st.finished() {
		if !held && len(body) > 0 {
			body = st.sendBody(body)
		}
		if held && (st.res.HeadComplete || sawContinue(st.res.Interim)) {
			held = false
			continue
		}
		select {
		case f := <-c.frames:
			st.handle(f)
		case <-cont:
			held, cont = false, nil
		case <-timer.C:
			st.end(EndTimeout)
		case <-ctx.Done():
			st.end(EndTimeout)
			x.Err = "exchange cancelled: " + context.Cause(ctx).Error()
		}
	}
	// The exchange's write deadline has passed when it timed out: the
	// RST_STREAM below gets a moment of its own.
	_ = c.conn.SetWriteDeadline(time.Now().Add(time.Second))
	switch {
	case st.ending == EndComplete && len(body) > 0:
		// The response is complete before the request body went: tell the proxy
		// the rest is not coming (RFC 9113 §8.1 lets it answer early).
		_ = c.write(func() error { return c.fr.WriteRSTStream(st.rec.ID, http2.ErrCodeCancel) })
	case st.ending == EndTimeout && c.ended == nil:
		// The client gives up on the stream, as RFC 9113 §8.7 lets it.
		_ = c.write(func() error { return c.fr.WriteRSTStream(st.rec.ID, http2.ErrCodeCancel) })
	}
	if req.Last && c.ended == nil {
		// No stream was opened by the proxy (the client refuses pushes), so the
		// last stream id is 0.
		c.sentGoAway = true
		_ = c.write(func() error {
			if err := c.fr.WriteGoAway(0, http2.ErrCodeNo, nil); err != nil {
				return err
			}
			// Then the client's half of the connection ends, as it would
			// close it (§6.8: "Endpoints SHOULD always send a GOAWAY frame
			// before closing a connection"), while it reads on: a server
			// that waits before closing after a graceful GOAWAY (Go's waits a
			// second) sees the end at once.
			if cw, ok := c.conn.(interface{ CloseWrite() error }); ok {
				return cw.CloseWrite()
			}
			return nil
		})
	}
	x.EndAt = time.Now()
	x.End = x.EndAt.Sub(x.SentAt)
	x.Ending = st.ending
	x.Response = st.result()
	x.BodySent = st.sent
	return x
}

// Linger reads what arrives after a complete response until until, the
// connection's end or ctx: a frame on the finished stream is the proxy's
// protocol error (RFC 9113 §5.1: frames after END_STREAM), recorded in
// x.H2. It returns how the connection then stood.
func (c *H2Client) Linger(ctx context.Context, until time.Time, x *Exchange) ConnState {
	st := newH2Stream(c, x, x.H2, x.Method)
	st.lingering = true
	t := time.NewTimer(time.Until(until))
	defer t.Stop()
	for c.ended == nil {
		select {
		case f := <-c.frames:
			st.handle(f)
		case <-t.C:
			return ConnOpen
		case <-ctx.Done():
			return ConnOpen
		}
	}
	if errors.Is(c.ended, io.EOF) || errors.Is(c.ended, io.ErrUnexpectedEOF) {
		return ConnClosed
	}
	return ConnReset
}

// peerWindow is a new stream's window for what the client sends.
func (c *H2Client) peerWindow() int64 {
	c.peerMu.Lock()
	defer c.peerMu.Unlock()
	return c.peer.initialWindow
}

// encode is req's field block: the control data, then the fields, lowercased,
// without those HTTP/2 forbids (RFC 9113 §8.2.2; te only as "trailers"), and
// content-length for a body unless the fields carry one.
func (c *H2Client) encode(req H2Request) []byte {
	c.encBuf.Reset()
	method := req.Method
	if method == "" {
		method = "GET"
	}
	scheme := "http"
	if c.tls {
		scheme = "https"
	}
	enc := func(n, v string) { _ = c.enc.WriteField(hpack.HeaderField{Name: n, Value: v}) }
	enc(":method", method)
	enc(":scheme", scheme)
	enc(":authority", req.Authority)
	enc(":path", req.Path)
	hasLength := false
	for _, line := range req.Fields {
		n, v, _ := strings.Cut(line, ":")
		n, v = strings.ToLower(strings.TrimSpace(n)), strings.TrimSpace(v)
		switch {
		case n == "host" || n == "expect" && req.ExpectContinue:
			continue // :authority carries the host; expect is added below
		case n == "te" && !strings.EqualFold(v, "trailers"):
			continue
		case isConnectionSpecific(n):
			continue
		case n == "content-length":
			hasLength = true
		}
		enc(n, v)
	}
	if req.ExpectContinue {
		enc("expect", "100-continue")
	}
	if len(req.Body) > 0 && !hasLength {
		enc("content-length", fmt.Sprint(len(req.Body)))
	}
	return bytes.Clone(c.encBuf.Bytes())
}

func isConnectionSpecific(name string) bool { return slices.Contains(connectionSpecific, name) }

// writeBlock writes a field block as HEADERS and as many CONTINUATION frames
// as the proxy's SETTINGS_MAX_FRAME_SIZE needs.
func (c *H2Client) writeBlock(id uint32, block []byte, endStream bool) error {
	c.peerMu.Lock()
	max := int(c.peer.maxFrame)
	c.peerMu.Unlock()
	first := block[:min(len(block), max)]
	rest := block[len(first):]
	if err := c.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: first, EndStream: endStream, EndHeaders: len(rest) == 0}); err != nil {
		return err
	}
	for len(rest) > 0 {
		n := min(len(rest), max)
		if err := c.fr.WriteContinuation(id, n == len(rest), rest[:n]); err != nil {
			return err
		}
		rest = rest[n:]
	}
	return nil
}

// endName names a connection's end for people.
func endName(err error) string {
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "FIN"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE):
		return "TCP reset"
	case errors.Is(err, os.ErrDeadlineExceeded):
		return "deadline"
	}
	return err.Error()
}

// HTTP2Request is r as the HTTP/2 client sends it: the same method, path and
// fields, Host as :authority (unless a Host field is given, whose value then
// is), and the same body (r.BodyBytes of fakeupstream.Pattern when r.Body is
// empty). An HTTP/2 request has no version and no chunked coding.
func HTTP2Request(r Request) H2Request {
	authority := r.Host
	for _, line := range r.Headers {
		if n, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(strings.TrimSpace(n), "Host") {
			authority = strings.TrimSpace(v)
		}
	}
	body := r.Body
	if len(body) == 0 && r.BodyBytes > 0 {
		body = patternBody(r.BodyBytes)
	}
	method := r.Method
	if method == "" {
		method = "GET"
	}
	return H2Request{Method: method, Authority: authority, Path: r.Path, Fields: r.Headers, Body: body, ExpectContinue: r.ExpectContinue, Last: closes(r.Headers)}
}

// closes reports whether fields hold a Connection field with the close option.
func closes(fields []string) bool {
	for _, line := range fields {
		n, v, ok := strings.Cut(line, ":")
		if !ok || !strings.EqualFold(strings.TrimSpace(n), "Connection") {
			continue
		}
		for opt := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(opt), "close") {
				return true
			}
		}
	}
	return false
}

// GetHTTP2 sends one GET for path over a new HTTP/2 connection to addr (h2c
// by prior knowledge, or TLS when tlsConf is set) and returns what came back;
// the whole exchange, dial included, is bounded by timeout. It is for a quick
// look through a listener (a target's self-check, a test): runs go through an
// H2Client of their own.
func GetHTTP2(ctx context.Context, addr string, tlsConf *tls.Config, path string, timeout time.Duration) (Exchange, error) {
	deadline := time.Now().Add(timeout)
	c, err := DialHTTP2(ctx, addr, tlsConf, H2Settings{}, timeout)
	if err != nil {
		return Exchange{}, err
	}
	defer c.Close()
	x := c.Exchange(ctx, H2Request{Method: "GET", Authority: addr, Path: path}, deadline)
	if x.Err != "" {
		return x, errors.New(x.Err)
	}
	return x, nil
}
