package wire

import (
	"fmt"
	"math"
	"strings"
)

// Framing is how an HTTP/1.x response's body ends (RFC 9112 §6.3).
type Framing string

// The framings of Response.Framing.
const (
	// FramingNone: no body (HEAD, 1xx, 101, 204, 304, a 2xx to CONNECT, or
	// Content-Length 0).
	FramingNone          Framing = "none"
	FramingContentLength Framing = "content-length"
	FramingChunked       Framing = "chunked"
	// FramingClose: the body ends when the connection closes.
	FramingClose Framing = "close"
	// FramingInvalid: an invalid or conflicting Content-Length; the body is
	// read until the connection ends and the message is never complete.
	FramingInvalid Framing = "invalid"
	// FramingEndStream: HTTP/2 content without a content-length, ended by
	// END_STREAM (RFC 9113 §8.1).
	FramingEndStream Framing = "end-stream"
)

// framingOf decides how the body of a final response ends, per RFC 9112 §6.3, and
// records every framing violation on the way. It returns the framing and the
// declared Content-Length (when one is valid, even where it frames nothing).
func framingOf(h Head, method, where string, f *findings) (framing Framing, length int64) {
	te := h.Values("Transfer-Encoding")
	length, clValid := contentLength(h, where, f)
	// §6.3 (1) and (2): responses that never have content.
	noBody := strings.EqualFold(method, "HEAD") || h.Status/100 == 1 || h.Status == 204 || h.Status == 304 ||
		(strings.EqualFold(method, "CONNECT") && h.Status/100 == 2)
	if h.Status == 204 || h.Status/100 == 1 {
		if len(te) > 0 {
			f.note("%s: Transfer-Encoding in a %d response (RFC 9112 §6.1: a server MUST NOT send it)", where, h.Status)
		}
		if len(h.Values("Content-Length")) > 0 {
			f.note("%s: Content-Length in a %d response (RFC 9110 §8.6: a server MUST NOT send it)", where, h.Status)
		}
	}
	if len(te) > 0 {
		framing = transferCoding(h, te, where, f)
	}
	switch {
	case noBody:
		return FramingNone, length
	case framing != "":
		return framing, length
	case len(h.Values("Content-Length")) == 0:
		return FramingClose, 0 // §6.3 (8)
	case !clValid:
		return FramingInvalid, 0 // §6.3 (5)
	case length == 0:
		return FramingNone, 0
	}
	return FramingContentLength, length
}

// transferCoding checks the Transfer-Encoding lines of a final head and returns
// "chunked" when chunked is the final coding, else "close" (RFC 9112 §6.3 (4): a
// response whose final coding is not chunked is delimited by the close).
func transferCoding(h Head, te []string, where string, f *findings) Framing {
	if len(h.Values("Content-Length")) > 0 {
		f.bad("%s: Transfer-Encoding together with Content-Length (RFC 9112 §6.2: a sender MUST NOT send both; §6.3 (3): Transfer-Encoding overrides)", where)
	}
	if h.Version == "HTTP/1.0" {
		f.bad("%s: Transfer-Encoding in an HTTP/1.0 response (RFC 9112 §6.1: the recipient MUST treat the framing as faulty)", where)
	}
	var codings []string
	for _, v := range te {
		for c := range strings.SplitSeq(v, ",") {
			if c = strings.ToLower(trimOWS(c)); c != "" {
				codings = append(codings, c)
			}
		}
	}
	if len(codings) == 0 {
		f.bad("%s: Transfer-Encoding without a coding (RFC 9112 §6.1)", where)
		return FramingClose
	}
	chunked := 0
	for _, c := range codings {
		if c == "chunked" {
			chunked++
		}
	}
	if chunked > 1 {
		f.bad("%s: chunked applied %d times in Transfer-Encoding %q (RFC 9112 §6.1: a sender MUST NOT apply chunked more than once)", where, chunked, strings.Join(te, ", "))
	}
	if last := codings[len(codings)-1]; last != "chunked" {
		f.note("%s: final transfer coding %q is not chunked: the body ends at the close (RFC 9112 §6.3 (4))", where, last)
		return FramingClose
	}
	return FramingChunked
}

// contentLength checks every Content-Length line of a head (RFC 9110 §8.6:
// Content-Length = 1*DIGIT) and returns the declared length and whether it is
// usable. The same value repeated ("5, 5" or two lines) is usable but still a
// violation, since a sender MUST NOT forward it unrepaired; different values, or a
// value that is not 1*DIGIT (a sign, hex, empty), are invalid framing (RFC 9112
// §6.3 (5)). A valid numeral beyond 2^63-1 is not a syntax error — §8.6 asks
// recipients to anticipate large numerals — so it is noted and kept as
// math.MaxInt64: such a body can never complete.
func contentLength(h Head, where string, f *findings) (int64, bool) {
	lines := h.Values("Content-Length")
	if len(lines) == 0 {
		return 0, false
	}
	var elems []string
	for _, v := range lines {
		for e := range strings.SplitSeq(v, ",") {
			elems = append(elems, trimOWS(e))
		}
	}
	all := strings.Join(lines, ", ")
	var first string
	for _, e := range elems {
		if !allDigits(e) {
			f.bad("%s: invalid Content-Length %q: %s (RFC 9110 §8.6: 1*DIGIT; RFC 9112 §6.3 (5))", where, all, whyNotDigits(e))
			return 0, false
		}
		e = strings.TrimLeft(e, "0")
		switch {
		case first == "" || first == e:
			first = e
		default:
			f.bad("%s: conflicting Content-Length values %q (RFC 9112 §6.3 (5))", where, all)
			return 0, false
		}
	}
	if len(elems) > 1 {
		f.bad("%s: repeated Content-Length %q (RFC 9110 §8.6: a sender MUST NOT forward it without replacing it by one value)", where, all)
	}
	n, ok := parseDecimal(first)
	if !ok {
		f.note("%s: Content-Length %s is beyond 2^63-1; the body can never complete (RFC 9110 §8.6)", where, clipNumber(first))
		return math.MaxInt64, true
	}
	return n, true
}

// allDigits reports whether s is 1*DIGIT.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// whyNotDigits says why s is not 1*DIGIT.
func whyNotDigits(s string) string {
	switch {
	case s == "":
		return "empty"
	case s[0] == '+' || s[0] == '-':
		return "a sign"
	case strings.HasPrefix(strings.ToLower(s), "0x"):
		return "hexadecimal"
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return "contains " + charName(s[i])
		}
	}
	return "not a number"
}

// parseDecimal parses 1*DIGIT without leading zeros ("" is 0); it fails beyond
// 2^63-1.
func parseDecimal(s string) (int64, bool) {
	var n int64
	for i := 0; i < len(s); i++ {
		d := int64(s[i] - '0')
		if n > (math.MaxInt64-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// clipNumber shortens a long numeral for a message.
func clipNumber(s string) string {
	if len(s) <= 30 {
		return s
	}
	return fmt.Sprintf("%s… (%d digits)", s[:20], len(s))
}

// parseChunkSize parses a chunk size line without its line ending (RFC 9112
// §7.1): chunk-size [ chunk-ext ], chunk-size = 1*HEXDIG. A line that does not
// start with a size, a size followed by anything but whitespace or ";", and a size
// beyond 2^63-1 (§7.1: recipients MUST anticipate overflows) are errors: the body
// cannot be decoded further. Whitespace after the size and a malformed extension
// are returned as extErr with the size still usable, since §7.1.1 has recipients
// ignore extensions.
func parseChunkSize(line string) (size int64, err, extErr string) {
	i := 0
	for i < len(line) && isHex(line[i]) {
		i++
	}
	if i == 0 {
		return 0, fmt.Sprintf("chunk size line %s does not start with a hexadecimal size (RFC 9112 §7.1)", Quote(line)), ""
	}
	digits := strings.TrimLeft(line[:i], "0")
	if len(digits) > 16 || len(digits) == 16 && digits[0] > '7' {
		return 0, fmt.Sprintf("chunk size %s overflows 63 bits (RFC 9112 §7.1)", clipNumber(line[:i])), ""
	}
	for j := 0; j < len(digits); j++ {
		size = size<<4 | int64(hexVal(digits[j]))
	}
	switch rest := trimOWS(line[i:]); {
	case rest == "" && len(line) > i:
		return size, "", fmt.Sprintf("chunk size line %s: whitespace after the size (RFC 9112 §7.1)", Quote(line))
	case rest != "" && rest[0] != ';':
		return 0, fmt.Sprintf("chunk size line %s: %s after the size (RFC 9112 §7.1)", Quote(line), charName(rest[0])), ""
	}
	if e := chunkExt(line[i:]); e != "" {
		return size, "", fmt.Sprintf("chunk size line %s: %s in the chunk extension (RFC 9112 §7.1.1)", Quote(line), e)
	}
	return size, "", ""
}

// chunkExt checks chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS
// chunk-ext-val ] ) and returns what is wrong, or "".
func chunkExt(s string) string {
	for s != "" {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			return "trailing whitespace"
		}
		if s[0] != ';' {
			return "unexpected " + charName(s[0])
		}
		s = strings.TrimLeft(s[1:], " \t")
		n := tokenLen(s)
		if n == 0 {
			return "an extension without a name"
		}
		s = s[n:]
		rest := strings.TrimLeft(s, " \t")
		if rest == "" || rest[0] != '=' {
			if rest != "" && rest[0] != ';' {
				return "unexpected " + charName(rest[0])
			}
			s = rest
			continue
		}
		s = strings.TrimLeft(rest[1:], " \t")
		switch {
		case s != "" && s[0] == '"':
			n = quotedLen(s)
			if n == 0 {
				return "an unterminated quoted-string"
			}
		default:
			if n = tokenLen(s); n == 0 {
				return "an extension without a value after ="
			}
		}
		s = s[n:]
	}
	return ""
}

// tokenLen is the length of the token at the start of s.
func tokenLen(s string) int {
	n := 0
	for n < len(s) && isTchar(s[n]) {
		n++
	}
	return n
}

// quotedLen is the length of the quoted-string at the start of s (RFC 9110
// §5.6.4), or 0 when it is unterminated or holds a CTL other than HTAB.
func quotedLen(s string) int {
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			return i + 1
		case c == '\\':
			i++
			if i < len(s) && isCTL(s[i]) && s[i] != '\t' {
				return 0
			}
		case isCTL(c) && c != '\t':
			return 0
		}
	}
	return 0
}

func hexVal(c byte) byte {
	switch {
	case isDigit(c):
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
