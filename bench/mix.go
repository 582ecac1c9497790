package bench

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/gatecheck/gatecheck/scenarios"
)

// maxWeight bounds one mix entry's weight, so that the total stays far from
// overflowing.
const maxWeight = 1_000_000

// Mix is a parsed fault mix: scenarios and their weights, in the order given.
type Mix struct {
	// Entries are the ids and weights; Scenarios the scenarios they name, in
	// the same order.
	Entries   []MixEntry
	Scenarios []*scenarios.Scenario
	// cum holds the running sums of the weights; total is the last.
	cum   []uint64
	total uint64
}

// ParseMix reads a mix written as "id=weight,id=weight,…" (as
// "pass/ok=90,conn/reset-before-response=5,timeout/no-response=5"), with each
// id taken from catalogue. Weights are positive whole numbers, relative to one
// another. An unknown id, an id given twice and a scenario that sends
// follow-up requests (bench sends one request per scenario run) are errors.
func ParseMix(spec string, catalogue []*scenarios.Scenario) (*Mix, error) {
	byID := make(map[string]*scenarios.Scenario, len(catalogue))
	for _, sc := range catalogue {
		byID[sc.ID] = sc
	}
	m := &Mix{}
	for part := range strings.SplitSeq(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		id, w, ok := strings.Cut(part, "=")
		id, w = strings.TrimSpace(id), strings.TrimSpace(w)
		if !ok || id == "" {
			return nil, fmt.Errorf("--mix %q: want id=weight, as pass/ok=90", part)
		}
		weight, err := strconv.Atoi(w)
		if err != nil || weight < 1 || weight > maxWeight {
			return nil, fmt.Errorf("--mix %q: the weight must be a whole number from 1 to %d", part, maxWeight)
		}
		sc, ok := byID[id]
		if !ok {
			return nil, fmt.Errorf("--mix: unknown scenario %q (gatecheck list shows the ids)", id)
		}
		for _, e := range m.Entries {
			if e.ID == id {
				return nil, fmt.Errorf("--mix: scenario %q given twice", id)
			}
		}
		if len(sc.FollowUps) > 0 {
			return nil, fmt.Errorf("--mix: scenario %q sends %d follow-up request(s); bench sends one request per run, so only single-request scenarios can be mixed", id, len(sc.FollowUps))
		}
		m.total += uint64(weight)
		m.Entries = append(m.Entries, MixEntry{ID: id, Weight: weight})
		m.Scenarios = append(m.Scenarios, sc)
		m.cum = append(m.cum, m.total)
	}
	if len(m.Entries) == 0 {
		return nil, fmt.Errorf("--mix %q: no scenario; want id=weight,…, as pass/ok=90,conn/reset-before-response=10", spec)
	}
	return m, nil
}

// Pick returns the index of the entry request i gets. It depends on seed and i
// only — not on which connection sends the request, nor when — so the same
// seed gives the same fault order at any concurrency, in either mode. The
// draw is the first output of a PCG (math/rand/v2) seeded with (seed, i),
// scaled to the total weight.
func (m *Mix) Pick(seed, i int64) int {
	var p rand.PCG
	p.Seed(uint64(seed), uint64(i))
	v, _ := bits.Mul64(p.Uint64(), m.total)
	lo, hi := 0, len(m.cum)-1
	for lo < hi { // the first running sum above v
		mid := (lo + hi) / 2
		if m.cum[mid] > v {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// String writes the mix back as id=weight,….
func (m *Mix) String() string {
	parts := make([]string, len(m.Entries))
	for i, e := range m.Entries {
		parts[i] = e.ID + "=" + strconv.Itoa(e.Weight)
	}
	return strings.Join(parts, ",")
}
