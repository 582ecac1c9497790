package bench

import (
	"math"
	"slices"
	"sort"
	"strconv"

	"github.com/gatecheck/gatecheck/bench/svgplot"
)

// plotSpectrumKey is one distribution plot: a scenario's outcome, over targets.
type plotSpectrumKey struct{ Scenario, Outcome string }

// plotSpectrumKeys are the (scenario, outcome) pairs of the report: scenarios in
// the mix's order (others after, as the targets first list them), and each
// scenario's outcomes as the targets first list them.
func plotSpectrumKeys(r *Report) []plotSpectrumKey {
	rank := map[string]int{}
	for i, m := range r.Settings.Mix {
		if _, ok := rank[m.ID]; !ok {
			rank[m.ID] = i
		}
	}
	seen := map[plotSpectrumKey]bool{}
	var keys []plotSpectrumKey
	for _, t := range r.Targets {
		for _, o := range t.Outcomes {
			k := plotSpectrumKey{o.Scenario, o.Outcome}
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	scenarioRank := func(s string) int {
		if i, ok := rank[s]; ok {
			return i
		}
		return len(rank)
	}
	// Stable: within a scenario (and among scenarios outside the mix) the first
	// listed stays first.
	firstOf := map[string]int{}
	for i, k := range keys {
		if _, ok := firstOf[k.Scenario]; !ok {
			firstOf[k.Scenario] = i
		}
	}
	sort.SliceStable(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if ra, rb := scenarioRank(a.Scenario), scenarioRank(b.Scenario); ra != rb {
			return ra < rb
		}
		return firstOf[a.Scenario] < firstOf[b.Scenario]
	})
	return keys
}

// plotSpectrumTitle names a scenario's outcome: "scenario → outcome", or the
// outcome alone in plain mode.
func plotSpectrumTitle(k plotSpectrumKey) string {
	if k.Scenario == "" {
		return k.Outcome
	}
	return k.Scenario + " → " + k.Outcome
}

// plotSpectrumEntry is one target's figures for a plot's outcome.
type plotSpectrumEntry struct {
	target int
	o      *OutcomeStats
}

// plotSpectrumEntries are the targets that have k's outcome, in the report's
// order.
func plotSpectrumEntries(r *Report, k plotSpectrumKey) []plotSpectrumEntry {
	var entries []plotSpectrumEntry
	for i := range r.Targets {
		t := &r.Targets[i]
		for j := range t.Outcomes {
			if o := &t.Outcomes[j]; o.Scenario == k.Scenario && o.Outcome == k.Outcome {
				entries = append(entries, plotSpectrumEntry{i, o})
				break
			}
		}
	}
	return entries
}

// plotSpectrumExtent is the x axis that shows the entries' spectra, decades up
// to the largest percentile below 100, and the latencies the y axis must show.
func plotSpectrumExtent(entries []plotSpectrumEntry) (plotSpectrumAxis, svgplot.Extent) {
	axis := plotSpectrumAxis{decades: plotSpectrumMinDecades}
	var vals svgplot.Extent
	for _, e := range entries {
		for _, sp := range e.o.Spectrum {
			if _, ok := svgplot.Clamp(sp.MS); !ok {
				continue
			}
			vals.Add(sp.MS)
			x, ok := plotSpectrumX(sp.Percentile)
			if !ok {
				axis.hasMax = axis.hasMax || !math.IsNaN(sp.Percentile)
				continue
			}
			if d := int(math.Ceil(x - 1e-9)); d > axis.decades {
				axis.decades = min(d, plotSpectrumMaxDecades)
			}
		}
	}
	return axis, vals
}

// plotSpectrumRef is a reference line: a declared timeout, in ms.
type plotSpectrumRef struct {
	name string
	ms   float64
}

// plotSpectrumRefs are the distinct declared timeouts the entries are measured
// against, sorted by value, then name.
func plotSpectrumRefs(entries []plotSpectrumEntry) []plotSpectrumRef {
	var refs []plotSpectrumRef
	for _, e := range entries {
		if e.o.Against == "" {
			continue
		}
		if v, ok := svgplot.Clamp(e.o.AgainstMS); ok && v > 0 {
			rf := plotSpectrumRef{e.o.Against, v}
			if !slices.Contains(refs, rf) {
				refs = append(refs, rf)
			}
		}
	}
	sort.Slice(refs, func(i, j int) bool {
		if refs[i].ms != refs[j].ms {
			return refs[i].ms < refs[j].ms
		}
		return refs[i].name < refs[j].name
	})
	return refs
}

// plotSpectrum is one scenario's outcome, one series per target that has it,
// with the declared timeout it is measured against as a reference line.
func plotSpectrum(r *Report, k plotSpectrumKey) *plotSpec {
	entries := plotSpectrumEntries(r, k)
	axis, vals := plotSpectrumExtent(entries)
	refs := plotSpectrumRefs(entries)
	for _, rf := range refs {
		vals.Add(rf.ms)
	}
	var legend []svgplot.LegendEntry
	for _, e := range entries {
		c, dash := svgplot.LineStyle(e.target)
		legend = append(legend, svgplot.LegendEntry{Label: r.Targets[e.target].Target, Stroke: c, Dash: dash, Class: "line"})
	}
	p := &plotSpec{Kind: "spectrum", Scenario: k.Scenario, Outcome: k.Outcome, Label: "latency distribution of " + plotSpectrumTitle(k),
		Frame: svgplot.NewFrame(plotH, legend, 0)}
	xs := p.XAxis(0, axis.end(), axis.ticks(), axis.label, "percentile (log scale of 1/(1−q))")
	ys := p.YAxis(vals, true, svgplot.FormatMSTick, "latency")
	for _, rf := range refs {
		p.Reference(ys, rf.ms, rf.name+" "+htmlDuration(rf.ms))
	}
	for _, e := range entries {
		d := svgplot.Line(xs, ys, axis.points(e.o.Spectrum))
		if d == "" {
			continue
		}
		t, o := r.Targets[e.target].Target, e.o
		c, dash := svgplot.LineStyle(e.target)
		p.Series = append(p.Series, plotSeries{Key: t, Target: t, Scenario: k.Scenario, Outcome: k.Outcome,
			Title: t + " · " + plotSpectrumTitle(k) + ": " + strconv.FormatInt(o.Count, 10) + " requests, p50 " +
				htmlMS(o.Latency.P50) + " ms, p99 " + htmlMS(o.Latency.P99) + " ms, max " + htmlMS(o.Latency.Max) + " ms",
			D: d, Class: "line", Stroke: c, Dash: dash, Fill: "none"})
	}
	if len(p.Series) == 0 {
		p.SetNote("no latency recorded")
	}
	return p
}
