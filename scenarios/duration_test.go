package scenarios

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestDurations(t *testing.T) {
	e300 := "1" + strings.Repeat("0", 300)
	to := Timeouts{Connect: 2 * time.Second, Read: 8 * time.Second}
	tests := []struct {
		expr string
		want time.Duration
	}{
		{"250ms", 250 * time.Millisecond},
		{"1.5s", 1500 * time.Millisecond},
		{"read_timeout", 8 * time.Second},
		{"connect_timeout", 2 * time.Second},
		{"read_timeout + 500ms", 8500 * time.Millisecond},
		{"read_timeout - 500ms", 7500 * time.Millisecond},
		{"read_timeout / 4", 2 * time.Second},
		{"read_timeout * 1.5", 12 * time.Second},
		{"(connect_timeout + read_timeout) * 2", 20 * time.Second},
		{"connect_timeout + read_timeout * 2", 18 * time.Second},
		{"promptly", time.Second}, // min(1s, 8s / 4)
		{"1s - read_timeout", 0},  // below zero resolves to zero
		{" read_timeout\t+1s ", 9 * time.Second},
		{"2562047h * 2", 1<<63 - 1},                                           // beyond the largest Duration resolves to it
		{"1h * " + e300 + " * " + e300 + " - 1h * " + e300 + " * " + e300, 0}, // Inf - Inf
	}
	for _, tt := range tests {
		d, err := ParseDuration(tt.expr)
		if err != nil {
			t.Errorf("ParseDuration(%q): %v", tt.expr, err)
			continue
		}
		if got := d.Resolve(to); got != tt.want {
			t.Errorf("%q: got %v; want %v", tt.expr, got, tt.want)
		}
	}
	if got := MustDuration("promptly").Resolve(Timeouts{Read: 2 * time.Second}); got != 500*time.Millisecond {
		t.Errorf("promptly with read 2s: got %v; want 500ms", got)
	}
	if got := (Duration{}).Resolve(to); got != 0 {
		t.Errorf("zero Duration: got %v; want 0", got)
	}
	if b, _ := json.Marshal(MustDuration("read_timeout / 4")); string(b) != `"read_timeout / 4"` {
		t.Errorf("JSON: got %s", b)
	}
}

func TestDurationErrors(t *testing.T) {
	tests := []struct{ expr, want string }{
		{"", "empty duration"},
		{"  ", "empty duration"},
		{"5", `duration "5": "5" is neither a duration (like 250ms) nor connect_timeout, read_timeout or promptly`},
		{"-1s", `duration "-1s": want a duration or a timeout name`},
		{"read_timeout +", `duration "read_timeout +": want a duration or a timeout name`},
		{"read_timeout / 0", `duration "read_timeout / 0": division by zero`},
		{"read_timeout * x", `duration "read_timeout * x": want a number after "*"`},
		{"read_timeout * 1s", `duration "read_timeout * 1s": unexpected "s"`},
		{"(1s", `duration "(1s": missing )`},
		{"1s)", `duration "1s)": unexpected ")"`},
		{"readtimeout", `duration "readtimeout": "readtimeout" is neither a duration (like 250ms) nor connect_timeout, read_timeout or promptly`},
		{"((((((((((((((((((((((((((((((((((1s))))))))))))))))))))))))))))))))))", `duration "((((((((((((((((((((((((((((((((((1s))))))))))))))))))))))))))))))))))": parentheses nested too deep`},
	}
	for _, tt := range tests {
		_, err := ParseDuration(tt.expr)
		if err == nil || err.Error() != tt.want {
			t.Errorf("ParseDuration(%q): got %v; want %s", tt.expr, err, tt.want)
		}
	}
}
