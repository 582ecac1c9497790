package scenarios

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Error is one problem in a scenario file, at a line. Parse and Load return every
// problem they find, joined with errors.Join, one Error per line of the message.
type Error struct {
	File string
	Line int
	Msg  string
}

// Error is "FILE:LINE: what is wrong".
func (e *Error) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// maxErrors bounds how many problems one file reports.
const maxErrors = 100

// problems collects the errors of one file.
type problems struct {
	file string
	errs []*Error
	more int // problems beyond maxErrors
}

func (p *problems) add(line int, format string, args ...any) {
	if line < 1 {
		line = 1
	}
	if len(p.errs) >= maxErrors {
		p.more++
		return
	}
	msg := fmt.Sprintf(format, args...)
	// A message is one line, whatever a value quoted in it held.
	msg = strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(msg)
	p.errs = append(p.errs, &Error{File: p.file, Line: line, Msg: msg})
}

// addAt is add with the message prefixed by "what: " unless what is empty.
func (p *problems) addAt(line int, what, format string, args ...any) {
	if what != "" {
		format = "%s: " + format
		args = append([]any{what}, args...)
	}
	p.add(line, format, args...)
}

func (p *problems) ok() bool { return len(p.errs) == 0 }

// err returns the problems sorted by line, joined, or nil.
func (p *problems) err() error {
	if len(p.errs) == 0 {
		return nil
	}
	sort.SliceStable(p.errs, func(i, j int) bool { return p.errs[i].Line < p.errs[j].Line })
	errs := make([]error, 0, len(p.errs)+1)
	for _, e := range p.errs {
		errs = append(errs, e)
	}
	if p.more > 0 {
		last := p.errs[len(p.errs)-1].Line
		errs = append(errs, &Error{File: p.file, Line: last, Msg: fmt.Sprintf("and %d more problems", p.more)})
	}
	return errors.Join(errs...)
}

// didYouMean returns ` (did you mean "x"?)` for the closest candidate within a small
// edit distance of word, or "".
func didYouMean(word string, candidates []string) string {
	best, bestD := "", 3
	if len(word) <= 3 {
		bestD = 2
	}
	lw := strings.ToLower(word)
	for _, c := range candidates {
		if d := editDistance(lw, c); d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// editDistance is the optimal string alignment distance between a and b: insertions,
// deletions, substitutions and transpositions of adjacent bytes cost 1 each.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64 // not worth suggesting anything
	}
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// oneOf lists words for a message: "a, b or c".
func oneOf(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}
