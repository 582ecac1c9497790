package wire

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/net/http2"
)

// maxH2Block bounds one field block, HEADERS and CONTINUATION together: beyond
// it the client gives up the connection (RFC 9113 §10.5.1 lets it).
const maxH2Block = 16 << 20

// h2stream reads the frames of one exchange (or of the linger after it) and
// builds the Response and the H2Stream record from them.
type h2stream struct {
	c      *H2Client
	x      *Exchange
	rec    *H2Stream
	method string
	// lingering: the response is complete and the client only waits; every
	// frame on the stream is then a frame after END_STREAM.
	lingering bool

	res    Response
	f      findings
	sum    hash.Hash
	ending Ending
	over   bool
	// recvWindow is what the proxy may still send on the stream; sendWindow
	// what the client may.
	recvWindow, sendWindow int64
	// unacked is what the proxy sent on the stream since the client last
	// gave window back.
	unacked      uint32
	sent         int64
	body         bool // the final head allows content
	lengthSet    bool
	trailersDone bool
}

func (s *h2stream) finished() bool { return s.over }

func (s *h2stream) end(e Ending) {
	if !s.over {
		s.over, s.ending = true, e
	}
}

// protocolError records a frame-level error of the proxy's; a connection
// error (conn) also ends the connection as RFC 9113 §5.4.1 says: GOAWAY with
// the code, then close.
func (s *h2stream) protocolError(conn bool, code http2.ErrCode, format string, a ...any) {
	if len(s.rec.ProtocolErrors) < maxFindings {
		s.rec.ProtocolErrors = append(s.rec.ProtocolErrors, fmt.Sprintf(format, a...))
	}
	if conn && s.c.ended == nil {
		_ = s.c.write(func() error { return s.c.fr.WriteGoAway(s.c.next-2, code, nil) })
		s.c.ended = http2.ConnectionError(code)
		_ = s.c.conn.Close()
		s.end(EndReset)
	}
}

// record keeps f in the stream's frame list when it is the stream's or the
// connection's own.
func (s *h2stream) record(f h2frame, status int) {
	if (f.stream != s.rec.ID && f.stream != 0) || len(s.rec.Frames) >= maxH2Frames {
		return
	}
	r := H2Frame{At: f.at.Sub(s.x.SentAt), Type: f.typ.String(), Stream: f.stream, Length: f.length, Status: status}
	if f.flags != 0 {
		r.Flags = flagNames(f.typ, f.flags)
	}
	switch f.typ {
	case http2.FrameRSTStream, http2.FrameGoAway:
		r.Code = f.code.String()
		r.LastStream = f.last
	case http2.FrameWindowUpdate:
		r.Increment = f.incr
	}
	s.rec.Frames = append(s.rec.Frames, r)
}

// handle takes one frame (or the connection's end).
func (s *h2stream) handle(f h2frame) {
	c := s.c
	if f.err != nil {
		s.connEnded(f)
		return
	}
	if c.ended != nil {
		return // after the client's own GOAWAY: nothing more is read
	}
	if f.typ != http2.FrameHeaders && f.typ != http2.FrameContinuation && f.typ != http2.FramePushPromise {
		s.record(f, 0)
	}
	switch f.typ {
	case http2.FrameHeaders, http2.FrameContinuation, http2.FramePushPromise:
		s.block(f)
	case http2.FrameData:
		s.data(f)
	case http2.FrameRSTStream:
		if f.stream == s.rec.ID && !s.lingering {
			if !s.rec.EndStream {
				s.rec.Reset = f.code.String()
				s.end(EndReset)
			}
		}
	case http2.FrameGoAway:
		c.hadGoAway = true
		s.rec.GoAway, s.rec.GoAwayLastStream = f.code.String(), f.last
		if f.last < s.rec.ID && !s.lingering {
			s.end(EndReset)
		}
	case http2.FrameWindowUpdate:
		if f.stream == s.rec.ID {
			s.sendWindow += int64(f.incr)
		}
	}
}

// connEnded is the end of the connection: a FIN, a reset, or a frame the
// Framer could not read (the proxy's protocol error).
func (s *h2stream) connEnded(f h2frame) {
	c := s.c
	if c.ended != nil {
		return
	}
	var ce http2.ConnectionError
	switch {
	case errors.Is(f.err, io.EOF), errors.Is(f.err, io.ErrUnexpectedEOF):
		c.ended = f.err
		s.tcp(f, "fin")
		s.end(EndTruncated)
	case errors.Is(f.err, syscall.ECONNRESET), errors.Is(f.err, syscall.ECONNABORTED), errors.Is(f.err, syscall.EPIPE):
		c.ended = f.err
		s.tcp(f, "reset")
		s.end(EndReset)
	case errors.Is(f.err, http2.ErrFrameTooLarge):
		s.protocolError(true, http2.ErrCodeFrameSize, "a frame larger than the client's SETTINGS_MAX_FRAME_SIZE (RFC 9113 §4.2: an endpoint MUST send an error code of FRAME_SIZE_ERROR)")
	case errors.As(f.err, &ce):
		s.protocolError(true, http2.ErrCode(ce), "a frame the client cannot accept: %v (RFC 9113 §5.4.1)", f.err)
	default:
		var se http2.StreamError
		if errors.As(f.err, &se) {
			s.protocolError(true, se.Code, "a frame the client cannot accept: %v (RFC 9113 §5.4.1)", f.err)
			return
		}
		c.ended = f.err
		s.tcp(f, "reset")
		s.end(EndReset)
		if s.x.Err == "" && !s.lingering {
			s.x.Err = "read from the proxy: " + f.err.Error()
		}
	}
}

func (s *h2stream) tcp(f h2frame, how string) {
	if len(s.rec.Frames) < maxH2Frames {
		s.rec.Frames = append(s.rec.Frames, H2Frame{At: f.at.Sub(s.x.SentAt), Type: "TCP", End: how})
	}
}

// block accumulates a field block (HEADERS, PUSH_PROMISE, then CONTINUATION)
// and handles it once END_HEADERS came. Every block is decoded, whatever its
// stream: the HPACK table is the connection's.
func (s *h2stream) block(f h2frame) {
	c := s.c
	if f.typ != http2.FrameContinuation {
		c.blk = append(c.blk[:0], f.data...)
		c.blkFrame = f
	} else {
		c.blk = append(c.blk, f.data...)
		c.blkFrame.length += f.length
	}
	if len(c.blk) > maxH2Block {
		s.protocolError(true, http2.ErrCodeEnhanceYourCalm, "a field block larger than %d bytes (RFC 9113 §10.5.1)", maxH2Block)
		return
	}
	if f.flags&http2.FlagHeadersEndHeaders == 0 && !(f.typ == http2.FrameContinuation && f.flags&http2.FlagContinuationEndHeaders != 0) {
		return
	}
	first := c.blkFrame
	fields, err := c.dec.DecodeFull(c.blk)
	if err != nil {
		s.record(first, 0)
		s.protocolError(true, http2.ErrCodeCompression, "a field block the client cannot decode: %v (RFC 9113 §4.3: a decoding error MUST be treated as a connection error of type COMPRESSION_ERROR)", err)
		return
	}
	if first.typ == http2.FramePushPromise {
		s.record(first, 0)
		s.protocolError(true, http2.ErrCodeProtocol, "PUSH_PROMISE though the client's SETTINGS_ENABLE_PUSH is 0 (RFC 9113 §6.6: a connection error of type PROTOCOL_ERROR)")
		return
	}
	if first.stream != s.rec.ID || s.lingering || s.over {
		s.record(first, 0)
		s.foreign(first, "HEADERS")
		return
	}
	s.head(first, fields)
}

// foreign is a frame on a stream that cannot take it: the finished stream, an
// earlier one, or one the client never opened.
func (s *h2stream) foreign(f h2frame, what string) {
	switch {
	case f.stream == s.rec.ID:
		s.protocolError(true, http2.ErrCodeStreamClosed, "%s on stream %d after its END_STREAM (RFC 9113 §5.1: an endpoint that receives any frames after receiving a frame with the END_STREAM flag set MUST treat that as a connection error of type STREAM_CLOSED)", what, f.stream)
	case f.stream%2 == 0 || f.stream >= s.c.next:
		s.protocolError(true, http2.ErrCodeProtocol, "%s on stream %d, which the client never opened (RFC 9113 §5.1: a connection error of type PROTOCOL_ERROR)", what, f.stream)
	default:
		s.protocolError(true, http2.ErrCodeStreamClosed, "%s on stream %d, an earlier request's, after it ended (RFC 9113 §5.1)", what, f.stream)
	}
}

// head handles one decoded field block on the stream: an interim response, the
// final head, or the trailers.
func (s *h2stream) head(f h2frame, hf []hpackField) {
	endStream := f.flags&http2.FlagHeadersEndStream != 0
	r := &s.res
	switch {
	case !r.HeadComplete:
		where := "head"
		b := readH2Block(hf, "", false, &findings{}) // for the status only
		if b.status/100 == 1 {
			where = "interim " + strconv.Itoa(len(r.Interim)+1)
		}
		b = readH2Block(hf, where, false, &s.f)
		s.record(f, b.status)
		h := Head{StatusLine: "HTTP/2 " + b.statusText, Version: "HTTP/2", Status: b.status, Fields: b.fields}
		s.render(h)
		if b.status/100 == 1 {
			r.Interim = append(r.Interim, h)
			if b.status == 101 {
				s.f.bad("%s: a 101 (RFC 9113 §8.6: \"HTTP/2 does not support the 101 (Switching Protocols) informational status code\")", where)
			}
			if endStream {
				s.f.bad("%s: a %d with END_STREAM (RFC 9113 §8.1: a HEADERS frame with the END_STREAM flag set that carries an informational status code is malformed)", where, b.status)
				s.finish()
			}
			return
		}
		r.Final, r.HeadComplete = h, true
		s.x.HeadAt = f.at
		s.framing(h)
		if endStream {
			s.finish()
		}
	case s.trailersDone:
		s.record(f, 0)
		s.f.bad("trailers: a second trailer section (RFC 9113 §8.1: at most one HEADERS frame with the trailer section)")
	default:
		s.record(f, 0)
		b := readH2Block(hf, "trailers", true, &s.f)
		r.Trailers = b.fields
		s.trailersDone = true
		s.render(Head{Fields: b.fields})
		if !endStream {
			s.f.bad("trailers: a HEADERS frame after the final response without END_STREAM (RFC 9113 §8.1: the request or response is malformed)")
		} else {
			s.finish()
		}
	}
}

// framing reads the final head's content-length and whether it may have
// content at all (RFC 9110 §6.4.1).
func (s *h2stream) framing(h Head) {
	r := &s.res
	noBody := strings.EqualFold(s.method, "HEAD") || h.Status == 204 || h.Status == 304 ||
		(strings.EqualFold(s.method, "CONNECT") && h.Status/100 == 2)
	s.body = !noBody
	r.Framing = FramingEndStream
	if vals := h.Values("content-length"); len(vals) > 0 {
		n, ok := parseDecimal(strings.TrimLeft(vals[0], "0"))
		same := true
		for _, v := range vals[1:] {
			same = same && v == vals[0]
		}
		switch {
		case !allDigits(vals[0]):
			s.f.bad("head: content-length %q is not a number (RFC 9110 §8.6)", vals[0])
		case !ok && same:
			// A valid numeral beyond 2^63-1, as ParseHTTP1Response keeps it:
			// RFC 9110 §8.6 asks recipients to anticipate large numerals, and
			// such a body can never complete.
			s.f.note("head: content-length %s is beyond 2^63-1; the body can never complete (RFC 9110 §8.6)", clipNumber(vals[0]))
			r.ContentLength, s.lengthSet = math.MaxInt64, true
			if s.body {
				r.Framing = FramingContentLength
			}
		case !same:
			s.f.bad("head: content-length fields that disagree: %s (RFC 9110 §8.6)", strings.Join(vals, ", "))
		default:
			r.ContentLength, s.lengthSet = n, true
			if s.body {
				r.Framing = FramingContentLength
			}
			if len(vals) > 1 {
				// As ParseHTTP1Response has it: usable, but not to be forwarded.
				s.f.bad("head: repeated content-length %q (RFC 9110 §8.6: a sender MUST NOT forward it without replacing it by one value)", strings.Join(vals, ", "))
			}
		}
	}
	if noBody {
		r.Framing = FramingNone
	}
}

// data handles one DATA frame: content, flow control, and its place in the
// message.
func (s *h2stream) data(f h2frame) {
	if f.stream == 0 {
		s.protocolError(true, http2.ErrCodeProtocol, "DATA on stream 0 (RFC 9113 §6.1: the recipient MUST respond with a connection error of type PROTOCOL_ERROR)")
		return
	}
	if f.stream != s.rec.ID || s.lingering || s.over {
		s.foreign(f, "DATA")
		return
	}
	s.recvWindow -= int64(f.length)
	if s.recvWindow < 0 {
		s.protocolError(true, http2.ErrCodeFlowControl, "DATA beyond the stream's flow-control window (RFC 9113 §6.9.1: a sender MUST NOT send a flow-controlled frame with a length that exceeds the space available)")
		return
	}
	r := &s.res
	switch {
	case !r.HeadComplete:
		s.f.bad("body: DATA before the final response's HEADERS (RFC 9113 §8.1: one HEADERS frame, then zero or more DATA frames)")
	case s.trailersDone:
		s.f.bad("body: DATA after the trailers (RFC 9113 §8.1)")
	case !s.body && len(f.data) > 0:
		s.f.bad("body: %d bytes of content in a response that has none (RFC 9110 §6.4.1; RFC 9113 §8.1.1)", len(f.data))
	}
	if len(f.data) > 0 {
		if s.x.FirstBodyAt.IsZero() {
			s.x.FirstBodyAt = f.at
		}
		r.Body = appendCapped(r.Body, f.data, MaxBody)
		r.Raw = appendCapped(r.Raw, f.data, MaxRaw)
		r.BodyLen += int64(len(f.data))
		s.sum.Write(f.data)
	}
	end := f.flags&http2.FlagDataEndStream != 0
	if f.length > 0 {
		s.credit(f.length, end)
	}
	if end {
		s.finish()
	}
}

// credit gives back the window a DATA frame of n bytes used, as real clients
// do: once half of a window is used, so that the proxy never waits on a
// window but a scenario's own small one, and never in a WINDOW_UPDATE per
// frame (RFC 9113 §6.9.1: "Receivers are advised to have mechanisms in place
// to avoid sending WINDOW_UPDATE frames with very small increments"), which a
// proxy may take for a flood: Traffic Server answers a slow drip's 4-byte
// updates with ENHANCE_YOUR_CALM.
// end: the stream is over, so only the connection's window matters.
func (s *h2stream) credit(n uint32, end bool) {
	c := s.c
	var stream, conn uint32
	if !end {
		s.unacked += n
		if s.unacked >= max(c.window/2, 1) {
			stream, s.unacked = s.unacked, 0
		}
	}
	c.unackedConn += n
	if c.unackedConn >= h2ConnWindow/2 {
		conn, c.unackedConn = c.unackedConn, 0
	}
	if stream == 0 && conn == 0 {
		return
	}
	_ = c.write(func() error {
		if stream > 0 {
			if err := c.fr.WriteWindowUpdate(s.rec.ID, stream); err != nil {
				return err
			}
		}
		if conn > 0 {
			return c.fr.WriteWindowUpdate(0, conn)
		}
		return nil
	})
	s.recvWindow += int64(stream)
}

// finish is END_STREAM on the stream.
func (s *h2stream) finish() {
	s.rec.EndStream = true
	s.end(EndComplete)
}

// render appends a head, as people read one, to Raw: "HTTP/2 200" and its
// field lines (trailers without the first line).
func (s *h2stream) render(h Head) {
	var b strings.Builder
	if h.StatusLine != "" {
		b.WriteString(h.StatusLine + "\r\n")
	}
	for _, f := range h.Fields {
		b.WriteString(f.Name + ": " + f.Value + "\r\n")
	}
	b.WriteString("\r\n")
	s.res.Raw = appendCapped(s.res.Raw, []byte(b.String()), MaxRaw)
}

// sendBody writes as much of body as the windows allow, in frames the proxy
// accepts, and returns what is left. The last frame carries END_STREAM.
func (s *h2stream) sendBody(body []byte) []byte {
	c := s.c
	c.peerMu.Lock()
	room := min(s.sendWindow, c.sendConn)
	maxFrame := int64(c.peer.maxFrame)
	c.peerMu.Unlock()
	for len(body) > 0 && room > 0 && !s.over {
		n := int(min(int64(len(body)), room, maxFrame))
		last := n == len(body)
		if err := c.write(func() error { return c.fr.WriteData(s.rec.ID, last, body[:n]) }); err != nil {
			return nil
		}
		s.sent += int64(n)
		s.sendWindow -= int64(n)
		room -= int64(n)
		c.peerMu.Lock()
		c.sendConn -= int64(n)
		c.peerMu.Unlock()
		body = body[n:]
	}
	return body
}

// result is the Response the frames made.
func (s *h2stream) result() Response {
	r := s.res
	r.Complete = r.HeadComplete && s.rec.EndStream
	// More DATA than the content-length is malformed when it arrives, whether
	// END_STREAM or RST_STREAM follows (as bytes beyond an HTTP/1.1
	// Content-Length are, whatever ends the connection).
	if s.lengthSet && s.body && r.BodyLen > r.ContentLength {
		s.f.bad("body: %d bytes of DATA for a content-length of %d (RFC 9113 §8.1.1: malformed if the value of a content-length header field does not equal the sum of the DATA frame payload lengths)", r.BodyLen, r.ContentLength)
	}
	r.BodySHA256 = hex.EncodeToString(s.sum.Sum(nil))
	r.Violations, r.Notes = s.f.lists()
	return r
}

// flagNames names a frame's flags, as "END_STREAM|END_HEADERS".
func flagNames(t http2.FrameType, fl http2.Flags) string {
	var names []string
	add := func(bit http2.Flags, name string) {
		if fl&bit != 0 {
			names = append(names, name)
		}
	}
	switch t {
	case http2.FrameData:
		add(http2.FlagDataEndStream, "END_STREAM")
		add(http2.FlagDataPadded, "PADDED")
	case http2.FrameHeaders:
		add(http2.FlagHeadersEndStream, "END_STREAM")
		add(http2.FlagHeadersEndHeaders, "END_HEADERS")
		add(http2.FlagHeadersPadded, "PADDED")
		add(http2.FlagHeadersPriority, "PRIORITY")
	case http2.FrameSettings, http2.FramePing:
		add(http2.FlagSettingsAck, "ACK")
	case http2.FrameContinuation, http2.FramePushPromise:
		add(http2.FlagContinuationEndHeaders, "END_HEADERS")
	}
	if len(names) == 0 {
		return fmt.Sprintf("0x%x", uint8(fl))
	}
	return strings.Join(names, "|")
}

// newH2Stream is a stream's reader for an exchange, with the client's window.
func newH2Stream(c *H2Client, x *Exchange, rec *H2Stream, method string) *h2stream {
	return &h2stream{c: c, x: x, rec: rec, method: method, sum: sha256.New(), recvWindow: int64(c.window)}
}
