package scenarios

import (
	"fmt"
	"strings"
	"testing"
)

// strictH2Examples makes TestBuiltinH2Examples fail, rather than log, for a
// scenario without its h2 examples: set it once the catalogue has them all.
const strictH2Examples = false

// TestBuiltinH2Examples checks that every built-in scenario that runs over h2
// has at least one passing and one failing h2 example. While the catalogue is
// being filled it reports the ids still missing them instead of failing.
func TestBuiltinH2Examples(t *testing.T) {
	if err := BuiltinErr(); err != nil {
		t.Skip("the catalogue does not load; TestBuiltin reports why")
	}
	var missing []string
	runs := 0
	for _, s := range Builtin() {
		if !s.RunsOn(ClientH2) {
			continue
		}
		runs++
		var pass, fail int
		for _, e := range s.Examples {
			switch {
			case e.Protocol() != ClientH2:
			case e.Verdict == VerdictPass:
				pass++
			case e.Verdict == VerdictFail:
				fail++
			}
		}
		if pass == 0 || fail == 0 {
			missing = append(missing, fmt.Sprintf("%s (%s: %d pass, %d fail)", s.ID, s.Source, pass, fail))
		}
	}
	if len(missing) == 0 {
		return
	}
	report := t.Logf
	if strictH2Examples {
		report = t.Errorf
	}
	report("%d of the %d built-in scenarios that run over h2 lack a passing and a failing h2 example:\n  %s",
		len(missing), runs, strings.Join(missing, "\n  "))
}
