package wire

import (
	"bytes"
	"strconv"
	"strings"
	"sync"

	"github.com/gatecheck/gatecheck/fakeupstream"
)

// Request is one request as the client sends it. Only Path is required: the
// method defaults to GET and the version to HTTP/1.1.
type Request struct {
	Method  string
	Path    string
	Version string
	// Host is the Host field's value, sent unless Headers carry a Host.
	Host string
	// Headers are "Name: value" lines, sent in order.
	Headers []string
	// Body is the request body; when it is empty, BodyBytes bytes of
	// fakeupstream.Pattern are sent instead.
	Body      []byte
	BodyBytes int64
	// Chunked sends the body with the chunked transfer coding.
	Chunked bool
	// ExpectContinue asks for a 100 (Continue) before the body.
	ExpectContinue bool
}

// BuildHTTP1Request renders a request as it goes on the wire in HTTP/1.x: the
// request line (method, path, version), Host unless r.Headers carry one,
// r.Headers in order, then Content-Length (or, with r.Chunked,
// Transfer-Encoding: chunked) for a body unless r.Headers carry one, and
// Expect: 100-continue for r.ExpectContinue unless r.Headers carry an Expect.
// The body is r.Body, or r.BodyBytes bytes of fakeupstream.Pattern, chunked in
// pieces of 16 KiB and ended by the last-chunk when r.Chunked.
func BuildHTTP1Request(r Request) (head, body []byte) {
	method, version := r.Method, r.Version
	if method == "" {
		method = "GET"
	}
	if version == "" {
		version = "HTTP/1.1"
	}
	body = r.Body
	if len(body) == 0 && r.BodyBytes > 0 {
		body = patternBody(r.BodyBytes)
	}
	var b bytes.Buffer
	b.WriteString(method + " " + r.Path + " " + version + "\r\n")
	if !hasHeader(r.Headers, "Host") {
		b.WriteString("Host: " + r.Host + "\r\n")
	}
	for _, h := range r.Headers {
		b.WriteString(h + "\r\n")
	}
	switch {
	case r.Chunked:
		if !hasHeader(r.Headers, "Transfer-Encoding") {
			b.WriteString("Transfer-Encoding: chunked\r\n")
		}
		body = chunkBody(body, 16<<10)
	case len(body) > 0 && !hasHeader(r.Headers, "Content-Length"):
		b.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n")
	}
	if r.ExpectContinue && !hasHeader(r.Headers, "Expect") {
		b.WriteString("Expect: 100-continue\r\n")
	}
	b.WriteString("\r\n")
	return b.Bytes(), body
}

// maxCachedBodies bounds how many generated request bodies patternBody keeps:
// a catalogue uses a handful of sizes.
const maxCachedBodies = 16

var (
	bodiesMu sync.Mutex
	bodies   = map[int64][]byte{}
)

// patternBody is n bytes of fakeupstream.Pattern from offset 0, shared: a
// repeated scenario with a 1 MiB upload sends it thousands of times, and
// generating it afresh each time cost more CPU than the exchange. Callers
// only read it (HTTP1Client.Exchange writes it to the connection).
func patternBody(n int64) []byte {
	bodiesMu.Lock()
	defer bodiesMu.Unlock()
	if b, ok := bodies[n]; ok {
		return b
	}
	b := fakeupstream.Pattern(0, n)
	if len(bodies) < maxCachedBodies {
		bodies[n] = b
	}
	return b
}

// hasHeader reports whether a list of "Name: value" lines has one named name.
func hasHeader(lines []string, name string) bool {
	for _, l := range lines {
		if n, _, ok := strings.Cut(l, ":"); ok && strings.EqualFold(strings.TrimSpace(n), name) {
			return true
		}
	}
	return false
}

// chunkBody encodes body with the chunked transfer coding, in chunks of at most
// size bytes, with the last-chunk and an empty trailer section.
func chunkBody(body []byte, size int) []byte {
	var out []byte
	for len(body) > 0 {
		n := min(size, len(body))
		out = strconv.AppendInt(out, int64(n), 16)
		out = append(out, "\r\n"...)
		out = append(out, body[:n]...)
		out = append(out, "\r\n"...)
		body = body[n:]
	}
	return append(out, "0\r\n\r\n"...)
}
