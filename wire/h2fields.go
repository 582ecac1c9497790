package wire

import (
	"strconv"
	"strings"

	"golang.org/x/net/http2/hpack"
)

// connectionSpecific are the fields RFC 9113 §8.2.2 makes a message malformed
// with: Connection and those RFC 9110 §7.6.1 lists as connection-specific.
var connectionSpecific = []string{"connection", "proxy-connection", "keep-alive", "transfer-encoding", "upgrade"}

// h2Block is what one decoded field block of a response says: its :status,
// its regular fields in order, and every way it is malformed.
type h2Block struct {
	status     int
	statusText string // the :status value as received, "" when absent
	fields     []Field
}

// readH2Block checks one response field block against RFC 9113 §8.2 and §8.3
// and records what makes it malformed in f, under where ("head", "interim 1",
// "trailers"). trailers says the block is a trailer section, where no
// pseudo-header field may appear.
func readH2Block(hf []hpack.HeaderField, where string, trailers bool, f *findings) h2Block {
	var b h2Block
	regular := false
	seenStatus := false
	for _, h := range hf {
		name, value := h.Name, h.Value
		if strings.HasPrefix(name, ":") {
			switch {
			case trailers:
				f.bad("%s: pseudo-header field %s in a trailer section (RFC 9113 §8.1: trailers MUST NOT include pseudo-header fields)", where, name)
			case regular:
				f.bad("%s: pseudo-header field %s after a regular field (RFC 9113 §8.3: all pseudo-header fields MUST appear in a field block before all regular field lines)", where, name)
			case name != ":status":
				f.bad("%s: pseudo-header field %s, which a response cannot carry (RFC 9113 §8.3: undefined or invalid pseudo-header fields make it malformed)", where, name)
			case seenStatus:
				f.bad("%s: a second :status %q (RFC 9113 §8.3: the same pseudo-header field name MUST NOT appear more than once)", where, value)
			default:
				seenStatus = true
				b.statusText = value
				if n, err := strconv.Atoi(value); err == nil && len(value) == 3 && strings.Trim(value, "0123456789") == "" {
					b.status = n
					if n < 100 || n > 599 {
						// As in an HTTP/1.1 status line: the grammar's three
						// digits, which RFC 9110 §15 has a client treat as 5xx.
						f.note("%s: :status %s is outside 100-599 (RFC 9110 §15: a client should treat it as 5xx)", where, value)
					}
				} else {
					f.bad("%s: :status %q is not a three-digit status code (RFC 9110 §15: a three-digit integer)", where, value)
				}
			}
			continue
		}
		regular = true
		checkH2Field(name, value, where, f)
		b.fields = append(b.fields, Field{Name: name, Value: value})
	}
	if !trailers && !seenStatus {
		f.bad("%s: no :status (RFC 9113 §8.3.2: it MUST be included in all responses, including interim responses)", where)
	}
	return b
}

// checkH2Field checks one regular field line against RFC 9113 §8.2.1 and
// §8.2.2.
func checkH2Field(name, value, where string, f *findings) {
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'A' && c <= 'Z':
			f.bad("%s: field name %q has uppercase characters (RFC 9113 §8.2.1: a field name MUST NOT contain characters in the ranges ... 0x41-0x5a)", where, name)
			return
		case c <= 0x20 || c >= 0x7f || c == ':':
			f.bad("%s: field name %q has the character %q (RFC 9113 §8.2.1)", where, name, string(c))
			return
		}
	}
	if name == "" {
		f.bad("%s: an empty field name (RFC 9110 §5.1: a field name is a token)", where)
		return
	}
	if i := strings.IndexAny(value, "\x00\r\n"); i >= 0 {
		f.bad("%s: %s's value has %q (RFC 9113 §8.2.1: a field value MUST NOT contain NUL, LF or CR at any position)", where, name, string(value[i]))
	} else if value != "" && (isSPHT(value[0]) || isSPHT(value[len(value)-1])) {
		f.bad("%s: %s's value %q starts or ends with whitespace (RFC 9113 §8.2.1: a field value MUST NOT start or end with an ASCII whitespace character)", where, name, value)
	}
	if isConnectionSpecific(name) {
		f.bad("%s: the connection-specific field %s (RFC 9113 §8.2.2: any message containing connection-specific header fields MUST be treated as malformed)", where, name)
	}
	if name == "te" {
		f.bad("%s: te in a response (RFC 9113 §8.2.2: TE MAY be present in an HTTP/2 request, and only there)", where)
	}
}

func isSPHT(c byte) bool { return c == ' ' || c == '\t' }
