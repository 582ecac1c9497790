package bench

import (
	"bytes"
	"math"
	"strconv"
	"strings"

	"github.com/gatecheck/gatecheck/wire"
)

// Bounds of the plain-mode reader: the harness parser's (harness/response.go),
// so that a response it stops parsing, this reader stops framing too.
const (
	// plainMaxSection bounds one head or trailer section.
	plainMaxSection = 1 << 20
	// plainMaxSizeLine bounds one chunk size line (checked, as the harness
	// does, only on a read that does not end it).
	plainMaxSizeLine = 4 << 10
)

// plainState is where a plainReader is in the response.
type plainState uint8

const (
	psHead      plainState = iota // in an interim or the final head
	psLength                      // in a Content-Length body
	psClose                       // in a body delimited by the close (or invalid framing)
	psChunkSize                   // in a chunk size line
	psChunkData                   // in chunk data
	psChunkEnd                    // in the CRLF after chunk data
	psTrailers                    // in the trailer section
	psDone                        // the message is complete
	psBroken                      // the bytes cannot be framed further
)

// plainReader frames one plain-mode response: it reads the heads (interim
// ones are skipped) and the framing of the final one, and skips the body
// bytes without keeping or hashing them. It takes the same decisions as the
// harness parser — the final status, whether the message is complete by its
// framing or would be at a clean FIN, whether bytes follow it, whether the
// connection may carry another request — and only those: a plain-mode
// outcome is a status code or how the exchange ended, never a verdict.
//
// A head in the common shape (CRLF lines, an HTTP/1.x status line, one
// Content-Length of digits or Transfer-Encoding: chunked, ASCII field values)
// is read in place; any other head is handed to wire.ParseHTTP1Response, whose
// Final, Interim and Framing are then taken as they are, so an odd head is
// decided exactly as the harness decides it.
//
// The buffers (the head being read, a chunk size line) are kept across
// responses: reset before each.
type plainReader struct {
	method string
	state  plainState
	// got says at least one byte arrived.
	got bool
	// acc holds a head not yet complete; scan is where to resume looking for
	// its end (the harness's sectionEnd).
	acc  []byte
	scan int
	// The final head.
	headComplete bool
	status       int
	http10       bool
	// connClose and connKeepAlive say the final head's Connection values
	// (joined, lowercased) contain "close" and "keep-alive".
	connClose, connKeepAlive bool
	framing                  wire.Framing
	// remain is what is left of a Content-Length body or a chunk.
	remain int64
	// line holds a chunk size line not yet complete.
	line  []byte
	sawCR bool
	// The trailer section: bytes so far, bytes in the current line, and
	// whether that line began with CR.
	tCount, tLine int
	tCR           bool
	// extra says bytes arrived after the complete message.
	extra bool
	// slow counts heads handed to wire.ParseHTTP1Response (for tests).
	slow int
}

// reset readies r for the response to a request made with method, keeping
// its buffers.
func (r *plainReader) reset(method string) {
	*r = plainReader{method: method, acc: r.acc[:0], line: r.line[:0], slow: r.slow}
}

// done reports whether the message is complete by its framing alone.
func (r *plainReader) done() bool { return r.state == psDone }

// closeDelimited reports whether the message would be complete at a clean FIN.
func (r *plainReader) closeDelimited() bool {
	return r.state == psClose && r.framing == wire.FramingClose
}

// reusable reports whether the connection may carry another request after
// this response (worker.go's reusable, for a response that ended
// complete): nothing after the message, and no Connection: close (HTTP/1.1)
// or an explicit keep-alive (HTTP/1.0).
func (r *plainReader) reusable() bool {
	if r.state != psDone || r.extra {
		return false
	}
	if r.http10 {
		return r.connKeepAlive
	}
	return !r.connClose
}

// feed frames the next bytes of the stream.
func (r *plainReader) feed(b []byte) {
	if len(b) > 0 {
		r.got = true
	}
	for len(b) > 0 {
		switch r.state {
		case psHead:
			b = r.head(b)
		case psLength, psChunkData:
			n := min(int64(len(b)), r.remain)
			b, r.remain = b[n:], r.remain-n
			if r.remain == 0 && r.state == psLength {
				r.state = psDone
			} else if r.remain == 0 {
				r.state = psChunkEnd
			}
		case psChunkSize:
			b = r.sizeLine(b)
		case psChunkEnd:
			b = r.chunkEnd(b)
		case psTrailers:
			b = r.trailers(b)
		case psDone:
			r.extra = true
			b = nil
		default: // psClose, psBroken
			b = nil
		}
	}
}

// head accumulates a head and decides it once its empty line has arrived, as
// the harness parser does (empty lines before a status line are skipped). It
// returns the bytes after the head.
func (r *plainReader) head(b []byte) []byte {
	acc, held := b, len(r.acc) > 0
	if held {
		r.acc = append(r.acc, b...)
		acc = r.acc
	}
	if r.scan == 0 {
		for {
			if len(acc) > 0 && acc[0] == '\n' {
				acc = acc[1:]
			} else if len(acc) > 1 && acc[0] == '\r' && acc[1] == '\n' {
				acc = acc[2:]
			} else {
				break
			}
		}
	}
	end := sectionEnd(acc, &r.scan)
	if end < 0 || end > plainMaxSection {
		if len(acc) > plainMaxSection {
			r.acc, r.state = r.acc[:0], psBroken
			return nil
		}
		r.acc = append(r.acc[:0], acc...) // copy handles the overlap
		return nil
	}
	sec, rest := acc[:end], acc[end:]
	r.scan = 0
	r.decideHead(sec)
	if held {
		r.acc = r.acc[:0] // rest still points into it: only head() writes acc
	}
	return rest
}

// sectionEnd looks in acc, from *scan on, for the empty line that ends a
// head or trailer section, and returns the index just past it, or -1.
func sectionEnd(acc []byte, scan *int) int {
	for {
		i := bytes.IndexByte(acc[*scan:], '\n')
		if i < 0 {
			return -1
		}
		line := acc[*scan : *scan+i]
		*scan += i + 1
		if len(line) == 0 || len(line) == 1 && line[0] == '\r' {
			return *scan
		}
	}
}

// decideHead takes a complete head section: an interim head leaves r reading
// heads; a final one sets the status, the connection facts and the framing.
func (r *plainReader) decideHead(sec []byte) {
	if !r.fastHead(sec) {
		r.slowHead(sec)
	}
	if !r.headComplete {
		return
	}
	switch r.framing {
	case wire.FramingNone:
		r.state = psDone
	case wire.FramingContentLength:
		r.state = psLength
	case wire.FramingChunked:
		r.state = psChunkSize
	default:
		r.state = psClose
	}
}

// slowHead decides a head with the harness parser.
func (r *plainReader) slowHead(sec []byte) {
	r.slow++
	res := wire.ParseHTTP1Response(sec, r.method, wire.EndTimeout)
	if len(res.Interim) > 0 || !res.HeadComplete {
		return
	}
	h := res.Final
	r.headComplete, r.status, r.http10 = true, h.Status, h.Version == "HTTP/1.0"
	r.framing, r.remain = res.Framing, res.ContentLength
	conn := strings.ToLower(strings.Join(h.Values("Connection"), ","))
	r.connClose, r.connKeepAlive = strings.Contains(conn, "close"), strings.Contains(conn, "keep-alive")
}

// fastHead decides a head in the common shape and reports whether it could:
// false leaves r as it was, for slowHead.
func (r *plainReader) fastHead(sec []byte) bool {
	i := bytes.IndexByte(sec, '\n')
	if i < 1 || sec[i-1] != '\r' {
		return false
	}
	status, http10, ok := fastStatusLine(sec[:i-1])
	if !ok {
		return false
	}
	if status >= 100 && status <= 199 && status != 101 {
		return true // interim: its fields decide nothing
	}
	sec = sec[i+1:]
	var cl, te []byte
	ncl, nte := 0, 0
	var connClose, connKeepAlive bool
	for {
		i := bytes.IndexByte(sec, '\n')
		if i < 1 || sec[i-1] != '\r' {
			return false // a bare LF (or, impossibly, no end)
		}
		line := sec[:i-1]
		sec = sec[i+1:]
		if len(line) == 0 {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			return false // obs-fold, or a line the harness drops
		}
		colon := bytes.IndexByte(line, ':')
		if colon < 0 {
			return false
		}
		name := line[:colon]
		value := func() []byte { return bytes.Trim(line[colon+1:], " \t") }
		switch len(name) {
		case len("Content-Length"):
			if bytes.EqualFold(name, []byte("Content-Length")) {
				cl, ncl = value(), ncl+1
			}
		case len("Transfer-Encoding"):
			if bytes.EqualFold(name, []byte("Transfer-Encoding")) {
				te, nte = value(), nte+1
			}
		case len("Connection"):
			if bytes.EqualFold(name, []byte("Connection")) {
				value := value()
				if !isASCII(value) {
					return false // strings.ToLower folds some non-ASCII to ASCII
				}
				connClose = connClose || containsFoldASCII(value, "close")
				connKeepAlive = connKeepAlive || containsFoldASCII(value, "keep-alive")
			}
		default:
			// Names that differ in length can still fold equal outside
			// ASCII (ſ, K): leave those to the harness.
			if !isASCII(name) {
				return false
			}
		}
	}
	// RFC 9112 §6.3, as harness framingOf decides it.
	framing, length := wire.Framing(""), int64(0)
	noBody := strings.EqualFold(r.method, "HEAD") || status/100 == 1 || status == 204 || status == 304 ||
		(strings.EqualFold(r.method, "CONNECT") && status/100 == 2)
	switch {
	case noBody:
		framing = wire.FramingNone
	case nte > 0:
		if nte > 1 || !isASCII(te) || !bytes.EqualFold(te, []byte("chunked")) {
			return false
		}
		framing = wire.FramingChunked
	case ncl == 0:
		framing = wire.FramingClose
	case ncl > 1 || len(cl) == 0:
		return false
	default:
		for _, c := range cl {
			if c < '0' || c > '9' {
				return false
			}
		}
		length = decimal(cl)
		framing = wire.FramingContentLength
		if length == 0 {
			framing = wire.FramingNone
		}
	}
	r.headComplete, r.status, r.http10 = true, status, http10
	r.connClose, r.connKeepAlive = connClose, connKeepAlive
	r.framing, r.remain = framing, length
	return true
}

// fastStatusLine parses a status line "HTTP/1.d DDD" with an SP and a reason
// phrase without control characters (HTAB aside) or nothing after the code;
// any other line is not ok (the harness then decides it).
func fastStatusLine(l []byte) (status int, http10, ok bool) {
	if len(l) < 12 || string(l[:7]) != "HTTP/1." || !isDigit(l[7]) || l[8] != ' ' ||
		!isDigit(l[9]) || !isDigit(l[10]) || !isDigit(l[11]) {
		return 0, false, false
	}
	if rest := l[12:]; len(rest) > 0 {
		if rest[0] != ' ' {
			return 0, false, false
		}
		for _, c := range rest[1:] {
			if (c < 0x20 && c != '\t') || c == 0x7f {
				return 0, false, false
			}
		}
	}
	status = int(l[9]-'0')*100 + int(l[10]-'0')*10 + int(l[11]-'0')
	return status, l[7] == '0', true
}

// decimal is the value of 1*DIGIT, math.MaxInt64 beyond it (the harness
// keeps such a length, and the body never completes).
func decimal(d []byte) int64 {
	var n int64
	for _, c := range d {
		v := int64(c - '0')
		if n > (math.MaxInt64-v)/10 {
			return math.MaxInt64
		}
		n = n*10 + v
	}
	return n
}

// sizeLine reads a chunk size line (harness sizeLine). It returns the bytes
// after it.
func (r *plainReader) sizeLine(b []byte) []byte {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		r.line = append(r.line, b...)
		if len(r.line) > plainMaxSizeLine {
			r.state = psBroken
		}
		return nil
	}
	line := b[:i]
	if len(r.line) > 0 {
		r.line = append(r.line, line...)
		line = r.line
	}
	line = bytes.TrimSuffix(line, []byte("\r"))
	size, ok := chunkSize(line)
	r.line = r.line[:0]
	switch {
	case !ok:
		r.state = psBroken
		return nil
	case size == 0:
		r.state, r.tCount, r.tLine, r.tCR = psTrailers, 0, 0, false
	default:
		r.state, r.remain = psChunkData, size
	}
	return b[i+1:]
}

// chunkSize parses chunk-size [ chunk-ext ] as far as the harness's
// parseChunkSize fails it: not a hexadecimal size, a size beyond 2^63-1, or
// anything but whitespace or ";" after the size. The extension itself
// decides nothing.
func chunkSize(line []byte) (int64, bool) {
	i := 0
	for i < len(line) && isHex(line[i]) {
		i++
	}
	if i == 0 {
		return 0, false
	}
	digits := bytes.TrimLeft(line[:i], "0")
	if len(digits) > 16 || len(digits) == 16 && digits[0] > '7' {
		return 0, false
	}
	var size int64
	for _, c := range digits {
		size = size<<4 | int64(hexVal(c))
	}
	if rest := bytes.TrimLeft(line[i:], " \t"); len(rest) > 0 && rest[0] != ';' {
		return 0, false
	}
	return size, true
}

// chunkEnd reads the CRLF after chunk data (a bare LF is tolerated, as the
// harness does). It returns the bytes after it.
func (r *plainReader) chunkEnd(b []byte) []byte {
	for len(b) > 0 {
		switch c := b[0]; {
		case c == '\r' && !r.sawCR:
			r.sawCR = true
			b = b[1:]
		case c == '\n':
			r.sawCR, r.state = false, psChunkSize
			return b[1:]
		default:
			r.state = psBroken
			return nil
		}
	}
	return nil
}

// trailers skips the trailer section up to its empty line, bounded as the
// harness bounds it. It returns the bytes after it.
func (r *plainReader) trailers(b []byte) []byte {
	for i, c := range b {
		r.tCount++
		if c == '\n' {
			if r.tLine == 0 || r.tLine == 1 && r.tCR {
				if r.tCount > plainMaxSection {
					r.state = psBroken
					return nil
				}
				r.state = psDone
				return b[i+1:]
			}
			r.tLine, r.tCR = 0, false
			continue
		}
		if r.tCount > plainMaxSection {
			r.state = psBroken
			return nil
		}
		if r.tLine == 0 {
			r.tCR = c == '\r'
		}
		r.tLine++
	}
	return nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isHex(c byte) bool { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func hexVal(c byte) byte {
	switch {
	case isDigit(c):
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// containsFoldASCII reports whether s contains sub (lower case ASCII),
// ignoring ASCII case.
func containsFoldASCII(s []byte, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		j := 0
		for j < len(sub) && lowerASCII(s[i+j]) == sub[j] {
			j++
		}
		if j == len(sub) {
			return true
		}
	}
	return false
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// statusTexts are the outcomes of the status codes a status line can carry
// (0 for one the harness could not read).
var statusTexts = func() (t [1000]string) {
	for i := range t {
		t[i] = strconv.Itoa(i)
	}
	return t
}()

// statusText is a status code as an outcome, fmt.Sprint's form.
func statusText(status int) string {
	if status >= 0 && status < len(statusTexts) {
		return statusTexts[status]
	}
	return strconv.Itoa(status)
}
