package scenarios

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// parser turns the YAML nodes of one file into scenarios, collecting problems.
type parser struct {
	problems
	// keyLines are the lines of the keys whose values fields returned, so that a
	// problem with a whole block can be reported at its key.
	keyLines map[*yaml.Node]int
}

// lineOf is the line of the key n is the value of, or n's own line.
func (p *parser) lineOf(n *yaml.Node) int {
	if l, ok := p.keyLines[n]; ok {
		return l
	}
	return n.Line
}

// deref follows aliases to the node they name.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 16; i++ {
		n = n.Alias
	}
	return n
}

// describe says what a node is, for "want X, got Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a map"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!str":
			return fmt.Sprintf("the string %q", clip(n.Value))
		case "!!int":
			return "the integer " + clip(n.Value)
		case "!!float":
			return "the number " + clip(n.Value)
		case "!!bool":
			return "the boolean " + n.Value
		case "!!null":
			return "nothing"
		}
		return fmt.Sprintf("a %s value", n.Tag)
	}
	return "an unsupported YAML node"
}

// clip shortens a value quoted in a message.
func clip(s string) string {
	if len(s) <= 40 {
		return s
	}
	cut := 37
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// fields checks that n is a map whose keys are all in allowed, each at most once,
// and returns the values by key (aliases followed). It reports problems and returns
// nil when n is not a map.
func (p *parser) fields(n *yaml.Node, what string, allowed ...string) map[string]*yaml.Node {
	return p.keys(n, what, "field", allowed)
}

// keys is fields with the noun for the keys ("field", "check") in messages.
func (p *parser) keys(n *yaml.Node, what, noun string, allowed []string) map[string]*yaml.Node {
	if n.Kind != yaml.MappingNode {
		p.addAt(n.Line, what, "want a map, got %s", describe(n))
		return nil
	}
	m := make(map[string]*yaml.Node, len(n.Content)/2)
	seen := make(map[string]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
		if k == nil || v == nil {
			continue
		}
		if k.Kind != yaml.ScalarNode || k.Tag == "!!merge" {
			if k.Tag == "!!merge" {
				p.addAt(k.Line, what, "merge keys (<<) are not supported")
			} else {
				p.addAt(k.Line, what, "a key must be a word, got %s", describe(k))
			}
			continue
		}
		key := k.Value
		if !slices.Contains(allowed, key) {
			p.addAt(k.Line, what, "unknown %s %q%s", noun, clip(key), didYouMean(key, allowed))
			continue
		}
		if first, dup := seen[key]; dup {
			p.addAt(k.Line, what, "%s %q repeated (first at line %d)", noun, key, first)
			continue
		}
		seen[key] = k.Line
		m[key] = v
		if p.keyLines == nil {
			p.keyLines = map[*yaml.Node]int{}
		}
		p.keyLines[v] = k.Line
	}
	return m
}

// require reports each of keys missing from m, at the map's line.
func (p *parser) require(n *yaml.Node, m map[string]*yaml.Node, what string, keys ...string) bool {
	ok := true
	for _, k := range keys {
		if m[k] == nil {
			p.addAt(p.lineOf(n), what, "missing required field %q", k)
			ok = false
		}
	}
	return ok
}

// str reads a string scalar.
func (p *parser) str(n *yaml.Node, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		p.addAt(n.Line, what, "want a string, got %s", describe(n))
		return "", false
	}
	return n.Value, true
}

// word reads a string scalar that must be one of words.
func (p *parser) word(n *yaml.Node, what string, words ...string) (string, bool) {
	s, ok := p.str(n, what)
	if !ok {
		return "", false
	}
	if !slices.Contains(words, s) {
		p.addAt(n.Line, what, "%q is not %s%s", clip(s), oneOf(words), didYouMean(s, words))
		return "", false
	}
	return s, true
}

// integer reads a decimal integer scalar within [lo, hi].
func (p *parser) integer(n *yaml.Node, what string, lo, hi int64) (int64, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		p.addAt(n.Line, what, "want an integer, got %s", describe(n))
		return 0, false
	}
	v, err := strconv.ParseInt(strings.TrimPrefix(n.Value, "+"), 10, 64)
	if err != nil {
		p.addAt(n.Line, what, "want a decimal integer, got %s", clip(n.Value))
		return 0, false
	}
	if v < lo || v > hi {
		p.addAt(n.Line, what, "%d is out of range %d to %d", v, lo, hi)
		return 0, false
	}
	return v, true
}

// boolean reads true or false.
func (p *parser) boolean(n *yaml.Node, what string) (bool, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		p.addAt(n.Line, what, "want true or false, got %s", describe(n))
		return false, false
	}
	b, err := strconv.ParseBool(strings.ToLower(n.Value))
	if err != nil {
		p.addAt(n.Line, what, "want true or false, got %s", clip(n.Value))
		return false, false
	}
	return b, true
}

// list reads a sequence and returns its items (aliases followed).
func (p *parser) list(n *yaml.Node, what string) ([]*yaml.Node, bool) {
	if n.Kind != yaml.SequenceNode {
		p.addAt(n.Line, what, "want a list, got %s", describe(n))
		return nil, false
	}
	items := make([]*yaml.Node, 0, len(n.Content))
	for _, c := range n.Content {
		if c = deref(c); c != nil {
			items = append(items, c)
		}
	}
	return items, true
}

// strs reads a list of strings, each checked by valid (which reports its own
// problem) when valid is not nil.
func (p *parser) strs(n *yaml.Node, what string, valid func(*yaml.Node, string) bool) []string {
	items, ok := p.list(n, what)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		s, ok := p.str(it, what)
		if ok && (valid == nil || valid(it, s)) {
			out = append(out, s)
		}
	}
	return out
}

// duration reads a duration expression.
func (p *parser) duration(n *yaml.Node, what string) (Duration, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		p.addAt(n.Line, what, "want a duration such as '250ms' or 'read_timeout + 1s', got %s", describe(n))
		return Duration{}, false
	}
	d, err := ParseDuration(n.Value)
	if err != nil {
		p.addAt(n.Line, what, "%v", err)
		return Duration{}, false
	}
	return d, true
}

// goDuration reads a plain, non-negative Go duration ("10ms").
func (p *parser) goDuration(n *yaml.Node, what string) time.Duration {
	s, ok := p.str(n, what)
	if !ok {
		return 0
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		p.addAt(n.Line, what, "%q is not a duration such as 10ms", clip(s))
		return 0
	}
	return d
}
