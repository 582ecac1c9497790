package bench

import (
	"math"
	"strings"
	"testing"

	"github.com/gatecheck/gatecheck/scenarios"
)

func TestParseMixErrors(t *testing.T) {
	tests := []struct {
		name, spec string
		want       []string // in the error
	}{
		{"empty", "", []string{"no scenario"}},
		{"only commas", " , ,", []string{"no scenario"}},
		{"no weight", "pass/ok", []string{`"pass/ok"`, "id=weight"}},
		{"no id", "=5", []string{`"=5"`, "id=weight"}},
		{"zero weight", "pass/ok=0", []string{"pass/ok=0", "whole number"}},
		{"negative weight", "pass/ok=-3", []string{"pass/ok=-3", "whole number"}},
		{"fractional weight", "pass/ok=1.5", []string{"pass/ok=1.5", "whole number"}},
		{"huge weight", "pass/ok=99999999", []string{"1000000"}},
		{"unknown id", "pass/ok=9,pass/okk=1", []string{`"pass/okk"`, "gatecheck list"}},
		{"duplicate", "pass/ok=9,pass/ok=1", []string{`"pass/ok"`, "twice"}},
		{"follow-ups", "framing/te-in-http10=1", []string{`"framing/te-in-http10"`, "follow-up", "single-request"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseMix(tt.spec, scenarios.Builtin())
			if err == nil {
				t.Fatalf("ParseMix(%q) = %v; want an error", tt.spec, m.Entries)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("ParseMix(%q): got %q; want it to mention %q", tt.spec, err, w)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("ParseMix(%q): got %q; want one line", tt.spec, err)
			}
		})
	}
}

func TestParseMix(t *testing.T) {
	m := mustMix(t, " pass/ok=90, conn/reset-before-response = 5,timeout/no-response=5 ")
	if got, want := m.String(), "pass/ok=90,conn/reset-before-response=5,timeout/no-response=5"; got != want {
		t.Errorf("mix: got %s; want %s", got, want)
	}
	for i, sc := range m.Scenarios {
		if sc.ID != m.Entries[i].ID {
			t.Errorf("entry %d: scenario %s; want %s", i, sc.ID, m.Entries[i].ID)
		}
	}
}

// TestPickReproducible checks that the i-th pick depends on the seed and i
// alone, that another seed gives another order, and that the shares follow
// the weights.
func TestPickReproducible(t *testing.T) {
	m := mustMix(t, "pass/ok=90,conn/reset-before-response=5,timeout/no-response=5")
	const n = 200_000
	counts := make([]int, len(m.Entries))
	differ := 0
	for i := range int64(n) {
		p := m.Pick(42, i)
		if again := m.Pick(42, i); again != p {
			t.Fatalf("Pick(42, %d): got %d, then %d", i, p, again)
		}
		if m.Pick(43, i) != p {
			differ++
		}
		counts[p]++
	}
	for i, e := range m.Entries {
		got, want := float64(counts[i])/n, float64(e.Weight)/100
		if math.Abs(got-want) > 0.005 {
			t.Errorf("%s: share %.4f; want %.2f ± 0.005", e.ID, got, want)
		}
	}
	// Two independent draws from this mix agree with probability
	// 0.9² + 2 × 0.05² = 0.815.
	if frac := float64(differ) / n; frac < 0.15 || frac > 0.22 {
		t.Errorf("seeds 42 and 43 differ on %.3f of picks; want about 0.185", frac)
	}
	// No short cycles or runs: consecutive picks of the rare entries are as
	// often together as chance says (0.05² of pairs each).
	pairs := 0
	for i := range int64(n - 1) {
		if m.Pick(42, i) == 1 && m.Pick(42, i+1) == 1 {
			pairs++
		}
	}
	if frac := float64(pairs) / n; frac > 0.004 {
		t.Errorf("consecutive conn/reset picks: %.4f of pairs; want about 0.0025", frac)
	}
}

func BenchmarkMixPick(b *testing.B) {
	m := mustMix(b, "pass/ok=90,conn/reset-before-response=5,timeout/no-response=5")
	b.ReportAllocs()
	for i := range int64(b.N) {
		_ = m.Pick(1, i)
	}
}
