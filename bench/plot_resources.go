package bench

import (
	"math"
	"sort"

	"github.com/gatecheck/gatecheck/bench/svgplot"
)

// Series colours of the resource plots.
const (
	plotColourRSS     = "#7e22ce"
	plotColourFDs     = "#1f4e9c"
	plotColourThreads = "#c2410c"
	plotColourProcs   = "#15803d"
)

// plotResourceDomain is the x domain shared by the resource plots: every sample,
// the warm-up and the measured window.
func plotResourceDomain(r *Report) (lo, hi float64) {
	lo, hi = 0, plotTimeDomain(r.Targets)
	if v, ok := svgplot.Clamp(-float64(r.Settings.WarmupMS) / 1000); ok && v < lo {
		lo = v
	}
	for _, t := range r.Targets {
		if t.Resources == nil {
			continue
		}
		for _, s := range t.Resources.Samples {
			if v, ok := svgplot.Clamp(s.T); ok {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	return lo, hi
}

// plotResourceKind is one of the resource plots: its figures share a y axis.
type plotResourceKind struct {
	kind, what, title string
	// whole is set for counts.
	whole  bool
	fields []plotResourceField
}

// plotResourceField is one figure of a sample.
type plotResourceField struct {
	// dash sets apart lines that may lie on one another (as many threads as
	// processes).
	key, label, colour, dash string
	rss                      bool
	get                      func(Sample) float64
}

// plotResourceKinds are the resource plots, in order: RSS, open files, threads
// and processes.
var plotResourceKinds = []plotResourceKind{
	{"rss-time", "resident memory", "RSS (MiB)", false, []plotResourceField{
		{"rss", "RSS", plotColourRSS, "", true, func(s Sample) float64 { return htmlMiB(s.RSSBytes) }}}},
	{"fds-time", "open files", "open files", true, []plotResourceField{
		{"fds", "open files", plotColourFDs, "", false, func(s Sample) float64 { return float64(s.FDs) }}}},
	{"threads-time", "threads and processes", "count", true, []plotResourceField{
		{"threads", "threads", plotColourThreads, "", false, func(s Sample) float64 { return float64(s.Threads) }},
		{"procs", "processes", plotColourProcs, "5 4", false, func(s Sample) float64 { return float64(s.Procs) }}}},
}

// plotResources are, for each of plotResourceKinds, each target's plot over the
// run, on one scale shared by the targets; a target whose processes were not
// sampled gets nil.
func plotResources(r *Report) [][]*plotSpec {
	lo, hi := plotResourceDomain(r)
	out := make([][]*plotSpec, len(plotResourceKinds))
	for k, rk := range plotResourceKinds {
		vals := svgplot.Extent{Whole: rk.whole}
		for _, t := range r.Targets {
			if t.Resources == nil {
				continue
			}
			for _, s := range t.Resources.Samples {
				for _, f := range rk.fields {
					vals.Add(f.get(s))
				}
			}
		}
		out[k] = make([]*plotSpec, len(r.Targets))
		for i, t := range r.Targets {
			if t.Error != "" || t.Resources == nil {
				continue
			}
			out[k][i] = plotResource(t, rk, vals, lo, hi)
		}
	}
	return out
}

// plotResource is one target's plot of one resource kind.
func plotResource(t TargetReport, rk plotResourceKind, vals svgplot.Extent, lo, hi float64) *plotSpec {
	var legend []svgplot.LegendEntry
	for _, f := range rk.fields {
		legend = append(legend, svgplot.LegendEntry{Label: f.label, Stroke: f.colour, Dash: f.dash, Class: "line"})
	}
	p := &plotSpec{Kind: rk.kind, Target: t.Target, Label: rk.what + " over the run, " + t.Target, Frame: svgplot.NewFrame(plotSmallH, legend, 0)}
	xs := p.LinearXAxis(lo, hi, "time from the measured window's start (s)")
	ys := p.YAxis(vals, false, svgplot.FormatTick, rk.title)
	p.windowMarks(xs, t, "settle")
	samples := append([]Sample(nil), t.Resources.Samples...)
	sort.SliceStable(samples, func(a, b int) bool { return samples[a].T < samples[b].T })
	for _, f := range rk.fields {
		pts := make([]svgplot.Point, len(samples))
		for j, s := range samples {
			pts[j] = svgplot.Point{X: s.T, Y: f.get(s)}
		}
		d := svgplot.Line(xs, ys, pts)
		if d == "" {
			continue
		}
		p.Series = append(p.Series, plotSeries{Key: f.key, Target: t.Target,
			Title: t.Target + " · " + f.label + ": " + htmlResourceChange(f.get(t.Resources.Before), f.get(t.Resources.After), f.rss),
			D:     d, Class: "line", Stroke: f.colour, Dash: f.dash, Fill: "none"})
	}
	if len(p.Series) == 0 {
		p.SetNote("no samples")
	}
	return p
}
