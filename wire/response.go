package wire

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"
)

// Limits of what one Response keeps. Everything beyond is still parsed and
// counted; only the bytes are not kept.
const (
	// MaxBody is how many decoded body bytes Response.Body keeps.
	MaxBody = 64 << 20
	// MaxRaw is how many received bytes Response.Raw (and Extra) keep: the heads
	// and the start of the body, for people (the body itself is in Body).
	MaxRaw = 1 << 20
	// maxSection bounds one head or trailer section: beyond it the parse stops.
	maxSection = 1 << 20
	// maxPrealloc bounds the body buffer allocated up front for a Content-Length
	// body (a declared length is not a promise).
	maxPrealloc = 16 << 20
	// maxSizeLine bounds one chunk size line.
	maxSizeLine = 4 << 10
)

// ParseHTTP1Response parses the bytes a client received for one request made with
// method. It never fails: whatever does not follow HTTP/1.1 is recorded in
// Violations (or, where the RFCs let a recipient tolerate it, in Notes) and the
// parse carries on as leniently as the bytes allow. Any number of interim (1xx
// other than 101) heads may precede the final head; the body is framed per RFC 9112
// §6.3 and de-chunked; bytes after a complete message go to Extra.
//
// ending says how the byte stream ended, which decides whether a body delimited by
// the close is complete: EndComplete or EndTruncated mean a clean FIN (or bytes
// known to be whole), EndReset a TCP reset, EndTimeout a stream still open when it
// was cut off. Only a clean FIN completes a close-delimited body (RFC 9112 §8).
func ParseHTTP1Response(raw []byte, method string, ending Ending) Response {
	p := newParser(method)
	p.feed(raw)
	return p.result(ending)
}

// pstate is where a parser is in the response.
type pstate int

const (
	stHead      pstate = iota // in an interim or the final head
	stLength                  // in a Content-Length body
	stClose                   // in a body delimited by the close (or invalid framing)
	stChunkSize               // in a chunk size line
	stChunkData               // in chunk data
	stChunkEnd                // in the CRLF after chunk data
	stTrailers                // in the trailer section
	stDone                    // the message is complete
	stBroken                  // the bytes cannot be parsed further
)

// parser is an incremental response parser: feed it bytes as they arrive, ask it
// whether the message is complete, and take the Response at the end.
type parser struct {
	method string
	res    Response
	f      findings
	state  pstate
	// acc accumulates the head, trailer section or size line being read; scan is
	// where to resume looking for its end.
	acc    []byte
	scan   int
	remain int64 // bytes left in a Content-Length body or a chunk
	sawCR  bool  // the CR of the CRLF after chunk data has been seen
	bareLF bool  // a chunk line ended in a bare LF (recorded once)
	blank  bool  // empty lines came before the current head's status line
	sum    hash.Hash
}

func newParser(method string) *parser {
	return &parser{method: method, sum: sha256.New()}
}

// feed parses the next bytes of the stream.
func (p *parser) feed(b []byte) {
	p.res.Raw = appendCapped(p.res.Raw, b, MaxRaw)
	for len(b) > 0 {
		switch p.state {
		case stHead:
			b = p.head(b)
		case stLength, stChunkData:
			n := min(int64(len(b)), p.remain)
			p.body(b[:n])
			b, p.remain = b[n:], p.remain-n
			if p.remain == 0 && p.state == stLength {
				p.state = stDone
			} else if p.remain == 0 {
				p.state = stChunkEnd
			}
		case stClose:
			p.body(b)
			b = nil
		case stChunkSize:
			b = p.sizeLine(b)
		case stChunkEnd:
			b = p.chunkEnd(b)
		case stTrailers:
			b = p.trailers(b)
		case stDone:
			p.res.Extra = appendCapped(p.res.Extra, b, MaxRaw)
			b = nil
		case stBroken:
			b = nil
		}
	}
}

// done reports whether the message is complete by its framing alone.
func (p *parser) done() bool { return p.state == stDone }

// closeDelimited reports whether the message would be complete at a clean FIN.
func (p *parser) closeDelimited() bool { return p.state == stClose && p.res.Framing == FramingClose }

// head accumulates a head and parses it once its empty line has arrived. It
// returns the bytes after the head.
func (p *parser) head(b []byte) []byte {
	p.acc = append(p.acc, b...)
	if p.scan == 0 {
		skipped := false
		for {
			if len(p.acc) > 0 && p.acc[0] == '\n' {
				p.acc = p.acc[1:]
			} else if len(p.acc) > 1 && p.acc[0] == '\r' && p.acc[1] == '\n' {
				p.acc = p.acc[2:]
			} else {
				break
			}
			skipped = true
		}
		if skipped && !p.blank {
			p.blank = true
			p.f.bad("stream: empty line before status line %d (RFC 9112 §4: a response begins with its status line)", len(p.res.Interim)+1)
		}
	}
	end := p.sectionEnd()
	if end < 0 || end > maxSection {
		if len(p.acc) > maxSection {
			p.f.bad("%s: larger than %d bytes without an end; parsing stopped", p.nextHeadName(), maxSection)
			p.res.Partial = p.acc[:maxSection:maxSection]
			p.acc, p.state = nil, stBroken
		}
		return nil
	}
	where := p.nextHeadName()
	raw, rest := p.acc[:end:end], p.acc[end:]
	p.acc, p.scan, p.blank = nil, 0, false
	h := parseHead(raw, where, &p.f)
	if isInterim(h.Status) {
		framingOf(h, p.method, where, &p.f) // for its violations and notes only
		p.res.Interim = append(p.res.Interim, h)
		return rest
	}
	p.res.Final, p.res.HeadComplete = h, true
	p.res.Framing, p.res.ContentLength = framingOf(h, p.method, where, &p.f)
	switch p.res.Framing {
	case FramingNone:
		p.state = stDone
	case FramingContentLength:
		p.state, p.remain = stLength, p.res.ContentLength
		p.res.Body = make([]byte, 0, min(p.remain, maxPrealloc))
	case FramingChunked:
		p.state = stChunkSize
	default:
		p.state = stClose
	}
	return rest
}

// nextHeadName names the head being read in findings: "interim N" when its
// status line, as far as it has arrived, is an interim one, else "head".
func (p *parser) nextHeadName() string {
	line, _, _ := bytes.Cut(p.acc, []byte("\n"))
	var scratch findings
	if _, status := parseStatusLine(strings.TrimSuffix(string(line), "\r"), "", &scratch); isInterim(status) {
		return fmt.Sprintf("interim %d", len(p.res.Interim)+1)
	}
	return "head"
}

// isInterim reports whether status is an interim response: 1xx but 101, after
// which the connection leaves HTTP/1.1 (RFC 9110 §15.2.2).
func isInterim(status int) bool { return status >= 100 && status <= 199 && status != 101 }

// sectionEnd looks in acc, from scan on, for the empty line that ends a head or
// trailer section, and returns the index just past it, or -1.
func (p *parser) sectionEnd() int {
	for {
		i := bytes.IndexByte(p.acc[p.scan:], '\n')
		if i < 0 {
			return -1
		}
		line := p.acc[p.scan : p.scan+i]
		p.scan += i + 1
		if len(line) == 0 || len(line) == 1 && line[0] == '\r' {
			return p.scan
		}
	}
}

// sizeLine reads a chunk size line. It returns the bytes after it.
func (p *parser) sizeLine(b []byte) []byte {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		p.acc = append(p.acc, b...)
		if len(p.acc) > maxSizeLine {
			p.f.bad("body: chunk size line longer than %d bytes (RFC 9112 §7.1)", maxSizeLine)
			p.state = stBroken
		}
		return nil
	}
	line := string(p.acc) + string(b[:i])
	p.acc = p.acc[:0]
	if l, ok := strings.CutSuffix(line, "\r"); ok {
		line = l
	} else {
		p.noteBareLF()
	}
	size, err, extErr := parseChunkSize(line)
	if err != "" {
		p.f.bad("body: %s", err)
		p.state = stBroken
		return nil
	}
	if extErr != "" {
		p.f.bad("body: %s", extErr)
	}
	if size == 0 {
		p.state = stTrailers
	} else {
		p.state, p.remain = stChunkData, size
	}
	return b[i+1:]
}

// chunkEnd reads the CRLF after chunk data. It returns the bytes after it.
func (p *parser) chunkEnd(b []byte) []byte {
	for len(b) > 0 {
		switch c := b[0]; {
		case c == '\r' && !p.sawCR:
			p.sawCR = true
			b = b[1:]
		case c == '\n':
			if !p.sawCR {
				p.noteBareLF()
			}
			p.sawCR, p.state = false, stChunkSize
			return b[1:]
		default:
			p.f.bad("body: chunk data not followed by CRLF (got %s after %d body bytes; RFC 9112 §7.1)", charName(c), p.res.BodyLen)
			p.state = stBroken
			return nil
		}
	}
	return nil
}

// noteBareLF records, once per message, a chunk line ended by a bare LF.
func (p *parser) noteBareLF() {
	if !p.bareLF {
		p.bareLF = true
		p.f.bad("body: chunk line ends in a bare LF instead of CRLF (RFC 9112 §2.2, §7.1)")
	}
}

// trailers reads the trailer section after the last-chunk. It returns the bytes
// after it.
func (p *parser) trailers(b []byte) []byte {
	p.acc = append(p.acc, b...)
	end := p.sectionEnd()
	if end < 0 || end > maxSection {
		if len(p.acc) > maxSection {
			p.f.bad("trailers: larger than %d bytes without an end; parsing stopped", maxSection)
			p.acc, p.state = nil, stBroken
		}
		return nil
	}
	raw, rest := p.acc[:end:end], p.acc[end:]
	p.acc, p.scan = nil, 0
	p.res.Trailers = parseFields(splitLines(raw, "trailers", &p.f), "trailers", false, &p.f)
	p.res.LastChunk, p.state = true, stDone
	return rest
}

// body takes decoded body bytes.
func (p *parser) body(b []byte) {
	p.res.BodyLen += int64(len(b))
	p.sum.Write(b)
	p.res.Body = appendCapped(p.res.Body, b, MaxBody)
}

// result is the Response so far, had the stream ended as ending says. It does not
// change the parser, so it may be asked more than once.
func (p *parser) result(ending Ending) Response {
	r := p.res
	f := p.f
	f.violations = append([]string(nil), f.violations...)
	f.notes = append([]string(nil), f.notes...)
	switch p.state {
	case stDone:
		r.Complete = true
	case stClose:
		r.Complete = r.Framing == FramingClose && (ending == EndTruncated || ending == EndComplete)
	case stHead:
		if len(p.acc) > 0 {
			r.Partial = bytes.Clone(p.acc)
		}
	case stChunkSize:
		// A size line cut short may already be wrong ("zz" or "0x1...").
		if len(p.acc) > 0 {
			if _, err, _ := parseChunkSize(strings.TrimSuffix(string(p.acc), "\r")); err != "" {
				f.bad("body: %s", err)
			}
		}
	}
	if r.HeadComplete {
		r.BodySHA256 = hex.EncodeToString(p.sum.Sum(nil))
	}
	r.Violations, r.Notes = f.lists()
	return r
}

// appendCapped appends b to dst, keeping dst at most limit bytes long. It grows
// dst by doubling (append grows large slices by only a quarter, which makes a
// 16 MiB body cost several copies of itself).
func appendCapped(dst, b []byte, limit int) []byte {
	if room := limit - len(dst); room < len(b) {
		b = b[:max(room, 0)]
	}
	if n := len(dst) + len(b); n > cap(dst) {
		grown := make([]byte, len(dst), min(max(2*cap(dst), n, 4096), max(limit, n)))
		copy(grown, dst)
		dst = grown
	}
	return append(dst, b...)
}
