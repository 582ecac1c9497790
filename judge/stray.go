package judge

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/gatecheck/gatecheck/wire"
)

// Stray describes the bytes that reached the client after a complete
// final response, or returns "" when there are none (or only CRLFs, which RFC
// 9112 §9.2 lets a client discard).
func Stray(obs Observation) string {
	x := obs.Response.Extra
	if len(bytes.Trim(x, "\r\n")) == 0 || obs.Tunnel() {
		return ""
	}
	r := obs.Response
	n := strconv.Itoa(len(x)) + " bytes"
	if len(x) == 1 {
		n = "1 byte"
	}
	if len(x) >= wire.MaxRaw {
		n = "at least " + n
	}
	var what string
	switch {
	case strings.EqualFold(obs.Method, "HEAD"):
		what = " after the response to a HEAD, which cannot have a body"
	case r.Final.Status == 204 || r.Final.Status == 304:
		what = fmt.Sprintf(" after the %d, which cannot have a body", r.Final.Status)
	default:
		what = " after the complete message"
	}
	look := "stray data " + wire.FirstBytes(x, 60)
	if bytes.HasPrefix(bytes.TrimLeft(x, "\r\n"), []byte("HTTP/")) {
		line, _, _ := bytes.Cut(bytes.TrimLeft(x, "\r\n"), []byte("\n"))
		look = "a second status line, " + strconv.Quote(strings.TrimRight(string(line), "\r"))
	}
	return n + what + ", before the client's next request: " + look +
		" (RFC 9112 §6.3: a client MUST NOT process, cache, or forward such extra data as a separate response)"
}
