package scenarios

import (
	"bufio"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// families are the families of CATALOGUE.md; the built-in catalogue covers each.
var families = []Family{"conn", "timeout", "status", "header", "framing", "body", "pass", "interim", "retry", "h2"}

func TestBuiltin(t *testing.T) {
	if err := BuiltinErr(); err != nil {
		t.Fatalf("built-in catalogue:\n%v", err)
	}
	all := Builtin()
	if len(all) < 30 {
		t.Errorf("got %d built-in scenarios; want at least 30", len(all))
	}
	seen := map[string]string{}
	count := map[Family]int{}
	for _, s := range all {
		if first, dup := seen[s.ID]; dup {
			t.Errorf("%s: duplicate id %q (first at %s)", s.Source, s.ID, first)
		}
		seen[s.ID] = s.Source
		count[s.Family()]++
		if !strings.HasPrefix(s.Source, "scenarios/catalogue/") {
			t.Errorf("%s: source not under scenarios/catalogue/", s.Source)
		}
	}
	for _, f := range families {
		if count[f] == 0 {
			t.Errorf("family %s: no built-in scenario", f)
		}
	}
	for f := range count {
		if !slices.Contains(families, f) {
			t.Errorf("family %s: not a family of CATALOGUE.md (%v)", f, families)
		}
	}
}

// TestBuiltinQuotes checks that every built-in scenario's quote appears verbatim in
// the section it cites (whitespace runs compare as one space), and that every
// section it cites exists. A section's text is its own paragraphs, not those of
// its subsections.
func TestBuiltinQuotes(t *testing.T) {
	if err := BuiltinErr(); err != nil {
		t.Skip("the catalogue does not load; TestBuiltin reports why")
	}
	sections := map[string]string{}
	for _, rfc := range []string{"9110", "9112"} {
		readSections(t, "testdata/rfc/rfc"+rfc+".txt", "RFC "+rfc, sections)
	}
	readPublishedSections(t, "testdata/rfc/rfc9113.txt", "RFC 9113", sections)
	for _, s := range Builtin() {
		text, ok := sections[s.Spec.Section]
		if !ok {
			t.Errorf("%s: %s: spec.section %q does not exist", s.Source, s.ID, s.Spec.Section)
			continue
		}
		if q := collapse(s.Spec.Quote); !strings.Contains(text, q) {
			t.Errorf("%s: %s: spec.quote is not in %s:\n  quote: %s", s.Source, s.ID, s.Spec.Section, q)
		}
		for _, a := range s.Spec.Also {
			if _, ok := sections[a]; !ok {
				t.Errorf("%s: %s: spec.also %q does not exist", s.Source, s.ID, a)
			}
		}
	}
}

var sectionHeadRE = regexp.MustCompile(`^=== ([0-9]+(?:\.[0-9]+)*)\. `)

// readSections adds the text of every numbered section of an RFC extract to into,
// keyed "RFC 9112 §6.3", whitespace collapsed.
func readSections(tb testing.TB, path, rfc string, into map[string]string) {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var key string
	var text strings.Builder
	flush := func() {
		if key != "" {
			into[key] = collapse(text.String())
		}
		text.Reset()
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "=== ") {
			flush()
			key = ""
			if m := sectionHeadRE.FindStringSubmatch(line); m != nil {
				key = rfc + " §" + m[1]
			}
			continue
		}
		text.WriteString(line)
		text.WriteString(" ")
	}
	flush()
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	if len(into) < 50 {
		tb.Fatalf("%s: got %d sections; want the whole RFC", path, len(into))
	}
}

// publishedHeadRE is a numbered section heading of an RFC as published: at
// the start of the line, the number, a period, then the title.
var publishedHeadRE = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)*)\.\s+\S`)

// readPublishedSections adds the text of every numbered section of an RFC in
// its published plain-text form (RFC 9113) to into, keyed "RFC 9113 §8.2.2",
// whitespace collapsed. Every line that starts in the first column is a
// heading there (the text is indented), so the front matter, appendices and
// unnumbered sections belong to no key. A line that ends in a hyphen after a
// letter breaks a hyphenated word ("connection-" / "specific"): it is joined
// to the next without a space, as the RFC's own rendering wrapped it. The bars
// that set off notes ("|  Note: ...") are dropped.
func readPublishedSections(tb testing.TB, path, rfc string, into map[string]string) {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var key string
	var text strings.Builder
	flush := func() {
		if key != "" {
			into[key] = collapse(text.String())
		}
		text.Reset()
	}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimRight(line, " \r")
		if line != "" && line[0] != ' ' {
			flush()
			key = ""
			if m := publishedHeadRE.FindStringSubmatch(line); m != nil {
				key = rfc + " §" + m[1]
			}
			continue
		}
		line = strings.TrimLeft(line, " ")
		if strings.HasPrefix(line, "|") {
			line = strings.TrimLeft(strings.TrimPrefix(line, "|"), " ")
		}
		text.WriteString(line)
		if n := len(line); n >= 2 && line[n-1] == '-' && isLetter(line[n-2]) {
			continue
		}
		text.WriteString(" ")
	}
	flush()
	if len(into) < 50 {
		tb.Fatalf("%s: got %d sections; want the whole RFC", path, len(into))
	}
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// collapse turns every run of whitespace into one space and trims the ends.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestReadSections(t *testing.T) {
	sections := map[string]string{}
	readSections(t, "testdata/rfc/rfc9112.txt", "RFC 9112", sections)
	want := "A client that receives an incomplete response message, which can occur when a connection is closed prematurely or when decoding a supposedly chunked transfer coding fails, MUST record the message as incomplete."
	if !strings.Contains(sections["RFC 9112 §8"], want) {
		t.Errorf("RFC 9112 §8: got %.200q...; want it to hold the sentence of the README example", sections["RFC 9112 §8"])
	}
	// A section holds its own paragraphs only: a sentence of 6.1 is not in 6.
	sentence := "A recipient MUST be able to parse the chunked transfer coding"
	if !strings.Contains(sections["RFC 9112 §6.1"], sentence) || strings.Contains(sections["RFC 9112 §6"], sentence) {
		t.Errorf("got %q in §6.1 %v, in §6 %v; want in §6.1 only", sentence,
			strings.Contains(sections["RFC 9112 §6.1"], sentence), strings.Contains(sections["RFC 9112 §6"], sentence))
	}
}

func TestReadPublishedSections(t *testing.T) {
	sections := map[string]string{}
	readPublishedSections(t, "testdata/rfc/rfc9113.txt", "RFC 9113", sections)
	for _, c := range []struct{ section, sentence string }{
		// Wrapped at a hyphen: "connection-" ends a line, "specific" starts the next.
		{"RFC 9113 §8.2.2", "Any message containing connection-specific header fields MUST be treated as malformed (Section 8.1.1)."},
		{"RFC 9113 §8.2", "Field names MUST be converted to lowercase when constructing an HTTP/2 message."},
		{"RFC 9113 §6.9.1", "The sender MUST NOT send a flow-controlled frame with a length that exceeds the space available in either of the flow-control windows advertised by the receiver."},
		// A note set off by bars.
		{"RFC 9113 §8.2.1", "Note: An implementation that validates fields according to the definitions in Sections 5.1 and 5.5 of [HTTP] only needs an additional check that field names do not include uppercase characters."},
	} {
		if !strings.Contains(sections[c.section], c.sentence) {
			t.Errorf("%s: got %.200q...; want it to hold %q", c.section, sections[c.section], c.sentence)
		}
	}
	// A section holds its own paragraphs only: a sentence of 8.1.1 is not in 8.1.
	sentence := "Clients MUST NOT accept a malformed response."
	if !strings.Contains(sections["RFC 9113 §8.1.1"], sentence) || strings.Contains(sections["RFC 9113 §8.1"], sentence) {
		t.Errorf("got %q in §8.1.1 %v, in §8.1 %v; want in §8.1.1 only", sentence,
			strings.Contains(sections["RFC 9113 §8.1.1"], sentence), strings.Contains(sections["RFC 9113 §8.1"], sentence))
	}
	// Nothing after the last numbered section (the appendices) is in it.
	if strings.Contains(sections["RFC 9113 §12.2"], "TLS_NULL_WITH_NULL_NULL") {
		t.Errorf("RFC 9113 §12.2 runs on into Appendix A")
	}
}
