package wire

import (
	"strings"
	"time"
)

// Exchange is what the client saw of one request: what it got, how and when
// that ended. The journal's side of the request is not the client's to know;
// the judge adds it.
type Exchange struct {
	Response Response `json:"response"`
	Ending   Ending   `json:"ending"`
	// FirstByte and End are measured from when the request was sent; FirstByte is
	// zero when nothing arrived.
	FirstByte time.Duration `json:"first_byte_ns"`
	End       time.Duration `json:"end_ns"`
	// HeadAt and FirstBodyAt are when the final head, and the first body byte,
	// arrived (zero if never), wall clock, for within checks.
	SentAt      time.Time `json:"sent_at"`
	HeadAt      time.Time `json:"head_at,omitzero"`
	FirstBodyAt time.Time `json:"first_body_at,omitzero"`
	EndAt       time.Time `json:"end_at,omitzero"`
	// Method is the request's method, as sent.
	Method string `json:"method,omitempty"`
	// BodySent is how many request body bytes the client wrote (framing included).
	BodySent int64 `json:"body_sent,omitempty"`
	// Err is a client-side error that is neither an end of the connection nor the
	// deadline (a cancelled run, an unexpected socket error): the exchange is
	// then no evidence about the proxy, and the run is an error, not a verdict.
	Err string `json:"err,omitempty"`
	// H2 is what an HTTP/2 client saw of the request's stream (nil for
	// HTTP/1.x): the frames, END_STREAM, RST_STREAM, GOAWAY and the proxy's
	// protocol errors.
	H2 *H2Stream `json:"h2,omitempty"`
}

// Tunnel reports whether the final response turned the connection into
// something other than HTTP: a 101, or a 2xx to CONNECT (RFC 9112 §6.3 (2)).
func (x Exchange) Tunnel() bool {
	st := x.Response.Final.Status
	return st == 101 || strings.EqualFold(x.Method, "CONNECT") && st/100 == 2
}

// Ending is how the client's connection ended for one response.
type Ending string

// The four endings.
const (
	EndComplete  Ending = "complete"  // the message was complete per its framing
	EndTruncated Ending = "truncated" // a clean FIN before the message was complete
	EndReset     Ending = "reset"     // a TCP reset (ECONNRESET) before the message was complete
	EndTimeout   Ending = "timeout"   // the deadline passed before the message was complete
)

// Field is one field line as received: the name and value as on the wire, with
// leading and trailing whitespace of the value removed.
type Field struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Head is one parsed response head (interim or final).
type Head struct {
	// StatusLine is the raw status line without its line ending.
	StatusLine string  `json:"status_line"`
	Version    string  `json:"version"`
	Status     int     `json:"status"` // 0 when the status line did not parse
	Fields     []Field `json:"fields"`
}

// Values returns every value of the named field (case-insensitive), in order.
func (h Head) Values(name string) []string { return FieldValues(h.Fields, name) }

// Response is what a client made of a byte stream: the interim responses, the final
// head, the body, the trailers, how the message was framed and how it ended. It is
// produced by ParseHTTP1Response, from the client's bytes or from the bytes an
// upstream script writes (the reference).
type Response struct {
	// Raw is every byte received, up to MaxRaw (the heads and the start of the
	// body, for people; the whole decoded body is in Body).
	Raw []byte `json:"-"`
	// HeadComplete is true when a final response head (not 1xx) was fully received.
	HeadComplete bool   `json:"head_complete"`
	Interim      []Head `json:"interim,omitempty"`
	Final        Head   `json:"final"`
	// Framing is how the body's end is determined: "none" (HEAD, 1xx, 101, 204,
	// 304, a 2xx to CONNECT, or Content-Length 0), "content-length", "chunked",
	// "close", or "invalid" (an invalid or conflicting Content-Length: the body is
	// read until the connection ends and the message is never complete).
	Framing Framing `json:"framing"`
	// ContentLength is the declared length wherever a valid Content-Length was
	// received (also where it does not frame the body, as for HEAD or 304); a value
	// beyond 2^63-1 is kept as math.MaxInt64.
	ContentLength int64 `json:"content_length"`
	// Body is the decoded body (de-chunked); BodyLen counts it even where Body is
	// capped.
	Body    []byte `json:"-"`
	BodyLen int64  `json:"body_len"`
	// BodySHA256 is the hex SHA-256 of the whole decoded body, kept or not.
	BodySHA256 string `json:"body_sha256,omitempty"`
	// LastChunk is true when a chunked body's last-chunk and trailer section were
	// received.
	LastChunk bool    `json:"last_chunk,omitempty"`
	Trailers  []Field `json:"trailers,omitempty"`
	// Complete is true when the message is complete per its framing: all
	// Content-Length bytes, the last-chunk and trailers, or a close-delimited body
	// ended by a clean FIN.
	Complete bool `json:"complete"`
	// Violations lists every way the bytes break HTTP/1.1 syntax or framing rules
	// (bare LF or CR, obs-fold, whitespace before a colon, invalid field name, NUL
	// or CR in a value, conflicting or invalid Content-Length, Transfer-Encoding
	// with Content-Length, bad chunk size, a status line that is not HTTP/1.x NNN).
	// Each entry says where (head, interim N, body, trailers), what, and the RFC
	// section. A client that receives any of them has been sent something that is
	// not valid HTTP/1.1 (judge rule 3).
	Violations []string `json:"violations,omitempty"`
	// Notes lists deviations the RFCs let a recipient tolerate, which the judge
	// does not count: no SP after a status code without a reason phrase, a status
	// code outside 100-599, a CTL other than NUL and CR in a field value, a
	// Content-Length beyond 2^63-1, a transfer coding other than chunked last.
	Notes []string `json:"notes,omitempty"`
	// Partial holds the bytes of a final head that began but never completed.
	Partial []byte `json:"-"`
	// Extra is any byte received after a complete message.
	Extra []byte `json:"-"`
}

// fieldValues returns every value of the named field (case-insensitive), in order.
func FieldValues(fields []Field, name string) []string {
	var out []string
	for _, f := range fields {
		if strings.EqualFold(f.Name, name) {
			out = append(out, f.Value)
		}
	}
	return out
}
