package wire

import (
	"fmt"
	"strings"
)

// FirstBytes renders the first n bytes of raw for people, escaped so that every
// byte shows: \r, \n, \t, \0 and \\ as such, other bytes outside printable ASCII
// as \xHH. An ellipsis marks bytes left out.
func FirstBytes(raw []byte, n int) string {
	var b strings.Builder
	for i, c := range raw {
		if i >= n {
			b.WriteString("…")
			break
		}
		switch {
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\t':
			b.WriteString(`\t`)
		case c == 0:
			b.WriteString(`\0`)
		case c == '\\':
			b.WriteString(`\\`)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
