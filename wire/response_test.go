package wire

import (
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// parseWant is what one ParseResponse case must produce. Violations and notes
// are substrings, one per entry, in order; nil wants none.
type parseWant struct {
	head       bool
	status     int
	interim    []int
	framing    Framing
	cl         int64
	complete   bool
	body       string
	lastChunk  bool
	trailers   []Field
	fields     []Field // when set, the final head's fields exactly
	extra      string
	partial    string
	violations []string
	notes      []string
}

type parseCase struct {
	name   string
	raw    string
	method string // default GET
	ending Ending // default EndTruncated (a clean FIN)
	want   parseWant
}

const okHead = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"

var parseCases = []parseCase{
	// Framing per RFC 9112 §6.3.
	{name: "content-length", raw: okHead + "hello",
		want: parseWant{head: true, status: 200, framing: FramingContentLength, cl: 5, complete: true, body: "hello"}},
	{name: "content-length truncated", raw: okHead + "hel",
		want: parseWant{head: true, status: 200, framing: FramingContentLength, cl: 5, body: "hel"}},
	{name: "content-length with extra bytes", raw: okHead + "helloHTTP/1.1 200",
		want: parseWant{head: true, status: 200, framing: FramingContentLength, cl: 5, complete: true, body: "hello", extra: "HTTP/1.1 200"}},
	{name: "content-length 0", raw: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", ending: EndTimeout,
		want: parseWant{head: true, status: 200, framing: FramingNone, complete: true}},
	{name: "HEAD keeps its Content-Length and has no body", method: "HEAD", raw: "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n", ending: EndTimeout,
		want: parseWant{head: true, status: 200, framing: FramingNone, cl: 12, complete: true}},
	{name: "HEAD with body bytes after the head", method: "HEAD", raw: okHead + "hello",
		want: parseWant{head: true, status: 200, framing: FramingNone, cl: 5, complete: true, extra: "hello"}},
	{name: "HEAD with chunked and no body", method: "HEAD", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", ending: EndTimeout,
		want: parseWant{head: true, status: 200, framing: FramingNone, complete: true}},
	{name: "204 with a body", raw: "HTTP/1.1 204 No Content\r\n\r\nhello",
		want: parseWant{head: true, status: 204, framing: FramingNone, complete: true, extra: "hello"}},
	{name: "204 with Content-Length", raw: "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n",
		want: parseWant{head: true, status: 204, framing: FramingNone, cl: 5, complete: true,
			notes: []string{"Content-Length in a 204 response"}}},
	{name: "304 with Content-Length 100 and no body", raw: "HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\n\r\n", ending: EndTimeout,
		want: parseWant{head: true, status: 304, framing: FramingNone, cl: 100, complete: true}},
	{name: "CONNECT 200 is a tunnel", method: "CONNECT", raw: "HTTP/1.1 200 Connection Established\r\n\r\nbytes",
		want: parseWant{head: true, status: 200, framing: FramingNone, complete: true, extra: "bytes"}},
	{name: "close-delimited ended by FIN", raw: "HTTP/1.0 200 OK\r\n\r\nhello",
		want: parseWant{head: true, status: 200, framing: FramingClose, complete: true, body: "hello"}},
	{name: "close-delimited ended by reset", raw: "HTTP/1.0 200 OK\r\n\r\nhello", ending: EndReset,
		want: parseWant{head: true, status: 200, framing: FramingClose, body: "hello"}},
	{name: "close-delimited cut off at the deadline", raw: "HTTP/1.0 200 OK\r\n\r\nhello", ending: EndTimeout,
		want: parseWant{head: true, status: 200, framing: FramingClose, body: "hello"}},
	{name: "close-delimited with EndComplete", raw: "HTTP/1.1 200 OK\r\n\r\nhello", ending: EndComplete,
		want: parseWant{head: true, status: 200, framing: FramingClose, complete: true, body: "hello"}},

	// Chunked (RFC 9112 §7.1).
	{name: "chunked with extensions and trailers",
		raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
			"5;name=value\r\nhello\r\n6 ; a ; b=\"q \\\" s\"\r\n world\r\n0;last\r\nX-T: 1\r\nX-U: two\r\n\r\n",
		want: parseWant{head: true, status: 200, framing: FramingChunked, complete: true, body: "hello world", lastChunk: true,
			trailers: []Field{{"X-T", "1"}, {"X-U", "two"}}}},
	{name: "chunked with uppercase hex and leading zeros", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n00A\r\n0123456789\r\n000\r\n\r\nnext",
		want: parseWant{head: true, status: 200, framing: FramingChunked, complete: true, body: "0123456789", lastChunk: true, extra: "next"}},
	{name: "chunked without last-chunk", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
		want: parseWant{head: true, status: 200, framing: FramingChunked, body: "hello"}},
	{name: "chunked last-chunk without the final CRLF", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n",
		want: parseWant{head: true, status: 200, framing: FramingChunked, body: "hello"}},
	{name: "chunked cut mid-chunk", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\nhello", ending: EndReset,
		want: parseWant{head: true, status: 200, framing: FramingChunked, body: "hello"}},
	{name: "bad chunk size zz", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
		want: parseWant{head: true, status: 200, framing: FramingChunked, violations: []string{"body: chunk size line \"zz\" does not start with a hexadecimal size"}}},
	{name: "bad chunk size 0x10", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0x10\r\n0123456789abcdef\r\n0\r\n\r\n",
		want: parseWant{head: true, status: 200, framing: FramingChunked, violations: []string{"\"x\" after the size"}}},
	{name: "bad chunk size +5", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n+5\r\nhello\r\n0\r\n\r\n",
		want: parseWant{head: true, status: 200, framing: FramingChunked, violations: []string{"does not start with a hexadecimal size"}}},
	{name: "chunk size of 2^64", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\nhello\r\n",
		want: parseWant{head: true, status: 200, framing: FramingChunked, violations: []string{"overflows 63 bits"}}},
	{name: "chunk size of 2^63", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n8000000000000000\r\nhello\r\n",
		want: parseWant{head: true, status: 200, framing: FramingChunked, violations: []string{"overflows 63 bits"}}},
	{name: "bad chunk size later", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n",
		want: parseWant{head: true, status: 200, framing: FramingChunked, body: "hello", violations: []string{"\"zz\" does not start"}}},
	{name: "bad chunk size cut short", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nz",
		want: parseWant{head: true, status: 200, framing: FramingChunked, body: "hello", violations: []string{"\"z\" does not start"}}},
	{name: "good chunk size cut short", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1",
		want: parseWant{head: true, status: 200, framing: FramingChunked, body: "hello"}},
	{name: "chunk longer than its size", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n",
		want: parseWant{head: true, status: 200, framing: FramingChunked, body: "hel", violations: []string{"chunk data not followed by CRLF (got \"l\" after 3 body bytes"}}},
	{name: "chunk shorter than its size", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7\r\nhello\r\n0\r\n\r\n",
		want: parseWant{head: true, status: 200, framing: FramingChunked, body: "hello\r\n", violations: []string{"chunk data not followed by CRLF (got \"0\""}}},
	{name: "chunk whitespace after the size", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n",
		want: parseWant{head: true, status: 200, framing: FramingChunked, complete: true, body: "hello", lastChunk: true, violations: []string{"whitespace after the size"}}},
	{name: "chunk extension without a name", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;=x\r\nhello\r\n0\r\n\r\n",
		want: parseWant{head: true, status: 200, framing: FramingChunked, complete: true, body: "hello", lastChunk: true, violations: []string{"an extension without a name"}}},
	{name: "chunk lines ending in bare LF", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\n0\n\n",
		want: parseWant{head: true, status: 200, framing: FramingChunked, complete: true, body: "hello", lastChunk: true,
			violations: []string{"body: chunk line ends in a bare LF", "trailers: 1 line(s) end in a bare LF"}}},
	{name: "trailers with obs-fold", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: a\r\n b\r\n\r\n",
		want: parseWant{head: true, status: 200, framing: FramingChunked, complete: true, lastChunk: true,
			trailers: []Field{{"X-T", "a b"}}, violations: []string{"trailers: obs-fold"}}},

	// Transfer-Encoding (RFC 9112 §6.1, §6.3).
	{name: "Transfer-Encoding and Content-Length", raw: "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
		want: parseWant{head: true, status: 200, framing: FramingChunked, cl: 3, complete: true, body: "hello", lastChunk: true,
			violations: []string{"Transfer-Encoding together with Content-Length"}}},
	{name: "gzip last: close-delimited", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzzz",
		want: parseWant{head: true, status: 200, framing: FramingClose, complete: true, body: "zzz", notes: []string{"final transfer coding \"gzip\" is not chunked"}}},
	{name: "chunked then gzip: close-delimited", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nzzz", ending: EndReset,
		want: parseWant{head: true, status: 200, framing: FramingClose, body: "zzz", notes: []string{"final transfer coding \"gzip\""}}},
	{name: "chunked twice", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
		want: parseWant{head: true, status: 200, framing: FramingChunked, complete: true, lastChunk: true, violations: []string{"chunked applied 2 times"}}},
	{name: "chunked on two lines", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		want: parseWant{head: true, status: 200, framing: FramingChunked, complete: true, lastChunk: true, violations: []string{"chunked applied 2 times"}}},
	{name: "Transfer-Encoding in HTTP/1.0", raw: "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		want: parseWant{head: true, status: 200, framing: FramingChunked, complete: true, lastChunk: true, violations: []string{"Transfer-Encoding in an HTTP/1.0 response"}}},
	{name: "empty Transfer-Encoding", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: \r\n\r\nab",
		want: parseWant{head: true, status: 200, framing: FramingClose, complete: true, body: "ab", violations: []string{"Transfer-Encoding without a coding"}}},

	// Content-Length (RFC 9110 §8.6, RFC 9112 §6.3 (5)).
	{name: "conflicting Content-Length lines", raw: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
		want: parseWant{head: true, status: 200, framing: FramingInvalid, body: "hello!", violations: []string{"conflicting Content-Length values \"5, 6\""}}},
	{name: "conflicting Content-Length list", raw: "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello!",
		want: parseWant{head: true, status: 200, framing: FramingInvalid, body: "hello!", violations: []string{"conflicting Content-Length"}}},
	{name: "repeated Content-Length list", raw: "HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello",
		want: parseWant{head: true, status: 200, framing: FramingContentLength, cl: 5, complete: true, body: "hello", violations: []string{"repeated Content-Length \"5, 5\""}}},
	{name: "repeated Content-Length lines", raw: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 005\r\n\r\nhello",
		want: parseWant{head: true, status: 200, framing: FramingContentLength, cl: 5, complete: true, body: "hello", violations: []string{"repeated Content-Length"}}},
	{name: "Content-Length with a plus sign", raw: "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello",
		want: parseWant{head: true, status: 200, framing: FramingInvalid, body: "hello", violations: []string{"invalid Content-Length \"+5\": a sign"}}},
	{name: "negative Content-Length", raw: "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nhello",
		want: parseWant{head: true, status: 200, framing: FramingInvalid, body: "hello", violations: []string{"\"-1\": a sign"}}},
	{name: "hex Content-Length", raw: "HTTP/1.1 200 OK\r\nContent-Length: 0x5\r\n\r\nhello",
		want: parseWant{head: true, status: 200, framing: FramingInvalid, body: "hello", violations: []string{"\"0x5\": hexadecimal"}}},
	{name: "empty Content-Length", raw: "HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\nhello",
		want: parseWant{head: true, status: 200, framing: FramingInvalid, body: "hello", violations: []string{"\"\": empty"}}},
	{name: "Content-Length with a space inside", raw: "HTTP/1.1 200 OK\r\nContent-Length: 1 0\r\n\r\nhello",
		want: parseWant{head: true, status: 200, framing: FramingInvalid, body: "hello", violations: []string{"contains a space"}}},
	{name: "Content-Length of 2^64", raw: "HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551616\r\n\r\nhello",
		want: parseWant{head: true, status: 200, framing: FramingContentLength, cl: math.MaxInt64, body: "hello", notes: []string{"beyond 2^63-1"}}},
	{name: "Content-Length of 2^63-1", raw: "HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775807\r\n\r\nhello",
		want: parseWant{head: true, status: 200, framing: FramingContentLength, cl: math.MaxInt64, body: "hello"}},

	// Status lines (RFC 9112 §4).
	{name: "no SP and no reason", raw: "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n",
		want: parseWant{head: true, status: 200, framing: FramingNone, complete: true, notes: []string{"no SP after the status code"}}},
	{name: "SP and no reason", raw: "HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n",
		want: parseWant{head: true, status: 200, framing: FramingNone, complete: true}},
	{name: "2OO", raw: "HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n",
		want: parseWant{head: true, framing: FramingNone, complete: true, violations: []string{"want SP and a three-digit status code"}}},
	{name: "two digits", raw: "HTTP/1.1 20\r\n\r\n",
		want: parseWant{head: true, framing: FramingClose, complete: true, violations: []string{"three-digit"}}},
	{name: "four digits", raw: "HTTP/1.1 2000 OK\r\n\r\n",
		want: parseWant{head: true, framing: FramingClose, complete: true, violations: []string{"want SP after the status code"}}},
	{name: "404 colon", raw: "404:\r\n\r\n",
		want: parseWant{head: true, framing: FramingClose, complete: true, violations: []string{"does not start with HTTP-version"}}},
	{name: "lowercase http", raw: "http/1.1 200 OK\r\n\r\n",
		want: parseWant{head: true, framing: FramingClose, complete: true, violations: []string{"does not start with HTTP-version"}}},
	{name: "HTTP/1.1x", raw: "HTTP/1.1x 200 OK\r\n\r\n",
		want: parseWant{head: true, framing: FramingClose, complete: true, violations: []string{"three-digit"}}},
	{name: "HTTP/1", raw: "HTTP/1 200 OK\r\n\r\n",
		want: parseWant{head: true, framing: FramingClose, complete: true, violations: []string{"does not start with HTTP-version"}}},
	{name: "HTTP/2.0", raw: "HTTP/2.0 200 OK\r\n\r\n",
		want: parseWant{head: true, framing: FramingClose, complete: true, violations: []string{"HTTP/2.0 is not HTTP/1.x"}}},
	{name: "999", raw: "HTTP/1.1 999 Odd\r\nContent-Length: 0\r\n\r\n",
		want: parseWant{head: true, status: 999, framing: FramingNone, complete: true, notes: []string{"999 is outside 100-599"}}},
	{name: "099", raw: "HTTP/1.1 099 Low\r\nContent-Length: 0\r\n\r\n",
		want: parseWant{head: true, status: 99, framing: FramingNone, complete: true, notes: []string{"099 is outside"}}},
	{name: "NUL in the reason phrase", raw: "HTTP/1.1 200 O\x00K\r\nContent-Length: 0\r\n\r\n",
		want: parseWant{head: true, status: 200, framing: FramingNone, complete: true, violations: []string{"NUL in the reason phrase"}}},
	{name: "http/0.9 body", raw: "hello world",
		want: parseWant{partial: "hello world"}},
	{name: "empty line before the status line", raw: "\r\n" + okHead + "hello",
		want: parseWant{head: true, status: 200, framing: FramingContentLength, cl: 5, complete: true, body: "hello", violations: []string{"stream: empty line before status line 1"}}},
	{name: "half a status line", raw: "HTTP/1.1 2", ending: EndReset,
		want: parseWant{partial: "HTTP/1.1 2"}},
	{name: "half the headers", raw: "HTTP/1.1 200 OK\r\nContent-Le",
		want: parseWant{partial: "HTTP/1.1 200 OK\r\nContent-Le"}},
	{name: "nothing", raw: "", want: parseWant{}},

	// Field lines (RFC 9112 §2.2, §5; RFC 9110 §5).
	{name: "bare LF lines", raw: "HTTP/1.1 200 OK\nContent-Length: 5\n\nhello",
		want: parseWant{head: true, status: 200, framing: FramingContentLength, cl: 5, complete: true, body: "hello",
			fields: []Field{{"Content-Length", "5"}}, violations: []string{"head: 3 line(s) end in a bare LF"}}},
	{name: "obs-fold", raw: "HTTP/1.1 200 OK\r\nX-A: a\r\n  b\r\n\tc\r\nContent-Length: 0\r\n\r\n",
		want: parseWant{head: true, status: 200, framing: FramingNone, complete: true,
			fields:     []Field{{"X-A", "a b c"}, {"Content-Length", "0"}},
			violations: []string{"obs-fold continuation line \"  b\" after field \"X-A\"", "obs-fold continuation line \"\\tc\""}}},
	{name: "whitespace before the colon", raw: "HTTP/1.1 200 OK\r\nX-A : v\r\nContent-Length: 0\r\n\r\n",
		want: parseWant{head: true, status: 200, framing: FramingNone, complete: true,
			fields: []Field{{"X-A ", "v"}, {"Content-Length", "0"}}, violations: []string{"whitespace between field name \"X-A\" and the colon"}}},
	{name: "space in a field name", raw: "HTTP/1.1 200 OK\r\nX A: v\r\nContent-Length: 0\r\n\r\n",
		want: parseWant{head: true, status: 200, framing: FramingNone, complete: true, violations: []string{"field name \"X A\" contains a space"}}},
	{name: "8-bit field name", raw: "HTTP/1.1 200 OK\r\nX-\xe9: v\r\nContent-Length: 0\r\n\r\n",
		want: parseWant{head: true, status: 200, framing: FramingNone, complete: true, violations: []string{"the 8-bit byte 0xe9"}}},
	{name: "CTL in a field name", raw: "HTTP/1.1 200 OK\r\nX-\x01: v\r\nContent-Length: 0\r\n\r\n",
		want: parseWant{head: true, status: 200, framing: FramingNone, complete: true, violations: []string{"contains CTL 0x01"}}},
	{name: "empty field name", raw: "HTTP/1.1 200 OK\r\n: v\r\nContent-Length: 0\r\n\r\n",
		want: parseWant{head: true, status: 200, framing: FramingNone, complete: true, violations: []string{"empty field name"}}},
	{name: "line without a colon", raw: "HTTP/1.1 200 OK\r\nNoColon\r\nContent-Length: 0\r\n\r\n",
		want: parseWant{head: true, status: 200, framing: FramingNone, complete: true,
			fields: []Field{{"Content-Length", "0"}}, violations: []string{"line 2 \"NoColon\" has no colon"}}},
	{name: "NUL in a value", raw: "HTTP/1.1 200 OK\r\nX-A: a\x00b\r\nContent-Length: 0\r\n\r\n",
		want: parseWant{head: true, status: 200, framing: FramingNone, complete: true,
			fields: []Field{{"X-A", "a\x00b"}, {"Content-Length", "0"}}, violations: []string{"NUL in the value of \"X-A\""}}},
	{name: "bare CR in a value", raw: "HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 0\r\n\r\n",
		want: parseWant{head: true, status: 200, framing: FramingNone, complete: true, violations: []string{"CR in the value of \"X-A\" (RFC 9110 §5.5; bare CR: RFC 9112 §2.2)"}}},
	{name: "other CTL in a value is noted", raw: "HTTP/1.1 200 OK\r\nX-A: a\x01b\x7f\r\nContent-Length: 0\r\n\r\n",
		want: parseWant{head: true, status: 200, framing: FramingNone, complete: true, notes: []string{"CTL 0x01 in the value of \"X-A\""}}},
	{name: "obs-text and HTAB in a value are fine", raw: "HTTP/1.1 200 OK\r\nX-A: caf\xe9\tau lait \r\nContent-Length: 0\r\n\r\n",
		want: parseWant{head: true, status: 200, framing: FramingNone, complete: true, fields: []Field{{"X-A", "caf\xe9\tau lait"}, {"Content-Length", "0"}}}},
	{name: "whitespace line after the status line", raw: "HTTP/1.1 200 OK\r\n X-A: v\r\nContent-Length: 0\r\n\r\n",
		want: parseWant{head: true, status: 200, framing: FramingNone, complete: true,
			fields: []Field{{"Content-Length", "0"}}, violations: []string{"whitespace-preceded line \" X-A: v\" right after the status line"}}},

	// Interim responses.
	{name: "100 then 200", raw: "HTTP/1.1 100 Continue\r\n\r\n" + okHead + "hello",
		want: parseWant{head: true, status: 200, interim: []int{100}, framing: FramingContentLength, cl: 5, complete: true, body: "hello"}},
	{name: "103 102 then 200", raw: "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\nLink: </b>\r\n\r\nHTTP/1.1 102 Processing\r\n\r\n" + okHead + "hello",
		want: parseWant{head: true, status: 200, interim: []int{103, 102}, framing: FramingContentLength, cl: 5, complete: true, body: "hello"}},
	{name: "103 then close", raw: "HTTP/1.1 103 Early Hints\r\nX-Gatecheck-Interim: 1\r\n\r\n",
		want: parseWant{interim: []int{103}}},
	{name: "violation in an interim head", raw: "HTTP/1.1 103 Early Hints\r\nX A: 1\r\n\r\n" + okHead + "hello",
		want: parseWant{head: true, status: 200, interim: []int{103}, framing: FramingContentLength, cl: 5, complete: true, body: "hello",
			violations: []string{"interim 1: field name \"X A\""}}},
	{name: "101 is final", raw: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\nnot http",
		want: parseWant{head: true, status: 101, framing: FramingNone, complete: true, extra: "not http"}},
}

func TestParseResponse(t *testing.T) {
	for _, c := range parseCases {
		t.Run(c.name, func(t *testing.T) {
			got := ParseHTTP1Response([]byte(c.raw), methodOr(c.method), endingOr(c.ending))
			checkParse(t, got, c.want)
		})
	}
}

// TestParseResponseIncremental feeds every case one byte at a time and in two
// pieces split at every offset: the result must equal the one-shot parse.
func TestParseResponseIncremental(t *testing.T) {
	for _, c := range parseCases {
		t.Run(c.name, func(t *testing.T) {
			want := ParseHTTP1Response([]byte(c.raw), methodOr(c.method), endingOr(c.ending))
			p := newParser(methodOr(c.method))
			for i := range len(c.raw) {
				p.feed([]byte{c.raw[i]})
			}
			if got := p.result(endingOr(c.ending)); !reflect.DeepEqual(normalizeResp(got), normalizeResp(want)) {
				t.Errorf("byte by byte: got %+v; want %+v", got, want)
			}
			for cut := range len(c.raw) {
				p := newParser(methodOr(c.method))
				p.feed([]byte(c.raw[:cut]))
				p.feed([]byte(c.raw[cut:]))
				if got := p.result(endingOr(c.ending)); !reflect.DeepEqual(normalizeResp(got), normalizeResp(want)) {
					t.Fatalf("split at %d: got %+v; want %+v", cut, got, want)
				}
			}
		})
	}
}

func TestParseResponseCaps(t *testing.T) {
	big := strings.Repeat("x", maxSection+10)
	got := ParseHTTP1Response([]byte("HTTP/1.1 200 OK\r\nX-Big: "+big), "GET", EndTruncated)
	if got.HeadComplete || len(got.Partial) != maxSection || len(got.Violations) != 1 {
		t.Errorf("oversized head: got head %v, partial %d bytes, violations %q; want no head, %d bytes, one violation",
			got.HeadComplete, len(got.Partial), got.Violations, maxSection)
	}
	var many strings.Builder
	many.WriteString("HTTP/1.1 200 OK\r\n")
	for range maxFindings + 5 {
		many.WriteString("X A: 1\r\n")
	}
	many.WriteString("Content-Length: 0\r\n\r\n")
	got = ParseHTTP1Response([]byte(many.String()), "GET", EndTruncated)
	if n := len(got.Violations); n != maxFindings+1 || !strings.Contains(got.Violations[n-1], "and 5 more") {
		t.Errorf("many violations: got %d, last %q; want %d ending in a count", n, got.Violations[n-1], maxFindings+1)
	}
}

func checkParse(t *testing.T, got Response, want parseWant) {
	t.Helper()
	var status []int
	for _, h := range got.Interim {
		status = append(status, h.Status)
	}
	if got.HeadComplete != want.head || got.Final.Status != want.status || !slices.Equal(status, want.interim) {
		t.Errorf("got head %v, status %d, interim %v; want %v, %d, %v", got.HeadComplete, got.Final.Status, status, want.head, want.status, want.interim)
	}
	if want.head && (got.Framing != want.framing || got.ContentLength != want.cl) {
		t.Errorf("got framing %q, content-length %d; want %q, %d", got.Framing, got.ContentLength, want.framing, want.cl)
	}
	if got.Complete != want.complete || string(got.Body) != want.body || got.BodyLen != int64(len(want.body)) {
		t.Errorf("got complete %v, body %q (%d); want %v, %q", got.Complete, got.Body, got.BodyLen, want.complete, want.body)
	}
	if got.LastChunk != want.lastChunk || !slices.Equal(got.Trailers, want.trailers) {
		t.Errorf("got last-chunk %v, trailers %q; want %v, %q", got.LastChunk, got.Trailers, want.lastChunk, want.trailers)
	}
	if want.fields != nil && !slices.Equal(got.Final.Fields, want.fields) {
		t.Errorf("got fields %q; want %q", got.Final.Fields, want.fields)
	}
	if string(got.Extra) != want.extra || string(got.Partial) != want.partial {
		t.Errorf("got extra %q, partial %q; want %q, %q", got.Extra, got.Partial, want.extra, want.partial)
	}
	if want.complete && !got.HeadComplete {
		t.Errorf("complete without a head")
	}
	checkSubstrings(t, "violations", got.Violations, want.violations)
	checkSubstrings(t, "notes", got.Notes, want.notes)
}

func checkSubstrings(t *testing.T, what string, got, want []string) {
	t.Helper()
	ok := len(got) == len(want)
	for i := 0; ok && i < len(want); i++ {
		ok = strings.Contains(got[i], want[i])
	}
	if !ok {
		t.Errorf("got %s %q; want %q", what, got, want)
	}
}

func methodOr(m string) string {
	if m == "" {
		return "GET"
	}
	return m
}

func endingOr(e Ending) Ending {
	if e == "" {
		return EndTruncated
	}
	return e
}

// normalizeResp makes two Responses comparable with reflect.DeepEqual: nil and
// empty slices compare equal.
func normalizeResp(r Response) Response {
	for _, b := range []*[]byte{&r.Raw, &r.Body, &r.Extra, &r.Partial} {
		if len(*b) == 0 {
			*b = nil
		}
	}
	return r
}

// FuzzParseResponse checks that the parser never panics, that its counts are
// sane, and that feeding the bytes in two pieces changes nothing.
func FuzzParseResponse(f *testing.F) {
	for _, c := range parseCases {
		f.Add([]byte(c.raw), uint16(len(c.raw)/2), uint8(0))
	}
	endings := []Ending{EndTruncated, EndReset, EndTimeout, EndComplete}
	methods := []string{"GET", "HEAD", "CONNECT"}
	f.Fuzz(func(t *testing.T, raw []byte, cut uint16, sel uint8) {
		ending, method := endings[int(sel)%len(endings)], methods[int(sel>>2)%len(methods)]
		r := ParseHTTP1Response(raw, method, ending)
		if r.BodyLen < 0 || int64(len(r.Body)) > r.BodyLen {
			t.Fatalf("body length %d with %d bytes kept", r.BodyLen, len(r.Body))
		}
		if r.Complete && !r.HeadComplete {
			t.Fatalf("complete without a head")
		}
		if r.LastChunk && r.Framing != FramingChunked {
			t.Fatalf("last-chunk with framing %q", r.Framing)
		}
		if len(r.Raw) != min(len(raw), MaxRaw) {
			t.Fatalf("raw keeps %d of %d bytes", len(r.Raw), len(raw))
		}
		k := min(int(cut), len(raw))
		p := newParser(method)
		p.feed(raw[:k])
		p.feed(raw[k:])
		if got := p.result(ending); !reflect.DeepEqual(normalizeResp(got), normalizeResp(r)) {
			t.Fatalf("split at %d: got %+v; want %+v", k, got, r)
		}
	})
}
