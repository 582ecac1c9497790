package docker

// A copy of h2Get in targets/h2client_test.go (test files cannot be shared
// between packages): one HTTP/2 GET on x/net/http2's Framer, with no client
// of net/http's or x/net/http2's own, to check the containers' HTTP/2
// listeners.

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/gatecheck/gatecheck/harness"
)

// h2Response is what one HTTP/2 GET got: the final status, the body, the
// RST_STREAM code when the stream was reset instead of ended, and every frame
// read, as "SETTINGS", "HEADERS stream=1 END_STREAM" and so on.
type h2Response struct {
	Status int
	Header http.Header
	Body   []byte
	Reset  *http2.ErrCode
	Frames []string
}

// h2Bound bounds one HTTP/2 exchange, dial to the end of the stream.
const h2Bound = 10 * time.Second

// h2Get sends one GET for path to a listener by HTTP/2: by prior knowledge
// over cleartext TCP, or over TLS when l.TLS is set (ALPN must agree on h2).
// It writes the client preface, an empty SETTINGS and a HEADERS frame with
// END_STREAM on stream 1, then reads frames until stream 1 ends (END_STREAM)
// or is reset, acknowledging the server's SETTINGS and PINGs; the whole
// exchange is bounded by h2Bound and ctx. It is deliberately small: neither
// x/net/http2's Transport nor net/http's HTTP/2 client, whose own checks and
// repairs would hide what the proxy sent.
func h2Get(ctx context.Context, l harness.Listener, path string) (h2Response, error) {
	var res h2Response
	ctx, cancel := context.WithTimeout(ctx, h2Bound)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", l.Addr)
	if err != nil {
		return res, err
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	scheme := "http"
	if l.TLS != nil {
		tc := tls.Client(conn, l.TLS)
		if err := tc.HandshakeContext(ctx); err != nil {
			return res, fmt.Errorf("TLS handshake with %s: %w", l.Addr, err)
		}
		if p := tc.ConnectionState().NegotiatedProtocol; p != "h2" {
			return res, fmt.Errorf("TLS with %s: ALPN agreed on %q, not h2", l.Addr, p)
		}
		conn, scheme = tc, "https"
	}
	if _, err := io.WriteString(conn, http2.ClientPreface); err != nil {
		return res, fmt.Errorf("write the preface: %w", err)
	}
	fr := http2.NewFramer(conn, conn)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	fr.MaxHeaderListSize = 1 << 20
	if err := fr.WriteSettings(http2.Setting{ID: http2.SettingEnablePush, Val: 0}); err != nil {
		return res, fmt.Errorf("write SETTINGS: %w", err)
	}
	var block bytes.Buffer
	enc := hpack.NewEncoder(&block)
	for _, f := range []hpack.HeaderField{
		{Name: ":method", Value: "GET"},
		{Name: ":scheme", Value: scheme},
		{Name: ":authority", Value: l.Addr},
		{Name: ":path", Value: path},
	} {
		if err := enc.WriteField(f); err != nil {
			return res, err
		}
	}
	if err := fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: block.Bytes(), EndStream: true, EndHeaders: true}); err != nil {
		return res, fmt.Errorf("write HEADERS: %w", err)
	}
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return res, fmt.Errorf("read a frame (after %s): %w", strings.Join(res.Frames, ", "), err)
		}
		res.Frames = append(res.Frames, describeFrame(f))
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				if err := fr.WriteSettingsAck(); err != nil {
					return res, fmt.Errorf("write SETTINGS ack: %w", err)
				}
			}
		case *http2.PingFrame:
			if !f.IsAck() {
				if err := fr.WritePing(true, f.Data); err != nil {
					return res, fmt.Errorf("write PING ack: %w", err)
				}
			}
		case *http2.MetaHeadersFrame:
			if f.StreamID != 1 {
				continue
			}
			if res.Status == 0 || res.Status < 200 {
				st, err := strconv.Atoi(f.PseudoValue("status"))
				if err != nil {
					return res, fmt.Errorf("HEADERS without a valid :status: %q", f.PseudoValue("status"))
				}
				res.Status, res.Header = st, http.Header{}
				for _, hf := range f.RegularFields() {
					res.Header.Add(hf.Name, hf.Value)
				}
			}
			if f.StreamEnded() {
				return res, nil
			}
		case *http2.DataFrame:
			if f.StreamID != 1 {
				continue
			}
			res.Body = append(res.Body, f.Data()...)
			if n := uint32(len(f.Data())); n > 0 {
				// Give the window back, so that a longer body is not stalled.
				_ = fr.WriteWindowUpdate(0, n)
				_ = fr.WriteWindowUpdate(1, n)
			}
			if f.StreamEnded() {
				return res, nil
			}
		case *http2.RSTStreamFrame:
			if f.StreamID == 1 {
				code := f.ErrCode
				res.Reset = &code
				return res, nil
			}
		}
	}
}

// describeFrame names a frame for a test's log: its type, its stream, its
// flags and any error code.
func describeFrame(f http2.Frame) string {
	h := f.Header()
	s := h.Type.String()
	if h.StreamID != 0 {
		s += " stream=" + strconv.FormatUint(uint64(h.StreamID), 10)
	}
	switch h.Type {
	case http2.FrameSettings, http2.FramePing:
		if h.Flags.Has(http2.FlagSettingsAck) {
			s += " ACK"
		}
	case http2.FrameHeaders, http2.FrameData:
		if h.Flags.Has(http2.FlagDataEndStream) {
			s += " END_STREAM"
		}
	}
	switch f := f.(type) {
	case *http2.RSTStreamFrame:
		s += " " + f.ErrCode.String()
	case *http2.GoAwayFrame:
		s += " " + f.ErrCode.String()
	}
	return s
}
