package bench

import (
	"sort"
	"strconv"

	"github.com/gatecheck/gatecheck/bench/svgplot"
)

// plotOutcomeOrder is every outcome word of the report, in the order the targets'
// outcome tables first list them, then any other a timeline has, sorted.
func plotOutcomeOrder(targets []TargetReport) []string {
	seen := map[string]bool{}
	var order, rest []string
	for _, t := range targets {
		for _, o := range t.Outcomes {
			if !seen[o.Outcome] {
				seen[o.Outcome] = true
				order = append(order, o.Outcome)
			}
		}
	}
	for _, t := range targets {
		for _, p := range t.Timeline {
			for o := range p.Completed {
				if !seen[o] {
					seen[o] = true
					rest = append(rest, o)
				}
			}
		}
	}
	sort.Strings(rest)
	return append(order, rest...)
}

// plotThroughputShared is what the throughput plots of a report share, so that
// they compare side by side: the time axis's end, the y axis's values, each
// outcome's colour, and the rows every legend takes.
type plotThroughputShared struct {
	end    float64
	vals   svgplot.Extent
	colour map[string]string
	rows   int
}

// plotThroughputTime are each target's completed requests per second, stacked
// by outcome, on one shared scale; a target that did not run gets nil.
func plotThroughputTime(targets []TargetReport) []*plotSpec {
	sh := plotThroughputShared{end: plotTimeDomain(targets), vals: svgplot.Extent{Whole: true}, colour: map[string]string{}}
	order := plotOutcomeOrder(targets)
	for i, o := range order {
		sh.colour[o] = svgplot.AreaColour(i)
	}
	for _, t := range targets {
		for _, p := range t.Timeline {
			sh.vals.Add(plotTimelineTotal(p))
		}
	}
	// Each target's outcomes, in the report's order, and its legend; the
	// legends take as many rows as the longest, so the plots line up.
	outcomes := make([][]string, len(targets))
	legends := make([][]svgplot.LegendEntry, len(targets))
	for i, t := range targets {
		outcomes[i] = plotThroughputOutcomes(t, order)
		for _, o := range outcomes[i] {
			legends[i] = append(legends[i], svgplot.LegendEntry{Label: o, Stroke: sh.colour[o], Fill: sh.colour[o], Class: "area", Area: true})
		}
		if t.Error == "" {
			sh.rows = max(sh.rows, svgplot.LegendRows(legends[i]))
		}
	}
	out := make([]*plotSpec, len(targets))
	for i, t := range targets {
		if t.Error == "" {
			out[i] = plotThroughput(t, outcomes[i], legends[i], sh)
		}
	}
	return out
}

// plotThroughputOutcomes are the outcomes of order that t completed at least
// once in some second of its timeline.
func plotThroughputOutcomes(t TargetReport, order []string) []string {
	var mine []string
	for _, o := range order {
		for _, p := range t.Timeline {
			if c, ok := p.Completed[o]; ok && c > 0 {
				mine = append(mine, o)
				break
			}
		}
	}
	return mine
}

// plotThroughput is one target's throughput over time, an area for each of its
// outcomes, stacked in their order.
func plotThroughput(t TargetReport, outcomes []string, legend []svgplot.LegendEntry, sh plotThroughputShared) *plotSpec {
	p := &plotSpec{Kind: "throughput-time", Target: t.Target, Label: "completed requests per second by outcome, " + t.Target,
		Frame: svgplot.NewFrame(plotSmallH, legend, sh.rows)}
	xs := p.LinearXAxis(0, sh.end, "time in the measured window (s)")
	p.windowMarks(xs, t, "drain")
	ys := p.YAxis(sh.vals, false, svgplot.FormatTick, "completed / s")
	// Each second is a step from T to T+1; the outcomes stack in order.
	var xv []float64
	var pts []TimePoint
	for _, tp := range plotTimeline(t) {
		if _, ok := svgplot.Clamp(tp.T); !ok {
			continue
		}
		xv = append(xv, tp.T, tp.T+1)
		pts = append(pts, tp)
	}
	bottom := make([]float64, len(xv))
	for _, o := range outcomes {
		top := make([]float64, len(xv))
		var sum float64
		for j, tp := range pts {
			c := float64(max(tp.Completed[o], 0))
			top[2*j], top[2*j+1] = bottom[2*j]+c, bottom[2*j+1]+c
			sum += c
		}
		p.Series = append(p.Series, plotSeries{Key: o, Target: t.Target, Outcome: o,
			Title: t.Target + " · " + o + ": " + strconv.FormatFloat(sum, 'f', 0, 64) + " completed",
			D:     svgplot.Area(xs, ys, xv, top, bottom), Class: "area", Stroke: sh.colour[o], Fill: sh.colour[o]})
		bottom = top
	}
	if len(p.Series) == 0 {
		p.SetNote("no request completed in the measured window")
	}
	return p
}
