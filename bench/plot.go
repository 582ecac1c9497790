package bench

import (
	"sort"

	"github.com/gatecheck/gatecheck/bench/svgplot"
)

// The HTML report's plots are SVG drawn by hand. svgplot lays out each plot's
// frame, axes and paths as strings; the files plot_*.go choose, from the
// report, what each plot shows, one file a plot; the page's template only
// places the strings, so html/template escapes each of them (a target's name
// in a legend or a <title> stays text).

// Plot heights, legend excluded, in the SVG's user units.
const (
	plotH      = 230 // of a latency plot
	plotSmallH = 180 // of a throughput or resource plot
)

// plotSpec is one SVG plot, ready to draw: its frame, and what bench knows of
// it.
type plotSpec struct {
	// Kind is the plot's data-plot attribute: latency-time, throughput-time,
	// spectrum, rss-time, fds-time or threads-time.
	Kind string
	// Target, Scenario and Outcome say what the plot covers (data- attributes);
	// Target is empty for a plot that overlays targets.
	Target, Scenario, Outcome string
	// Label is the SVG's accessible name.
	Label string
	svgplot.Frame
	Series []plotSeries
}

// plotSeries is one path: a line (Fill "none") or a stacked area.
type plotSeries struct {
	// Key names the series for data-series: p50, p99, max, an outcome, fds, ….
	Key                       string
	Target, Scenario, Outcome string
	// Title is the hover text.
	Title string
	D     string
	// Class is line, faint or area.
	Class  string
	Stroke string
	Fill   string
	Dash   string
}

// plotTimelineTotal is the requests completed in the second.
func plotTimelineTotal(p TimePoint) float64 {
	// Summed in the outcomes' order, so that rounding (of counts beyond 2^53)
	// cannot depend on the map's.
	keys := make([]string, 0, len(p.Completed))
	for o := range p.Completed {
		keys = append(keys, o)
	}
	sort.Strings(keys)
	var n float64
	for _, o := range keys {
		n += float64(max(p.Completed[o], 0))
	}
	return n
}

// plotTimeline is t's timeline in time order.
func plotTimeline(t TargetReport) []TimePoint {
	tl := append([]TimePoint(nil), t.Timeline...)
	sort.SliceStable(tl, func(i, j int) bool { return tl[i].T < tl[j].T })
	return tl
}

// plotTimeDomain is the x domain shared by the plots over the measured window: from
// 0 to the longest window (or last second) of any target.
func plotTimeDomain(targets []TargetReport) float64 {
	end := 0.0
	for _, t := range targets {
		if v, ok := svgplot.Clamp(float64(t.ElapsedMS) / 1000); ok && v > end {
			end = v
		}
		for _, p := range t.Timeline {
			if v, ok := svgplot.Clamp(p.T + 1); ok && v > end {
				end = v
			}
		}
	}
	if !(end > 0) {
		end = 1
	}
	return end
}

// plotWindowEnd is the end of t's measured window in seconds, or, when it
// has none, the end of its timeline.
func plotWindowEnd(t TargetReport) float64 {
	end := float64(t.ElapsedMS) / 1000
	if v, ok := svgplot.Clamp(end); !ok || v <= 0 {
		end = plotTimeDomain([]TargetReport{t})
	}
	return end
}

// windowMarks shades, on a plot over time, the warm-up before t's
// measured window and what follows it (after: the drain of the requests still
// in flight when it closed, or the settle time of a resource plot), and rules
// the window's bounds.
func (p *plotSpec) windowMarks(xs svgplot.Scale, t TargetReport, after string) {
	p.MarkWindow(xs, 0, plotWindowEnd(t), "warm-up", after)
}
