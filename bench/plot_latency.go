package bench

import "github.com/gatecheck/gatecheck/bench/svgplot"

// Series colours of the latency plot.
const (
	plotColourP50 = "#1f4e9c"
	plotColourP99 = "#c2410c"
	plotColourMax = "#71717a"
)

// plotTimelineX is the x of a timeline point: the middle of its second.
func plotTimelineX(p TimePoint) float64 { return p.T + 0.5 }

// plotTimelineHasLatency tells whether a second's latencies mean anything: some
// request completed in it.
func plotTimelineHasLatency(p TimePoint) bool {
	return plotTimelineTotal(p) > 0 || p.Max > 0
}

// plotLatencyTime are each target's p50, p99 and max per second, on one
// shared scale; a target that did not run gets nil.
func plotLatencyTime(targets []TargetReport) []*plotSpec {
	end := plotTimeDomain(targets)
	var vals svgplot.Extent
	for _, t := range targets {
		for _, p := range t.Timeline {
			if plotTimelineHasLatency(p) {
				vals.Add(p.P50)
				vals.Add(p.P99)
				vals.Add(p.Max)
			}
		}
	}
	out := make([]*plotSpec, len(targets))
	for i, t := range targets {
		if t.Error == "" {
			out[i] = plotLatency(t, vals, end)
		}
	}
	return out
}

// plotLatency is one target's latency over time: its x axis from 0 to end
// seconds, its y axis over vals.
func plotLatency(t TargetReport, vals svgplot.Extent, end float64) *plotSpec {
	legend := []svgplot.LegendEntry{{Label: "p50", Stroke: plotColourP50, Class: "line"}, {Label: "p99", Stroke: plotColourP99, Class: "line"}, {Label: "max", Stroke: plotColourMax, Class: "faint"}}
	p := &plotSpec{Kind: "latency-time", Target: t.Target, Label: "latency over time, " + t.Target, Frame: svgplot.NewFrame(plotH, legend, 0)}
	xs := p.LinearXAxis(0, end, "time in the measured window (s)")
	p.windowMarks(xs, t, "drain")
	ys := p.YAxis(vals, true, svgplot.FormatMSTick, "latency")
	// A second in which nothing completed breaks the lines.
	var p50, p99, pmax []svgplot.Point
	brk := false
	for _, tp := range plotTimeline(t) {
		if !plotTimelineHasLatency(tp) {
			brk = true
			continue
		}
		x := plotTimelineX(tp)
		p50 = append(p50, svgplot.Point{X: x, Y: tp.P50, Break: brk})
		p99 = append(p99, svgplot.Point{X: x, Y: tp.P99, Break: brk})
		pmax = append(pmax, svgplot.Point{X: x, Y: tp.Max, Break: brk})
		brk = false
	}
	for _, s := range []struct {
		key, colour, class string
		pts                []svgplot.Point
	}{{"max", plotColourMax, "faint", pmax}, {"p99", plotColourP99, "line", p99}, {"p50", plotColourP50, "line", p50}} {
		d := svgplot.Line(xs, ys, s.pts)
		if d == "" {
			continue
		}
		p.Series = append(p.Series, plotSeries{Key: s.key, Target: t.Target, Title: t.Target + " · " + s.key + " per second",
			D: d, Class: s.class, Stroke: s.colour, Fill: "none"})
	}
	if len(p.Series) == 0 {
		p.SetNote("no request completed in the measured window")
	}
	return p
}
