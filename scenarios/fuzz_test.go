package scenarios

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var errLineRE = regexp.MustCompile(`^f\.yaml:([1-9][0-9]*): ([^A-Z\n].*)$`)

// FuzzParse checks that Parse never panics, that every error line starts with the
// file name and a line inside the file, and that what it accepts resolves.
func FuzzParse(f *testing.F) {
	f.Add([]byte(base))
	f.Add([]byte(base + "---\n" + base))
	f.Add([]byte(doc("follow_ups", "follow_ups: [{connection: same, expect: {pass: [{outcome: passthrough, reuse: allowed}]}}]")))
	f.Add([]byte(doc("upstream", "upstream: [read, {drip: {bytes: 10, every: read_timeout / 4}}, mark: m, hang]",
		"expect", "expect: {pass: [{outcome: aborted, within: {limit: promptly, after: m}}], non_strict: [\"503\"]}")))
	f.Add([]byte(doc("upstream", upstream2(`write: "\xff"`))))
	f.Add([]byte(doc("tags", "tags: &t [*t]")))
	f.Add([]byte("a: &a [*a, *a]\nb: *a\n"))
	f.Add([]byte("id: [\n"))
	for _, glob := range []string{"testdata/load/*.y*ml", "testdata/load/sub/*.yaml", "catalogue/*.yaml"} {
		names, _ := filepath.Glob(glob)
		for _, name := range names {
			if data, err := os.ReadFile(name); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		all, err := Parse("f.yaml", data)
		if err != nil {
			if all != nil {
				t.Fatalf("got %d scenarios with an error", len(all))
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) > maxErrors+1 {
				t.Fatalf("got %d error lines; want at most %d", len(lines), maxErrors+1)
			}
			last := max(strings.Count(string(data), "\n"), 1)
			if len(data) > 0 && data[len(data)-1] != '\n' {
				last++
			}
			for _, l := range lines {
				m := errLineRE.FindStringSubmatch(l)
				if m == nil {
					t.Fatalf("error line %q is not f.yaml:LINE: lowercase message", l)
				}
				if n, _ := strconv.Atoi(m[1]); n > last {
					t.Fatalf("error line %q: line %d is past the end of the file (%d lines)", l, n, last)
				}
			}
			return
		}
		for _, s := range all {
			if !strings.HasPrefix(s.Source, "f.yaml:") {
				t.Fatalf("got source %q", s.Source)
			}
			to := DefaultTimeouts()
			if _, err := s.Scripts(to); err != nil {
				t.Fatalf("Scripts: %v", err)
			}
			if d := s.Deadline(to); d < 4e9 {
				t.Fatalf("Deadline: got %v; want at least 4s", d)
			}
			for _, e := range s.Examples {
				ResolveSteps(e.Client, to)
			}
			_ = Select(all, []string{string(s.Family()), s.ID})
		}
	})
}
