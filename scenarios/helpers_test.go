package scenarios

import (
	"strings"
	"testing"
)

// base is a minimal valid scenario. Its top-level fields are on lines 1-6, the
// upstream script on 7-9; doc replaces and appends fields by name, so a test can
// say exactly which line an error is on.
const base = `id: pass/x
summary: s
spec: {section: RFC 9110 §7.7, quote: q}
level: must
expect: {pass: [passthrough]}
examples: [{name: a, verdict: pass, client: [close]}, {name: b, verdict: fail, client: [reset]}]
upstream:
  - read
  - write: 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'
`

// doc returns base with fields replaced: each pair is a top-level key and its full
// text (possibly several lines, starting with the key); an empty text removes the
// field. Keys not in base are appended in order.
func doc(pairs ...string) string {
	type field struct{ key, text string }
	var fields []field
	for _, line := range strings.SplitAfter(base, "\n") {
		if line == "" {
			continue
		}
		if line[0] != ' ' {
			key, _, _ := strings.Cut(line, ":")
			fields = append(fields, field{key, line})
		} else {
			fields[len(fields)-1].text += line
		}
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		key, text := pairs[i], pairs[i+1]
		if text != "" && !strings.HasSuffix(text, "\n") {
			text += "\n"
		}
		found := false
		for j := range fields {
			if fields[j].key == key {
				fields[j].text, found = text, true
			}
		}
		if !found {
			fields = append(fields, field{key, text})
		}
	}
	var b strings.Builder
	for _, f := range fields {
		b.WriteString(f.text)
	}
	return b.String()
}

// parseOne parses src as t.yaml and fails unless it holds exactly one scenario.
func parseOne(tb testing.TB, src string) *Scenario {
	tb.Helper()
	all, err := Parse("t.yaml", []byte(src))
	if err != nil {
		tb.Fatalf("Parse: %v\n%s", err, src)
	}
	if len(all) != 1 {
		tb.Fatalf("got %d scenarios; want 1", len(all))
	}
	return all[0]
}

// parseErr parses src as t.yaml and returns the error text, failing when there is
// none.
func parseErr(tb testing.TB, src string) string {
	tb.Helper()
	all, err := Parse("t.yaml", []byte(src))
	if err == nil {
		tb.Fatalf("Parse: got %d scenarios and no error; want an error\n%s", len(all), src)
	}
	if all != nil {
		tb.Errorf("Parse: got scenarios alongside an error; want none")
	}
	return err.Error()
}
