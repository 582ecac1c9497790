package scenarios

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// checkText reports what YAML cannot read at all, with the line: invalid UTF-8 and
// control characters.
func (p *parser) checkText(data []byte) bool {
	ok := true
	for line, i := 1, 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			p.add(line, `invalid UTF-8 byte 0x%02x (a YAML file is UTF-8 text; write bytes as \xHH in a single-quoted string)`, data[i])
			ok = false
		case r == '\n':
			line++
		case !(r == '\t' || r == '\r' || r >= 0x20 && r <= 0x7e || r == 0x85 || r >= 0xa0 && r <= 0xd7ff ||
			r >= 0xe000 && r <= 0xfffd || r >= 0x10000 && r <= 0x10ffff):
			p.add(line, `control character %U is not allowed in YAML (write it as \xHH in a single-quoted string)`, r)
			ok = false
		}
		i += size
	}
	return ok
}

// maxExpanded bounds the nodes of a document with its aliases expanded, so that a
// few aliases of aliases cannot make the loader walk billions of nodes.
const maxExpanded = 1 << 20

// checkAliases refuses a document that expands too far through aliases, or an
// alias inside the node it names.
func (p *parser) checkAliases(root *yaml.Node) bool {
	size := map[*yaml.Node]int{} // expanded size; -1 while being counted
	var count func(n *yaml.Node) (int, bool)
	count = func(n *yaml.Node) (int, bool) {
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			if size[n.Alias] == -1 {
				p.add(n.Line, "alias *%s refers to a node that contains it", clip(n.Value))
				return 0, false
			}
			return count(n.Alias)
		}
		if v, done := size[n]; done {
			return v, true
		}
		size[n] = -1
		total := 1
		for _, c := range n.Content {
			v, ok := count(c)
			if !ok {
				return 0, false
			}
			if total += v; total > maxExpanded {
				p.add(n.Line, "the document expands to more than %d nodes through aliases", maxExpanded)
				return 0, false
			}
		}
		size[n] = total
		return total, true
	}
	_, ok := count(root)
	return ok
}

var yamlLineRE = regexp.MustCompile(`^yaml: line ([0-9]+): (.*)$`)

// parserProblems are the messages of the YAML parser (not the scanner), whose line
// numbers the YAML library reports one too low.
var parserProblems = []string{
	"did not find expected ',' or ']'", "did not find expected ',' or '}'", "did not find expected '-' indicator",
	"did not find expected <document start>", "did not find expected <stream-start>", "did not find expected key",
	"did not find expected node content", "found duplicate %TAG directive", "found duplicate %YAML directive",
	"found incompatible YAML document", "found undefined tag handle",
}

// yamlProblem turns a YAML syntax error into a line and a message.
func yamlProblem(err error, data []byte) (int, string) {
	// At the end of the stream the YAML library counts one line more than the
	// file has; such problems are on the file's last line.
	last := max(bytes.Count(data, []byte("\n")), 1)
	if len(data) > 0 && data[len(data)-1] != '\n' {
		last++
	}
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		if slices.Contains(parserProblems, m[2]) {
			line++
		}
		return min(line, last), "yaml: " + m[2]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	line := 1
	// The YAML library names an unknown alias without its line; find it.
	var anchor string
	if _, e := fmt.Sscanf(msg, "unknown anchor %s referenced", &anchor); e == nil {
		anchor = strings.Trim(anchor, "'")
		if i := bytes.Index(data, []byte("*"+anchor)); i >= 0 {
			line = 1 + bytes.Count(data[:i], []byte("\n"))
		}
	}
	return line, "yaml: " + msg
}
