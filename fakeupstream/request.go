package fakeupstream

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxChunkLine bounds a chunk-size line of a chunked request body.
const maxChunkLine = 4096

// errHeadTooLarge says a request head exceeded the configured bound.
var errHeadTooLarge = errors.New("request head too large")

// framing is how a request body is delimited.
type framing int

const (
	framingNone framing = iota
	framingLength
	framingChunked
)

// request is one request head read from a connection and the state of its body.
type request struct {
	head    []byte
	method  string
	target  string
	version string
	framing framing
	length  int64 // with framingLength
	// framingErr is why the body cannot be read (conflicting lengths, an unknown
	// transfer coding); it is reported when the body is read.
	framingErr error
	bodyRead   bool
	bodyLen    int64
	// route is what the target selects; routeErr says why it selects nothing.
	route    route
	routeErr error
	// ref is the request's journal entry, empty when it is not journaled.
	ref reqRef
}

// limits are the bounds a connection reads and waits within.
type limits struct {
	maxHead int
	maxBody int64
}

// readRequest reads one request head from br and parses it. Empty lines before the
// request line are skipped. It returns io.EOF when the peer closed before sending a
// byte. A head over maxHead bytes gives errHeadTooLarge together with the request
// parsed from the part that was read, when its request line was complete.
func readRequest(br *bufio.Reader, lim limits) (*request, error) {
	req := &request{}
	if _, err := req.read(br, lim, nil); err != nil {
		if req.head == nil {
			return nil, err
		}
		return req, err
	}
	return req, nil
}

// read is readRequest into req, with the head read into buf (which may be nil);
// it returns the buffer for reuse. req.head is nil exactly when readRequest would
// return no request.
func (req *request) read(br *bufio.Reader, lim limits, buf []byte) ([]byte, error) {
	head, err := readHead(br, buf, lim.maxHead)
	if err != nil {
		*req = request{}
		if errors.Is(err, errHeadTooLarge) {
			if req.parse(head) != nil {
				*req = request{head: head}
			}
		}
		return head, err
	}
	return head, req.parse(head)
}

// readHead appends to buf the bytes up to and including the empty line that ends a
// head, skipping empty lines before the first line. Lines may end in CRLF or a bare
// LF.
func readHead(br *bufio.Reader, buf []byte, max int) ([]byte, error) {
	head := buf[:0]
	total := 0
	partial := false // the previous read ended inside a line
	for {
		line, err := br.ReadSlice('\n')
		total += len(line)
		if total > max {
			return append(head, line...), fmt.Errorf("%w: more than %d bytes", errHeadTooLarge, max)
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			head = append(head, line...)
			partial = true
			continue
		case err != nil:
			if len(head) == 0 && len(line) == 0 && errors.Is(err, io.EOF) {
				return nil, io.EOF
			}
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return append(head, line...), fmt.Errorf("read request head: %w", err)
		}
		empty := !partial && isEmptyLine(line)
		partial = false
		if empty && len(head) == 0 {
			continue
		}
		head = append(head, line...)
		if empty {
			return head, nil
		}
	}
}

// headBuffered reports whether br already holds a complete request head, as
// readHead finds it: reading it then takes no read from the connection.
func headBuffered(br *bufio.Reader) bool {
	buf, _ := br.Peek(br.Buffered())
	started := false
	for {
		i := bytes.IndexByte(buf, '\n')
		if i < 0 {
			return false
		}
		if isEmptyLine(buf[:i+1]) {
			if started {
				return true
			}
		} else {
			started = true
		}
		buf = buf[i+1:]
	}
}

// isEmptyLine reports whether line is just a line ending.
func isEmptyLine(line []byte) bool {
	return string(line) == "\r\n" || string(line) == "\n"
}

// parse sets req from head: the request line, and the fields that frame the
// body. Field syntax is not judged beyond that; the fake upstream takes what
// comes. req keeps head, not a copy.
func (req *request) parse(head []byte) error {
	*req = request{head: head}
	first, fields, _ := bytes.Cut(head, []byte("\n"))
	first = bytes.TrimSuffix(first, []byte("\r"))
	// Exactly three parts between single spaces: method, target, version.
	method, rest, _ := bytes.Cut(first, []byte(" "))
	target, version, ok := bytes.Cut(rest, []byte(" "))
	if !ok || len(method) == 0 || len(target) == 0 || bytes.IndexByte(version, ' ') >= 0 ||
		!bytes.HasPrefix(version, []byte("HTTP/")) {
		return fmt.Errorf("malformed request line %q", truncate(string(first), 200))
	}
	req.method, req.target, req.version = internMethod(method), string(target), internVersion(version)
	req.route, req.routeErr = parseRoute(req.target)
	var te, cl []string
	for len(fields) > 0 {
		var line []byte
		line, fields, _ = bytes.Cut(fields, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok || len(name) == 0 || name[0] == ' ' || name[0] == '\t' {
			continue
		}
		switch fieldName(name) {
		case "transfer-encoding":
			te = append(te, string(bytes.Trim(value, " \t")))
		case "content-length":
			cl = append(cl, string(bytes.Trim(value, " \t")))
		}
	}
	req.framing, req.length, req.framingErr = bodyFraming(te, cl)
	return nil
}

// fieldName returns "transfer-encoding" or "content-length" when name is that
// field's name in any case, as strings.ToLower compares it, else "".
func fieldName(name []byte) string {
	for _, c := range name {
		if c >= utf8.RuneSelf {
			// ToLower maps some non-ASCII letters to ASCII ones (U+0130 to "i").
			switch lower := strings.ToLower(string(name)); lower {
			case "transfer-encoding", "content-length":
				return lower
			}
			return ""
		}
	}
	switch {
	case asciiEqualFold(name, "transfer-encoding"):
		return "transfer-encoding"
	case asciiEqualFold(name, "content-length"):
		return "content-length"
	}
	return ""
}

// asciiEqualFold reports whether the ASCII bytes b equal the lowercase s when
// upper case letters in b are lowered.
func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// internMethod returns the common methods without allocating.
func internMethod(b []byte) string {
	switch string(b) {
	case "GET":
		return "GET"
	case "HEAD":
		return "HEAD"
	case "POST":
		return "POST"
	case "PUT":
		return "PUT"
	case "DELETE":
		return "DELETE"
	case "OPTIONS":
		return "OPTIONS"
	case "PATCH":
		return "PATCH"
	}
	return string(b)
}

// internVersion returns the common versions without allocating.
func internVersion(b []byte) string {
	switch string(b) {
	case "HTTP/1.1":
		return "HTTP/1.1"
	case "HTTP/1.0":
		return "HTTP/1.0"
	}
	return string(b)
}

// bodyFraming decides how a request body is delimited (RFC 9112 §6.3): chunked when
// the last transfer coding is chunked, by Content-Length otherwise, else no body.
func bodyFraming(te, cl []string) (framing, int64, error) {
	if len(te) > 0 {
		codings := strings.Split(strings.Join(te, ","), ",")
		last := strings.ToLower(strings.Trim(codings[len(codings)-1], " \t"))
		if last != "chunked" {
			return framingNone, 0, fmt.Errorf("transfer-encoding %q does not end in chunked", strings.Join(te, ", "))
		}
		return framingChunked, 0, nil
	}
	if len(cl) == 0 {
		return framingNone, 0, nil
	}
	var n int64 = -1
	for _, v := range strings.Split(strings.Join(cl, ","), ",") {
		v = strings.Trim(v, " \t")
		if v == "" || strings.Trim(v, "0123456789") != "" {
			return framingNone, 0, fmt.Errorf("invalid content-length %q", strings.Join(cl, ", "))
		}
		k, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return framingNone, 0, fmt.Errorf("invalid content-length %q: %w", v, err)
		}
		if n >= 0 && k != n {
			return framingNone, 0, fmt.Errorf("conflicting content-length %q", strings.Join(cl, ", "))
		}
		n = k
	}
	return framingLength, n, nil
}

// readBody reads and discards the body of req from br per its framing and records
// how many body bytes (decoded, for chunked) there were. A body over lim.maxBody is
// an error.
func readBody(br *bufio.Reader, req *request, lim limits) error {
	if req.bodyRead {
		return nil
	}
	req.bodyRead = true
	if req.framingErr != nil {
		return fmt.Errorf("read request body: %w", req.framingErr)
	}
	switch req.framing {
	case framingLength:
		if req.length > lim.maxBody {
			return fmt.Errorf("read request body: content-length %d exceeds %d bytes", req.length, lim.maxBody)
		}
		n, err := io.CopyN(io.Discard, br, req.length)
		req.bodyLen = n
		if err != nil {
			return fmt.Errorf("read request body: %d of %d bytes: %w", n, req.length, unexpected(err))
		}
	case framingChunked:
		n, err := readChunked(br, lim)
		req.bodyLen = n
		if err != nil {
			return fmt.Errorf("read chunked request body: %w", err)
		}
	}
	return nil
}

// readChunked reads and discards a chunked body with its trailer section and
// returns the number of data bytes.
func readChunked(br *bufio.Reader, lim limits) (int64, error) {
	var total int64
	for {
		line, err := readLine(br, maxChunkLine)
		if err != nil {
			return total, err
		}
		sizeText, _, _ := strings.Cut(line, ";")
		sizeText = strings.Trim(sizeText, " \t")
		size, err := strconv.ParseInt(sizeText, 16, 64)
		if err != nil || size < 0 || strings.HasPrefix(sizeText, "+") {
			return total, fmt.Errorf("invalid chunk size line %q", truncate(line, 100))
		}
		if size == 0 {
			break
		}
		if size > lim.maxBody-total {
			return total, fmt.Errorf("body exceeds %d bytes", lim.maxBody)
		}
		n, err := io.CopyN(io.Discard, br, size)
		total += n
		if err != nil {
			return total, unexpected(err)
		}
		end, err := readLine(br, 2)
		if err != nil {
			return total, err
		}
		if end != "" {
			return total, fmt.Errorf("chunk data not followed by CRLF")
		}
	}
	read := 0
	for {
		line, err := readLine(br, lim.maxHead)
		if err != nil {
			return total, fmt.Errorf("trailer section: %w", err)
		}
		read += len(line) + 2
		if read > lim.maxHead {
			return total, fmt.Errorf("trailer section exceeds %d bytes", lim.maxHead)
		}
		if line == "" {
			return total, nil
		}
	}
}

// readLine reads one line of at most max bytes (line ending excluded) and returns
// it without its CRLF or LF.
func readLine(br *bufio.Reader, max int) (string, error) {
	var line []byte
	for {
		part, err := br.ReadSlice('\n')
		line = append(line, part...)
		if len(line) > max+2 {
			return "", fmt.Errorf("line longer than %d bytes", max)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil {
			return "", unexpected(err)
		}
		s := strings.TrimSuffix(strings.TrimSuffix(string(line), "\n"), "\r")
		return s, nil
	}
}

// unexpected turns io.EOF in the middle of a message into io.ErrUnexpectedEOF.
func unexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// truncate shortens s to at most n bytes for an error message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
