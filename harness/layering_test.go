package harness

// The layering of gatecheck's rooms, as each package's doc states it: which
// of gatecheck's packages each may import. It lives here because harness is
// the room the others are arranged around.

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/gatecheck/gatecheck/"

// root is the module's root directory, from this package's.
const root = ".."

// imports lists the gatecheck packages the non-test files of package dir
// (relative to the module's root) import, sorted.
func imports(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, dir, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("%s: no Go files (%v)", dir, err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, im := range af.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			if rel, ok := strings.CutPrefix(p, module); ok {
				seen[rel] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// deps lists every gatecheck package dir imports, directly or not.
func deps(t *testing.T, dir string) []string {
	t.Helper()
	all := map[string]bool{}
	var walk func(string)
	walk = func(d string) {
		for _, p := range imports(t, d) {
			if !all[p] {
				all[p] = true
				walk(p)
			}
		}
	}
	walk(dir)
	out := make([]string, 0, len(all))
	for p := range all {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// TestOnlyImports checks the packages whose imports are a closed list.
func TestOnlyImports(t *testing.T) {
	for dir, allowed := range map[string][]string{
		"wire":  {"fakeupstream"},
		"judge": {"wire", "scenarios"},
	} {
		for _, p := range imports(t, dir) {
			if !slices.Contains(allowed, p) {
				t.Errorf("%s imports %s; it may import only %v of gatecheck's packages", dir, p, allowed)
			}
		}
	}
}

// TestNeverImports checks the packages that must not depend, even through
// another, on the packages built above them.
func TestNeverImports(t *testing.T) {
	for dir, never := range map[string][]string{
		"harness":   {"control", "targets", "matrix", "bench", "cmd/gatecheck", "suites"},
		"scenarios": {"harness", "judge", "wire"},
		"judge":     {"harness"},
		"wire":      {"harness", "judge", "scenarios"},
	} {
		for _, p := range deps(t, dir) {
			if slices.Contains(never, p) {
				t.Errorf("%s depends on %s, which it must never import", dir, p)
			}
		}
	}
}

// TestRulesCoverPackages fails when a rule names a package that is gone, so
// that a rename cannot leave a rule checking nothing.
func TestRulesCoverPackages(t *testing.T) {
	for _, dir := range []string{"wire", "judge", "harness", "scenarios", "control", "targets", "matrix", "bench", "cmd/gatecheck", "suites"} {
		if _, err := os.Stat(filepath.Join(root, dir)); err != nil {
			t.Errorf("%s: %v", dir, err)
		}
	}
}
