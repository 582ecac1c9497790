package wire

import "testing"

func TestFirstBytes(t *testing.T) {
	for _, c := range []struct {
		raw  string
		n    int
		want string
	}{
		{"HTTP/1.1 200 OK\r\n\r\n", 100, `HTTP/1.1 200 OK\r\n\r\n`},
		{"a\x00b\tc\\d\xffe\x7f", 100, `a\0b\tc\\d\xffe\x7f`},
		{"abcdef", 3, "abc…"},
		{"", 3, ""},
	} {
		if got := FirstBytes([]byte(c.raw), c.n); got != c.want {
			t.Errorf("FirstBytes(%q, %d): got %q; want %q", c.raw, c.n, got, c.want)
		}
	}
}
