package scenarios

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Duration is a duration expression, resolved against a target's declared timeouts.
//
// Grammar (spaces are ignored):
//
//	expr   = term { ("+" | "-") term }
//	term   = factor { ("*" | "/") number }
//	factor = go-duration | "connect_timeout" | "read_timeout" | "promptly" | "(" expr ")"
//
// go-duration is anything time.ParseDuration accepts ("250ms", "1.5s"); number is a
// decimal ("4", "1.5"). "promptly" is min(1s, read_timeout / 4). Examples:
// "read_timeout + 500ms", "read_timeout / 4", "(connect_timeout + read_timeout) * 2".
// A result below zero resolves to zero; one beyond the largest time.Duration to
// that.
type Duration struct {
	expr string
	eval func(Timeouts) float64 // nanoseconds
}

// ParseDuration parses a duration expression.
func ParseDuration(s string) (Duration, error) {
	p := &durParser{src: s, s: strings.ReplaceAll(strings.ReplaceAll(s, " ", ""), "\t", "")}
	if p.s == "" {
		return Duration{}, fmt.Errorf("empty duration")
	}
	f, err := p.expr()
	if err != nil {
		return Duration{}, fmt.Errorf("duration %q: %w", s, err)
	}
	if p.pos != len(p.s) {
		return Duration{}, fmt.Errorf("duration %q: unexpected %q", s, p.s[p.pos:])
	}
	return Duration{expr: strings.TrimSpace(s), eval: f}, nil
}

// MustDuration is ParseDuration for expressions known to be valid; it panics
// otherwise. It is meant for package-level defaults and tests.
func MustDuration(s string) Duration {
	d, err := ParseDuration(s)
	if err != nil {
		panic(err)
	}
	return d
}

// Resolve evaluates the expression against t. The zero Duration resolves to 0.
func (d Duration) Resolve(t Timeouts) time.Duration {
	if d.eval == nil {
		return 0
	}
	v := d.eval(t)
	switch {
	case v != v || v < 0: // NaN (as from "1h*1e300*1e300 - 1h*1e300*1e300") or negative
		return 0
	case v >= math.MaxInt64:
		return math.MaxInt64
	}
	return time.Duration(v)
}

// IsZero reports whether d was never set.
func (d Duration) IsZero() bool { return d.eval == nil }

// String is the expression as written.
func (d Duration) String() string { return d.expr }

// MarshalJSON writes the expression as a JSON string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.expr) }

type durParser struct {
	src   string
	s     string
	pos   int
	depth int // of parentheses
}

func (p *durParser) peek() byte {
	if p.pos < len(p.s) {
		return p.s[p.pos]
	}
	return 0
}

func (p *durParser) expr() (func(Timeouts) float64, error) {
	left, err := p.term()
	if err != nil {
		return nil, err
	}
	for c := p.peek(); c == '+' || c == '-'; c = p.peek() {
		p.pos++
		right, err := p.term()
		if err != nil {
			return nil, err
		}
		l, r := left, right
		if c == '+' {
			left = func(t Timeouts) float64 { return l(t) + r(t) }
		} else {
			left = func(t Timeouts) float64 { return l(t) - r(t) }
		}
	}
	return left, nil
}

func (p *durParser) term() (func(Timeouts) float64, error) {
	left, err := p.factor()
	if err != nil {
		return nil, err
	}
	for c := p.peek(); c == '*' || c == '/'; c = p.peek() {
		p.pos++
		start := p.pos
		for p.pos < len(p.s) && (p.s[p.pos] == '.' || (p.s[p.pos] >= '0' && p.s[p.pos] <= '9')) {
			p.pos++
		}
		n, err := strconv.ParseFloat(p.s[start:p.pos], 64)
		if err != nil {
			return nil, fmt.Errorf("want a number after %q", string(c))
		}
		if c == '/' && n == 0 {
			return nil, fmt.Errorf("division by zero")
		}
		l := left
		if c == '*' {
			left = func(t Timeouts) float64 { return l(t) * n }
		} else {
			left = func(t Timeouts) float64 { return l(t) / n }
		}
	}
	return left, nil
}

func (p *durParser) factor() (func(Timeouts) float64, error) {
	if p.peek() == '(' {
		p.pos++
		if p.depth++; p.depth > 32 {
			return nil, fmt.Errorf("parentheses nested too deep")
		}
		f, err := p.expr()
		if err != nil {
			return nil, err
		}
		if p.peek() != ')' {
			return nil, fmt.Errorf("missing )")
		}
		p.pos++
		p.depth--
		return f, nil
	}
	start := p.pos
	for p.pos < len(p.s) && strings.IndexByte("+-*/()", p.s[p.pos]) < 0 {
		p.pos++
	}
	word := p.s[start:p.pos]
	switch word {
	case "connect_timeout":
		return func(t Timeouts) float64 { return float64(t.Connect) }, nil
	case "read_timeout":
		return func(t Timeouts) float64 { return float64(t.Read) }, nil
	case "promptly":
		return func(t Timeouts) float64 { return float64(min(time.Second, t.Read/4)) }, nil
	case "":
		return nil, fmt.Errorf("want a duration or a timeout name")
	}
	d, err := time.ParseDuration(word)
	if err != nil {
		return nil, fmt.Errorf("%q is neither a duration (like 250ms) nor connect_timeout, read_timeout or promptly", word)
	}
	return func(Timeouts) float64 { return float64(d) }, nil
}
