package scenarios

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// TestByteStringsAllBytes writes every byte 00-FF as \xHH in each quoting style
// where gatecheck sees the backslash, and reads it back.
func TestByteStringsAllBytes(t *testing.T) {
	forms := map[string]func(esc string) string{
		"single-quoted":         func(esc string) string { return "'" + esc + "'" },
		"block scalar":          func(esc string) string { return "|-\n      " + esc },
		"double-quoted \\\\xHH": func(esc string) string { return `"\` + esc + `"` },
		"plain":                 func(esc string) string { return esc },
	}
	for name, form := range forms {
		var steps strings.Builder
		for b := range 256 {
			fmt.Fprintf(&steps, "\n  - chunk: %s", form(fmt.Sprintf(`\x%02X`, b)))
		}
		s := parseOne(t, doc("upstream", "upstream:"+steps.String()))
		for b, st := range s.Upstream {
			if !bytes.Equal(st.Data, []byte{byte(b)}) {
				t.Errorf("%s: \\x%02X: got %q; want %q", name, b, st.Data, []byte{byte(b)})
			}
		}
	}
}

func TestDecodeBytes(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{`plain`, "plain", ""},
		{`\r\n\t\0\\`, "\r\n\t\x00\\", ""},
		{`\x00\x7f\x80\xff\xAb`, "\x00\x7f\x80\xff\xab", ""},
		{`é`, "é", ""}, // UTF-8 written as is, outside double quotes
		{`\q`, "", `unknown escape \q (want \r, \n, \t, \0, \\ or \xHH)`},
		{`\"`, "", `unknown escape \" (want \r, \n, \t, \0, \\ or \xHH)`},
		{`\é`, "", `unknown escape \é (want \r, \n, \t, \0, \\ or \xHH)`},
		{`\x`, "", `bad escape \x: \x takes two hex digits`},
		{`\x1`, "", `bad escape \x1: \x takes two hex digits`},
		{`\x1g`, "", `bad escape \x1g: \x takes two hex digits`},
		{`ab\`, "", `lone \ at the end (write \\ for a backslash)`},
	}
	for _, tt := range tests {
		got, err := decodeBytes(tt.in)
		switch {
		case tt.err != "" && (err == nil || err.Error() != tt.err):
			t.Errorf("decodeBytes(%q): got error %v; want %s", tt.in, err, tt.err)
		case tt.err == "" && (err != nil || string(got) != tt.want):
			t.Errorf("decodeBytes(%q): got %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// TestDoubleQuotedHighBytes checks that YAML's own \xHH above 7F in double quotes
// is refused (it would be two UTF-8 bytes), and below it accepted.
func TestDoubleQuotedHighBytes(t *testing.T) {
	for b := range 256 {
		src := doc("upstream", upstream2(fmt.Sprintf(`write: "\x%02x"`, b)))
		all, err := Parse("t.yaml", []byte(src))
		switch {
		case b > 0x7f && err == nil:
			t.Errorf(`"\x%02x": got no error; want one`, b)
		case b > 0x7f:
			if want := fmt.Sprintf("t.yaml:9: step 2: write: double-quoted byte string holds U+00%02X", b); !strings.HasPrefix(err.Error(), want) {
				t.Errorf(`"\x%02x": got %v; want %s...`, b, err, want)
			}
		case b == 0x5c: // YAML's "\x5c" is a backslash, a lone one for gatecheck
			if err == nil {
				t.Errorf(`"\x5c": got no error; want a lone backslash reported`)
			}
		case err != nil:
			t.Errorf(`"\x%02x": got %v; want no error`, b, err)
		case b > 0 && !bytes.Equal(all[0].Upstream[1].Data, []byte{byte(b)}):
			t.Errorf(`"\x%02x": got %q`, b, all[0].Upstream[1].Data)
		}
	}
}
