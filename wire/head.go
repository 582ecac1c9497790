package wire

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// maxFindings bounds how many violations, and how many notes, one parse keeps; the
// rest are counted in a last entry.
const maxFindings = 64

// findings collects the violations and notes of one parse.
type findings struct {
	violations, notes         []string
	moreViolations, moreNotes int
}

// bad records a violation: bytes that are not valid HTTP/1.1.
func (f *findings) bad(format string, a ...any) {
	if len(f.violations) >= maxFindings {
		f.moreViolations++
		return
	}
	f.violations = append(f.violations, fmt.Sprintf(format, a...))
}

// note records a deviation a recipient may tolerate.
func (f *findings) note(format string, a ...any) {
	if len(f.notes) >= maxFindings {
		f.moreNotes++
		return
	}
	f.notes = append(f.notes, fmt.Sprintf(format, a...))
}

// lists returns the violations and notes, each with a closing count of those left
// out.
func (f *findings) lists() (violations, notes []string) {
	violations, notes = f.violations, f.notes
	if f.moreViolations > 0 {
		violations = append(violations, fmt.Sprintf("… and %d more violations", f.moreViolations))
	}
	if f.moreNotes > 0 {
		notes = append(notes, fmt.Sprintf("… and %d more notes", f.moreNotes))
	}
	return violations, notes
}

// parseHead parses one complete head: raw runs from the first byte of the status
// line to the LF that ends the empty line closing the head. where names the head
// in findings ("head", "interim 2").
func parseHead(raw []byte, where string, f *findings) Head {
	lines := splitLines(raw, where, f)
	var h Head
	if len(lines) == 0 {
		f.bad("%s: empty head (RFC 9112 §4)", where)
		return h
	}
	h.StatusLine = lines[0]
	h.Version, h.Status = parseStatusLine(lines[0], where, f)
	h.Fields = parseFields(lines[1:], where, true, f)
	return h
}

// splitLines splits a head or trailer section at LF into lines without their
// terminators, dropping the empty line that ends it. It records lines that end in
// a bare LF: RFC 9112 §2.2 makes CRLF the line terminator and only lets a recipient
// tolerate a bare LF.
func splitLines(raw []byte, where string, f *findings) []string {
	var lines []string
	bare := 0
	for len(raw) > 0 {
		i := bytes.IndexByte(raw, '\n')
		if i < 0 { // an unterminated last line: not expected of a complete section
			lines = append(lines, string(raw))
			break
		}
		line := raw[:i]
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		} else {
			bare++
		}
		lines = append(lines, string(line))
		raw = raw[i+1:]
	}
	if bare > 0 {
		f.bad("%s: %d line(s) end in a bare LF instead of CRLF (RFC 9112 §2.2)", where, bare)
	}
	if n := len(lines); n > 0 && lines[n-1] == "" {
		lines = lines[:n-1]
	}
	return lines
}

// parseStatusLine parses status-line = HTTP-version SP status-code SP
// [ reason-phrase ] (RFC 9112 §4), with HTTP-version = "HTTP/" DIGIT "." DIGIT
// (§2.3). It returns the version and the status, which is 0 unless the line is
// HTTP/1.x followed by a three-digit code. A missing SP after the code (no reason
// phrase, "HTTP/1.1 200") breaks the server requirement of §4 ("A server MUST send
// the space that separates the status-code from the reason-phrase even when the
// reason-phrase is absent") but is unambiguous and widely accepted, so it is only
// noted; so is a code outside 100-599, which RFC 9110 §15 tells a client to treat
// as 5xx.
func parseStatusLine(line, where string, f *findings) (version string, status int) {
	if len(line) < 8 || line[:5] != "HTTP/" || !isDigit(line[5]) || line[6] != '.' || !isDigit(line[7]) {
		f.bad("%s: status line %s does not start with HTTP-version (HTTP/d.d; RFC 9112 §2.3, §4)", where, Quote(line))
		return "", 0
	}
	version = line[:8]
	if line[5] != '1' {
		f.bad("%s: status line %s: %s is not HTTP/1.x (RFC 9112 §2.3)", where, Quote(line), version)
		return version, 0
	}
	rest := line[8:]
	if len(rest) < 4 || rest[0] != ' ' || !isDigit(rest[1]) || !isDigit(rest[2]) || !isDigit(rest[3]) {
		f.bad("%s: status line %s: want SP and a three-digit status code after %s (RFC 9112 §4)", where, Quote(line), version)
		return version, 0
	}
	code, _ := strconv.Atoi(rest[1:4])
	switch rest = rest[4:]; {
	case rest == "":
		f.note("%s: status line %s has no SP after the status code (RFC 9112 §4: a server MUST send it even without a reason phrase)", where, Quote(line))
	case rest[0] != ' ':
		f.bad("%s: status line %s: want SP after the status code (RFC 9112 §4)", where, Quote(line))
		return version, 0
	default:
		for i := 1; i < len(rest); i++ {
			if c := rest[i]; isCTL(c) && c != '\t' {
				f.bad("%s: status line %s: %s in the reason phrase (RFC 9112 §4%s)", where, Quote(line), ctlName(c), crSection(c))
				break
			}
		}
	}
	if code < 100 || code > 599 {
		f.note("%s: status code %03d is outside 100-599 (RFC 9110 §15: a client should treat it as 5xx)", where, code)
	}
	return version, code
}

// parseFields parses field lines (RFC 9112 §5): field-name ":" OWS field-value
// OWS. afterStart says the lines follow a start line, where a leading
// whitespace-preceded line is not an obs-fold but a line a recipient must reject or
// ignore (§2.2). Values keep their bytes; an obs-fold continuation is appended to
// the previous value after one SP, as §5.2 lets a recipient do.
func parseFields(lines []string, where string, afterStart bool, f *findings) []Field {
	var out []Field
	for i, line := range lines {
		if line != "" && (line[0] == ' ' || line[0] == '\t') {
			if len(out) == 0 {
				if afterStart {
					f.bad("%s: whitespace-preceded line %s right after the status line (RFC 9112 §2.2)", where, Quote(line))
				} else {
					f.bad("%s: first line %s begins with whitespace (obs-fold with nothing to continue; RFC 9112 §5.2)", where, Quote(line))
				}
				continue
			}
			prev := &out[len(out)-1]
			f.bad("%s: obs-fold continuation line %s after field %s (RFC 9112 §5.2)", where, Quote(line), Quote(prev.Name))
			cont := trimOWS(line)
			checkValue(cont, prev.Name, where, f)
			if cont != "" {
				prev.Value += " " + cont
			}
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			f.bad("%s: line %d %s has no colon (RFC 9112 §5)", where, i+2, Quote(line))
			continue
		}
		switch bare := strings.TrimRight(name, " \t"); {
		case name == "":
			f.bad("%s: empty field name in %s (RFC 9110 §5.1)", where, Quote(line))
		case bare != name:
			f.bad("%s: whitespace between field name %s and the colon (RFC 9112 §5.1)", where, Quote(bare))
			if c, ok := badTokenChar(bare); ok {
				f.bad("%s: field name %s contains %s (RFC 9110 §5.1: a name is a token)", where, Quote(bare), charName(c))
			}
		default:
			if c, ok := badTokenChar(name); ok {
				f.bad("%s: field name %s contains %s (RFC 9110 §5.1: a name is a token)", where, Quote(name), charName(c))
			}
		}
		value = trimOWS(value)
		checkValue(value, name, where, f)
		out = append(out, Field{Name: name, Value: value})
	}
	return out
}

// checkValue records the characters a field value must not contain (RFC 9110
// §5.5): NUL and CR (and LF, which cannot occur within a line) are invalid and
// dangerous; a recipient must reject them or replace them with SP. Other CTLs are
// invalid too, but a recipient may retain them, so they are only noted.
func checkValue(v, name, where string, f *findings) {
	noted := false
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == 0 || c == '\r':
			f.bad("%s: %s in the value of %s (RFC 9110 §5.5%s)", where, ctlName(c), Quote(name), crSection(c))
			return
		case isCTL(c) && c != '\t' && !noted:
			f.note("%s: %s in the value of %s (RFC 9110 §5.5: invalid, a recipient may retain it)", where, ctlName(c), Quote(name))
			noted = true
		}
	}
}

// crSection adds RFC 9112 §2.2 (bare CR) to a citation about c.
func crSection(c byte) string {
	if c == '\r' {
		return "; bare CR: RFC 9112 §2.2"
	}
	return ""
}

// trimOWS removes leading and trailing SP and HTAB.
func trimOWS(s string) string { return strings.Trim(s, " \t") }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isHex(c byte) bool { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// isCTL reports whether c is a control character (0x00-0x1F or DEL).
func isCTL(c byte) bool { return c < 0x20 || c == 0x7f }

// isTchar reports whether c may appear in a token (RFC 9110 §5.6.2).
func isTchar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || isDigit(c) || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// badTokenChar returns the first character of s that may not appear in a token.
func badTokenChar(s string) (byte, bool) {
	for i := 0; i < len(s); i++ {
		if !isTchar(s[i]) {
			return s[i], true
		}
	}
	return 0, false
}

// ctlName names a control character for people: "NUL", "CR", "CTL 0x01".
func ctlName(c byte) string {
	switch c {
	case 0:
		return "NUL"
	case '\r':
		return "CR"
	case '\n':
		return "LF"
	}
	return fmt.Sprintf("CTL 0x%02x", c)
}

// charName names any character for people.
func charName(c byte) string {
	switch {
	case c == ' ':
		return "a space"
	case isCTL(c):
		return ctlName(c)
	case c >= 0x80:
		return fmt.Sprintf("the 8-bit byte 0x%02x", c)
	}
	return fmt.Sprintf("%q", string(c))
}

// quoteClip quotes s for a message, escaping control bytes and clipping it to 60
// bytes.
func Quote(s string) string {
	if len(s) > 60 {
		return strconv.Quote(s[:60]) + "…"
	}
	return strconv.Quote(s)
}
