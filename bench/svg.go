package bench

import (
	"math"
	"sort"
	"strconv"
	"strings"
)

// The HTML report's plots are SVG drawn by hand. Go computes every coordinate,
// tick and label into a plotSpec; the page's template only places those strings,
// so html/template escapes each of them (a target's name in a legend or a
// <title> stays text). Every number goes through svgNum, which writes no NaN or
// Inf: a value that is not finite is never plotted, and a finite one is clamped
// to ±plotMax so that no arithmetic on it overflows.

// plotMax bounds the values a plot scales: beyond it a value is drawn as if it
// were plotMax (1e300 ms is already far past any timeout).
const plotMax = 1e300

// Plot geometry, in the SVG's user units; the page scales the SVG to its column.
const (
	plotW            = 460 // width of every plot
	plotH            = 230 // height of a plot without its legend
	plotSmallH       = 180 // height of a throughput or resource plot
	plotLeft         = 58  // room for the y tick labels and the y axis title
	plotRight        = 14
	plotTop          = 10 // above the plot area, below the legend
	plotBottom       = 38 // room for the x tick labels and the x axis title
	plotLegendRow    = 16 // height of one row of the legend
	plotLegendChar   = 6.2
	plotLegendSample = 20 // length of a legend's line sample
)

// plotSpec is one SVG plot, ready to draw.
type plotSpec struct {
	// Kind is the plot's data-plot attribute: latency-time, throughput-time,
	// spectrum, rss-time, fds-time or threads-time.
	Kind string
	// Target, Scenario and Outcome say what the plot covers (data- attributes);
	// Target is empty for a plot that overlays targets.
	Target, Scenario, Outcome string
	// Label is the SVG's accessible name.
	Label string
	W, H  int
	// X0, X1, Y0, Y1 bound the plot area (Y0 is its top).
	X0, X1, Y0, Y1 string
	// FrameW and FrameH are the plot area's width and height.
	FrameW, FrameH string
	XTicks, YTicks []plotTick
	XTitle, YTitle plotText
	Bands          []plotBand
	Rules          []plotRule
	Series         []plotSeries
	Legend         []plotLegend
	// Note is written in the middle of an empty plot.
	Note *plotText
}

// plotTick is one tick: its gridline at Pos, its label at LX, LY.
type plotTick struct {
	Pos, LX, LY, Label string
}

// plotText is a label and where it goes (the y axis title is turned a
// quarter left about that point).
type plotText struct {
	X, Y, Text string
}

// plotBand is a shaded stretch of the x axis (warm-up, settle).
type plotBand struct {
	X, W, LX, LY, Label string
}

// plotRule is a reference line (a declared timeout, the measured window's
// bounds) with its label.
type plotRule struct {
	X1, Y1, X2, Y2 string
	LX, LY, Anchor string
	Label          string
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

// plotLegend is one entry of a plot's legend: a sample line (or a filled box
// for an area) from X1 to X2 at Y, and the label at LX.
type plotLegend struct {
	X1, X2, Y, LX, LY string
	BoxY              string
	Area              bool
	Stroke, Fill      string
	Dash              string
	Class             string
	Label             string
	// Title is the full label when Label was shortened.
	Title string
}

// plotPoint is a point in data units; a point with Break set starts a new
// stretch of the line (the one before it is not joined to it).
type plotPoint struct {
	X, Y  float64
	Break bool
}

// svgNum formats a coordinate with one decimal; a value that is not finite
// (which the scales never return) is written as 0 rather than as NaN.
func svgNum(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "0"
	}
	s := strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
	if s == "-0" {
		return "0"
	}
	return s
}

// plotValue returns v clamped to ±plotMax, and false when v is not finite.
func plotValue(v float64) (float64, bool) {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return 0, false
	case v > plotMax:
		return plotMax, true
	case v < -plotMax:
		return -plotMax, true
	}
	return v, true
}

// plotScale maps a value in [Lo, Hi] linearly, or on a log scale, to [A, B].
type plotScale struct {
	Log    bool
	Lo, Hi float64
	A, B   float64
}

// at is v's position; values outside the domain are clamped to its ends (on a
// log scale, zero and below sit at the bottom).
func (s plotScale) at(v float64) float64 {
	var t float64
	if s.Log {
		if !(v > s.Lo) {
			v = s.Lo
		}
		t = (math.Log10(v) - math.Log10(s.Lo)) / (math.Log10(s.Hi) - math.Log10(s.Lo))
	} else {
		t = (v - s.Lo) / (s.Hi - s.Lo)
	}
	if !(t >= 0) { // also NaN
		t = 0
	}
	if t > 1 {
		t = 1
	}
	return s.A + t*(s.B-s.A)
}

// plotNiceStep is a round step (1, 2 or 5 times a power of ten) near span/n, and
// that power of ten.
func plotNiceStep(span float64, n int) (float64, int) {
	if !(span > 0) {
		return 1, 0
	}
	raw := span / float64(n)
	e := int(math.Floor(math.Log10(raw)))
	f := raw / math.Pow(10, float64(e))
	var m float64
	switch {
	case f <= 1:
		m = 1
	case f <= 2:
		m = 2
	case f <= 5:
		m = 5
	default:
		m, e = 1, e+1
	}
	return m * math.Pow(10, float64(e)), e
}

// plotLinearTicks returns the multiples of a round step within [lo, hi], about n
// of them, and the step's decimal places.
func plotLinearTicks(lo, hi float64, n int) ([]float64, int) {
	step, e := plotNiceStep(hi-lo, n)
	first := math.Ceil(lo/step - 1e-9)
	var ticks []float64
	for i := 0; i < 4*n+4; i++ {
		v := (first + float64(i)) * step
		if v > hi+step*1e-9 {
			break
		}
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		ticks = append(ticks, v)
	}
	return ticks, max(0, -e)
}

// plotAxisValues are the values an axis must show.
type plotAxisValues struct {
	max, minPos float64
	// whole is set for counts, whose ticks are whole numbers.
	whole bool
}

// add takes v into account unless it is not finite.
func (a *plotAxisValues) add(v float64) {
	v, ok := plotValue(v)
	if !ok {
		return
	}
	if v > a.max {
		a.max = v
	}
	if v > 0 {
		v = math.Max(v, 1e-6)
		if a.minPos == 0 || v < a.minPos {
			a.minPos = v
		}
	}
}

// yScale is a value axis from A (bottom) to B (top) over the values in a: a
// log scale when allowLog and the positive values span more than two decades,
// otherwise linear from 0 to a round value above the largest. It returns the
// scale and its ticks' values and decimal places (-1: as few as each needs).
func (a plotAxisValues) yScale(bottom, top float64, allowLog bool) (plotScale, []float64, int) {
	if allowLog && a.minPos > 0 && a.max/a.minPos > 100 {
		e0 := math.Floor(math.Log10(a.minPos))
		e1 := math.Ceil(math.Log10(a.max))
		if e1 <= e0 {
			e1 = e0 + 1
		}
		k := math.Ceil((e1 - e0) / 6)
		e1 = e0 + k*math.Ceil((e1-e0)/k)
		var ticks []float64
		for e := e0; e <= e1; e += k {
			ticks = append(ticks, math.Pow(10, e))
		}
		return plotScale{Log: true, Lo: math.Pow(10, e0), Hi: math.Pow(10, e1), A: bottom, B: top}, ticks, -1
	}
	// A little headroom, so that a line at the largest value stays off the
	// frame; whole counts get whole ticks.
	hi := a.max * 1.05
	if !(hi > 0) {
		hi = 1
	}
	step, e := plotNiceStep(hi, 5)
	if a.whole && step < 1 {
		step, e = 1, 0
	}
	hi = math.Ceil(hi/step-1e-9) * step
	var ticks []float64
	for i := 0; i <= 50; i++ {
		v := float64(i) * step
		if v > hi+step*1e-9 {
			break
		}
		ticks = append(ticks, v)
	}
	return plotScale{Lo: 0, Hi: hi, A: bottom, B: top}, ticks, max(0, -e)
}

// svgTick writes a tick value with dec decimal places (-1: as few as it
// needs), very large or very small ones as 2e300, thousands and millions with k
// and M.
func svgTick(v float64, dec int) string {
	a := math.Abs(v)
	switch {
	case v == 0:
		return "0"
	case a >= 1e9 || a < 1e-4:
		e := math.Floor(math.Log10(a))
		m := v / math.Pow(10, e)
		return strconv.FormatFloat(math.Round(m*100)/100, 'f', -1, 64) + "e" + strconv.Itoa(int(e))
	case a >= 1e6:
		return strconv.FormatFloat(math.Round(v/1e4)/100, 'f', -1, 64) + "M"
	case a >= 1e3:
		return strconv.FormatFloat(math.Round(v/10)/100, 'f', -1, 64) + "k"
	}
	return strconv.FormatFloat(v, 'f', min(dec, 6), 64)
}

// svgMSTick writes a latency tick in ms or, from a second, in s.
func svgMSTick(ms float64, dec int) string {
	if math.Abs(ms) >= 1000 {
		// Ticks from a second up are whole tenths of a second at least.
		return svgTick(math.Round(ms)/1000, -1) + " s"
	}
	return svgTick(ms, dec) + " ms"
}

// plotFrame is the geometry of one plot being built.
type plotFrame struct {
	spec           *plotSpec
	x0, x1, y0, y1 float64
}

// newPlotFrame starts a plot of height h (legend excluded) whose legend has the
// given entries, in at least minRows rows (so that plots side by side line up).
func newPlotFrame(kind string, legend []plotLegendEntry, h float64, minRows int) *plotFrame {
	rows := max(plotLegendRows(legend), minRows)
	top := float64(plotTop)
	if rows > 0 {
		top += float64(rows*plotLegendRow) + 4
	}
	p := &plotFrame{spec: &plotSpec{Kind: kind, W: plotW}, x0: plotLeft, x1: plotW - plotRight, y0: top}
	p.y1 = top + h - plotTop - plotBottom
	p.spec.H = int(math.Ceil(p.y1 + plotBottom))
	p.spec.X0, p.spec.X1, p.spec.Y0, p.spec.Y1 = svgNum(p.x0), svgNum(p.x1), svgNum(p.y0), svgNum(p.y1)
	p.spec.FrameW, p.spec.FrameH = svgNum(p.x1-p.x0), svgNum(p.y1-p.y0)
	p.legend(legend)
	return p
}

// plotLegendEntry is one legend item before layout.
type plotLegendEntry struct {
	Label, Stroke, Fill, Dash, Class string
	Area                             bool
}

// legendMaxChars shortens a legend's labels; the full one is its <title>.
const plotLegendMaxChars = 48

// plotLegendWidth is an entry's width in the legend.
func plotLegendWidth(label string) float64 {
	n := min(len([]rune(label)), plotLegendMaxChars)
	return plotLegendSample + 5 + float64(n)*plotLegendChar + 14
}

// plotLegendRows is the number of rows the legend takes.
func plotLegendRows(entries []plotLegendEntry) int {
	rows, x := 0, float64(plotW)
	for _, e := range entries {
		w := plotLegendWidth(e.Label)
		if x+w > plotW-plotRight && x > plotLeft {
			rows, x = rows+1, plotLeft
		}
		x += w
	}
	return rows
}

// legend lays the entries out in rows above the plot area.
func (p *plotFrame) legend(entries []plotLegendEntry) {
	row, x := -1, float64(plotW)
	for _, e := range entries {
		w := plotLegendWidth(e.Label)
		if x+w > plotW-plotRight && x > plotLeft {
			row, x = row+1, plotLeft
		}
		y := float64(plotTop) + float64(row)*plotLegendRow + plotLegendRow/2
		label, title := e.Label, ""
		if r := []rune(label); len(r) > plotLegendMaxChars {
			label, title = string(r[:plotLegendMaxChars-1])+"…", e.Label
		}
		p.spec.Legend = append(p.spec.Legend, plotLegend{
			X1: svgNum(x), X2: svgNum(x + plotLegendSample), Y: svgNum(y), BoxY: svgNum(y - 5),
			LX: svgNum(x + plotLegendSample + 5), LY: svgNum(y + 4),
			Area: e.Area, Stroke: e.Stroke, Fill: e.Fill, Dash: e.Dash, Class: e.Class, Label: label, Title: title,
		})
		x += w
	}
}

// xAxis sets the x scale's ticks and title; labels formats each tick.
func (p *plotFrame) xAxis(s plotScale, ticks []float64, label func(float64) string, title string) {
	for _, v := range ticks {
		x := s.at(v)
		p.spec.XTicks = append(p.spec.XTicks, plotTick{Pos: svgNum(x), LX: svgNum(x), LY: svgNum(p.y1 + 14), Label: label(v)})
	}
	p.spec.XTitle = plotText{X: svgNum((p.x0 + p.x1) / 2), Y: svgNum(p.y1 + 31), Text: title}
}

// yAxis sets the y scale's ticks and title.
func (p *plotFrame) yAxis(s plotScale, ticks []float64, label func(float64) string, title string) {
	for _, v := range ticks {
		y := s.at(v)
		p.spec.YTicks = append(p.spec.YTicks, plotTick{Pos: svgNum(y), LX: svgNum(p.x0 - 5), LY: svgNum(y + 3.5), Label: label(v)})
	}
	p.spec.YTitle = plotText{X: "13", Y: svgNum((p.y0 + p.y1) / 2), Text: title}
}

// note writes text in the middle of the plot area.
func (p *plotFrame) note(text string) {
	p.spec.Note = &plotText{X: svgNum((p.x0 + p.x1) / 2), Y: svgNum((p.y0 + p.y1) / 2), Text: text}
}

// svgLine is the path through pts, each stretch a run of L commands; a lone point
// is a zero-length stretch, which the round line cap draws as a dot. Points
// with a coordinate that is not finite are skipped and break the line.
func svgLine(xs, ys plotScale, pts []plotPoint) string {
	var b strings.Builder
	n := 0 // points in the open stretch
	end := func() {
		if n == 1 {
			b.WriteString("h0")
		}
		n = 0
	}
	var lastX, lastY string
	for _, pt := range pts {
		x, okx := plotValue(pt.X)
		y, oky := plotValue(pt.Y)
		if !okx || !oky {
			end()
			continue
		}
		sx, sy := svgNum(xs.at(x)), svgNum(ys.at(y))
		if pt.Break {
			end()
		}
		switch {
		case n == 0:
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString("M" + sx + " " + sy)
			n = 1
		case sx != lastX || sy != lastY:
			b.WriteString("L" + sx + " " + sy)
			n++
		}
		lastX, lastY = sx, sy
	}
	end()
	return b.String()
}

// svgArea is the closed path between the lines top and bottom, which run over the
// same xs.
func svgArea(xs, ys plotScale, xv, top, bottom []float64) string {
	var b strings.Builder
	for i := range xv {
		cmd := "L"
		if i == 0 {
			cmd = "M"
		}
		b.WriteString(cmd + svgNum(xs.at(xv[i])) + " " + svgNum(ys.at(top[i])))
	}
	for i := len(xv) - 1; i >= 0; i-- {
		b.WriteString("L" + svgNum(xs.at(xv[i])) + " " + svgNum(ys.at(bottom[i])))
	}
	if b.Len() > 0 {
		b.WriteString("Z")
	}
	return b.String()
}

// Colours. Targets take the strong ones, in the report's order; outcomes and a
// per-target plot's own series take their own.
var (
	plotTargetColours  = []string{"#1f4e9c", "#c2410c", "#15803d", "#7e22ce", "#0e7490", "#a16207", "#be123c", "#334155"}
	plotTargetDashes   = []string{"", "6 3", "2 3", "8 3 2 3"}
	plotOutcomeColours = []string{"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"}
)

// plotTargetStyle is target i's colour and dash: the colours, then the colours
// again dashed.
func plotTargetStyle(i int) (colour, dash string) {
	return plotTargetColours[i%len(plotTargetColours)], plotTargetDashes[(i/len(plotTargetColours))%len(plotTargetDashes)]
}

// plotTimelineX is the x of a timeline point: the middle of its second.
func plotTimelineX(p TimePoint) float64 { return p.T + 0.5 }

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

// plotTimelineHasLatency tells whether a second's latencies mean anything: some
// request completed in it.
func plotTimelineHasLatency(p TimePoint) bool {
	return plotTimelineTotal(p) > 0 || p.Max > 0
}

// plotTimeDomain is the x domain shared by the plots over the measured window: from
// 0 to the longest window (or last second) of any target.
func plotTimeDomain(targets []TargetReport) float64 {
	end := 0.0
	for _, t := range targets {
		if v, ok := plotValue(float64(t.ElapsedMS) / 1000); ok && v > end {
			end = v
		}
		for _, p := range t.Timeline {
			if v, ok := plotValue(p.T + 1); ok && v > end {
				end = v
			}
		}
	}
	if !(end > 0) {
		end = 1
	}
	return end
}

// timeAxis sets a time x axis over [lo, hi] seconds.
func (p *plotFrame) timeAxis(lo, hi float64, title string) plotScale {
	xs := plotScale{Lo: lo, Hi: hi, A: p.x0, B: p.x1}
	ticks, dec := plotLinearTicks(lo, hi, 6)
	p.xAxis(xs, ticks, func(v float64) string { return svgTick(v, dec) }, title)
	return xs
}

// Series colours of the per-target plots.
const (
	plotColourP50     = "#1f4e9c"
	plotColourP99     = "#c2410c"
	plotColourMax     = "#71717a"
	plotColourRSS     = "#7e22ce"
	plotColourFDs     = "#1f4e9c"
	plotColourThreads = "#c2410c"
	plotColourProcs   = "#15803d"
)

// plotLatencyTime are each target's p50, p99 and max per second, on one
// shared scale; a target that did not run gets nil.
func plotLatencyTime(targets []TargetReport) []*plotSpec {
	end := plotTimeDomain(targets)
	var vals plotAxisValues
	for _, t := range targets {
		for _, p := range t.Timeline {
			if plotTimelineHasLatency(p) {
				vals.add(p.P50)
				vals.add(p.P99)
				vals.add(p.Max)
			}
		}
	}
	out := make([]*plotSpec, len(targets))
	for i, t := range targets {
		if t.Error != "" {
			continue
		}
		legend := []plotLegendEntry{{Label: "p50", Stroke: plotColourP50, Class: "line"}, {Label: "p99", Stroke: plotColourP99, Class: "line"}, {Label: "max", Stroke: plotColourMax, Class: "faint"}}
		p := newPlotFrame("latency-time", legend, plotH, 0)
		p.spec.Target = t.Target
		p.spec.Label = "latency over time, " + t.Target
		xs := p.timeAxis(0, end, "time in the measured window (s)")
		p.windowMarks(xs, plotWindowEnd(t), "drain")
		ys, ticks, dec := vals.yScale(p.y1, p.y0, true)
		p.yAxis(ys, ticks, func(v float64) string { return svgMSTick(v, dec) }, "latency")
		var p50, p99, pmax []plotPoint
		brk := false
		for _, tp := range plotTimeline(t) {
			if !plotTimelineHasLatency(tp) {
				brk = true
				continue
			}
			x := plotTimelineX(tp)
			p50 = append(p50, plotPoint{X: x, Y: tp.P50, Break: brk})
			p99 = append(p99, plotPoint{X: x, Y: tp.P99, Break: brk})
			pmax = append(pmax, plotPoint{X: x, Y: tp.Max, Break: brk})
			brk = false
		}
		for _, s := range []struct {
			key, colour, class string
			pts                []plotPoint
		}{{"max", plotColourMax, "faint", pmax}, {"p99", plotColourP99, "line", p99}, {"p50", plotColourP50, "line", p50}} {
			d := svgLine(xs, ys, s.pts)
			if d == "" {
				continue
			}
			p.spec.Series = append(p.spec.Series, plotSeries{Key: s.key, Target: t.Target, Title: t.Target + " · " + s.key + " per second",
				D: d, Class: s.class, Stroke: s.colour, Fill: "none"})
		}
		if len(p.spec.Series) == 0 {
			p.note("no request completed in the measured window")
		}
		out[i] = p.spec
	}
	return out
}

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

// plotThroughputTime are each target's completed requests per second, stacked
// by outcome, on one shared scale; a target that did not run gets nil.
func plotThroughputTime(targets []TargetReport) []*plotSpec {
	end := plotTimeDomain(targets)
	order := plotOutcomeOrder(targets)
	colour := map[string]string{}
	for i, o := range order {
		colour[o] = plotOutcomeColours[i%len(plotOutcomeColours)]
	}
	vals := plotAxisValues{whole: true}
	for _, t := range targets {
		for _, p := range t.Timeline {
			vals.add(plotTimelineTotal(p))
		}
	}
	// Each target's outcomes, in the report's order, and its legend; the
	// legends take as many rows as the longest, so the plots line up.
	outcomes := make([][]string, len(targets))
	legends := make([][]plotLegendEntry, len(targets))
	rows := 0
	for i, t := range targets {
		for _, o := range order {
			for _, p := range t.Timeline {
				if c, ok := p.Completed[o]; ok && c > 0 {
					outcomes[i] = append(outcomes[i], o)
					legends[i] = append(legends[i], plotLegendEntry{Label: o, Stroke: colour[o], Fill: colour[o], Class: "area", Area: true})
					break
				}
			}
		}
		if t.Error == "" {
			rows = max(rows, plotLegendRows(legends[i]))
		}
	}
	out := make([]*plotSpec, len(targets))
	for i, t := range targets {
		if t.Error != "" {
			continue
		}
		mine := outcomes[i]
		p := newPlotFrame("throughput-time", legends[i], plotSmallH, rows)
		p.spec.Target = t.Target
		p.spec.Label = "completed requests per second by outcome, " + t.Target
		xs := p.timeAxis(0, end, "time in the measured window (s)")
		p.windowMarks(xs, plotWindowEnd(t), "drain")
		ys, ticks, dec := vals.yScale(p.y1, p.y0, false)
		p.yAxis(ys, ticks, func(v float64) string { return svgTick(v, dec) }, "completed / s")
		// Each second is a step from T to T+1; the outcomes stack in order.
		var xv []float64
		var pts []TimePoint
		for _, tp := range plotTimeline(t) {
			if _, ok := plotValue(tp.T); !ok {
				continue
			}
			xv = append(xv, tp.T, tp.T+1)
			pts = append(pts, tp)
		}
		bottom := make([]float64, len(xv))
		for _, o := range mine {
			top := make([]float64, len(xv))
			var sum float64
			for j, tp := range pts {
				c := float64(max(tp.Completed[o], 0))
				top[2*j], top[2*j+1] = bottom[2*j]+c, bottom[2*j+1]+c
				sum += c
			}
			p.spec.Series = append(p.spec.Series, plotSeries{Key: o, Target: t.Target, Outcome: o,
				Title: t.Target + " · " + o + ": " + strconv.FormatFloat(sum, 'f', 0, 64) + " completed",
				D:     svgArea(xs, ys, xv, top, bottom), Class: "area", Stroke: colour[o], Fill: colour[o]})
			bottom = top
		}
		if len(p.spec.Series) == 0 {
			p.note("no request completed in the measured window")
		}
		out[i] = p.spec
	}
	return out
}

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

// plotSpectrumX is a percentile's position: log10 of 1/(1-q); 100 has none (ok
// false, the max).
func plotSpectrumX(percentile float64) (float64, bool) {
	q := percentile / 100
	if !(q < 1) {
		return 0, false
	}
	if q <= 0 {
		return 0, true
	}
	return -math.Log10(1 - q), true
}

// plotSpectrumTick is the percentile at 1/(1-q) = 10^i: 0, 90, 99, 99.9, ….
func plotSpectrumTick(i int) string {
	if i == 0 {
		return "0"
	}
	return strconv.FormatFloat(100-math.Pow(10, 2-float64(i)), 'f', max(0, i-2), 64)
}

// plotSpectrumMinDecades and plotSpectrumMaxDecades bound the percentile
// axis: it shows at least 99.999 and at most 99.99999.
const (
	plotSpectrumMinDecades = 5
	plotSpectrumMaxDecades = 7
)

// plotSpectrum is one scenario's outcome, one series per target that has it,
// with the declared timeout it is measured against as a reference line.
func plotSpectrum(r *Report, k plotSpectrumKey) *plotSpec {
	type entry struct {
		target int
		o      *OutcomeStats
	}
	var entries []entry
	for i := range r.Targets {
		t := &r.Targets[i]
		for j := range t.Outcomes {
			if o := &t.Outcomes[j]; o.Scenario == k.Scenario && o.Outcome == k.Outcome {
				entries = append(entries, entry{i, o})
				break
			}
		}
	}
	// The x axis: decades up to the largest percentile below 100.
	decades, hasMax := plotSpectrumMinDecades, false
	var vals plotAxisValues
	for _, e := range entries {
		for _, sp := range e.o.Spectrum {
			if _, ok := plotValue(sp.MS); !ok {
				continue
			}
			vals.add(sp.MS)
			x, ok := plotSpectrumX(sp.Percentile)
			if !ok {
				hasMax = hasMax || !math.IsNaN(sp.Percentile)
				continue
			}
			if d := int(math.Ceil(x - 1e-9)); d > decades {
				decades = min(d, plotSpectrumMaxDecades)
			}
		}
	}
	// Reference lines: each distinct declared timeout the outcome is measured
	// against, sorted.
	type ref struct {
		name string
		ms   float64
	}
	var refs []ref
	for _, e := range entries {
		if e.o.Against == "" {
			continue
		}
		if v, ok := plotValue(e.o.AgainstMS); ok && v > 0 {
			dup := false
			for _, r := range refs {
				dup = dup || (r.name == e.o.Against && r.ms == v)
			}
			if !dup {
				refs = append(refs, ref{e.o.Against, v})
				vals.add(v)
			}
		}
	}
	sort.Slice(refs, func(i, j int) bool {
		if refs[i].ms != refs[j].ms {
			return refs[i].ms < refs[j].ms
		}
		return refs[i].name < refs[j].name
	})

	var legend []plotLegendEntry
	for _, e := range entries {
		c, dash := plotTargetStyle(e.target)
		legend = append(legend, plotLegendEntry{Label: r.Targets[e.target].Target, Stroke: c, Dash: dash, Class: "line"})
	}
	p := newPlotFrame("spectrum", legend, plotH, 0)
	p.spec.Scenario, p.spec.Outcome = k.Scenario, k.Outcome
	p.spec.Label = "latency distribution of " + plotSpectrumTitle(k)
	xEnd := float64(decades)
	if hasMax {
		xEnd += 0.6
	}
	xs := plotScale{Lo: 0, Hi: xEnd, A: p.x0, B: p.x1}
	var xt []float64
	for i := 0; i <= decades; i++ {
		xt = append(xt, float64(i))
	}
	if hasMax {
		xt = append(xt, xEnd)
	}
	p.xAxis(xs, xt, func(v float64) string {
		if v > float64(decades) {
			return "max"
		}
		return plotSpectrumTick(int(v))
	}, "percentile (log scale of 1/(1−q))")
	ys, ticks, dec := vals.yScale(p.y1, p.y0, true)
	p.yAxis(ys, ticks, func(v float64) string { return svgMSTick(v, dec) }, "latency")
	for _, rf := range refs {
		// The label sits above its line, or below it when the line is at the
		// top of the plot, where the legend is.
		y := ys.at(rf.ms)
		ly := y - 3
		if y-p.y0 < 14 {
			ly = y + 11
		}
		p.spec.Rules = append(p.spec.Rules, plotRule{X1: svgNum(p.x0), Y1: svgNum(y), X2: svgNum(p.x1), Y2: svgNum(y),
			LX: svgNum(p.x0 + 4), LY: svgNum(ly), Anchor: "start", Label: rf.name + " " + htmlDuration(rf.ms)})
	}
	for _, e := range entries {
		t := &r.Targets[e.target]
		pts := make([]plotPoint, 0, len(e.o.Spectrum))
		for _, sp := range e.o.Spectrum {
			x, ok := plotSpectrumX(sp.Percentile)
			switch {
			case math.IsNaN(sp.Percentile):
				continue
			case !ok:
				x = xEnd
			case x > float64(decades):
				x = float64(decades)
			}
			pts = append(pts, plotPoint{X: x, Y: sp.MS})
		}
		sort.SliceStable(pts, func(i, j int) bool { return pts[i].X < pts[j].X })
		d := svgLine(xs, ys, pts)
		if d == "" {
			continue
		}
		c, dash := plotTargetStyle(e.target)
		p.spec.Series = append(p.spec.Series, plotSeries{Key: t.Target, Target: t.Target, Scenario: k.Scenario, Outcome: k.Outcome,
			Title: t.Target + " · " + plotSpectrumTitle(k) + ": " + strconv.FormatInt(e.o.Count, 10) + " requests, p50 " +
				htmlMS(e.o.Latency.P50) + " ms, p99 " + htmlMS(e.o.Latency.P99) + " ms, max " + htmlMS(e.o.Latency.Max) + " ms",
			D: d, Class: "line", Stroke: c, Dash: dash, Fill: "none"})
	}
	if len(p.spec.Series) == 0 {
		p.note("no latency recorded")
	}
	return p.spec
}

// plotSpectrumTitle names a scenario's outcome: "scenario → outcome", or the
// outcome alone in plain mode.
func plotSpectrumTitle(k plotSpectrumKey) string {
	if k.Scenario == "" {
		return k.Outcome
	}
	return k.Scenario + " → " + k.Outcome
}

// plotResourceDomain is the x domain shared by the resource plots: every sample,
// the warm-up and the measured window.
func plotResourceDomain(r *Report) (lo, hi float64) {
	lo, hi = 0, plotTimeDomain(r.Targets)
	if v, ok := plotValue(-float64(r.Settings.WarmupMS) / 1000); ok && v < lo {
		lo = v
	}
	for _, t := range r.Targets {
		if t.Resources == nil {
			continue
		}
		for _, s := range t.Resources.Samples {
			if v, ok := plotValue(s.T); ok {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	return lo, hi
}

// htmlMiB is bytes in MiB.
func htmlMiB(b int64) float64 { return float64(b) / (1 << 20) }

// windowMarks shades what lies outside the measured window [0, end] -- the
// warm-up before it, and after it the settle time of a resource plot or the
// drain of the requests still in flight when it closed -- and rules the
// window's bounds that fall inside the plot.
func (p *plotFrame) windowMarks(xs plotScale, end float64, after string) {
	end = math.Min(math.Max(end, xs.Lo), xs.Hi)
	x0, xe := xs.at(0), xs.at(end)
	band := func(a, b float64, label string) {
		if b-a < float64(len(label))*5.5+4 {
			label = "" // no room: the shading speaks for itself
		}
		p.spec.Bands = append(p.spec.Bands, plotBand{X: svgNum(a), W: svgNum(b - a), LX: svgNum((a + b) / 2), LY: svgNum(p.y0 + 11), Label: label})
	}
	if xs.Lo < 0 {
		band(p.x0, x0, "warm-up")
	}
	if end < xs.Hi {
		band(xe, p.x1, after)
	}
	for _, x := range []float64{x0, xe} {
		if x > p.x0+0.5 && x < p.x1-0.5 {
			p.spec.Rules = append(p.spec.Rules, plotRule{X1: svgNum(x), Y1: svgNum(p.y0), X2: svgNum(x), Y2: svgNum(p.y1)})
		}
	}
}

// plotWindowEnd is the end of t's measured window in seconds, or, when it
// has none, the end of its timeline.
func plotWindowEnd(t TargetReport) float64 {
	end := float64(t.ElapsedMS) / 1000
	if v, ok := plotValue(end); !ok || v <= 0 {
		end = plotTimeDomain([]TargetReport{t})
	}
	return end
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
		vals := plotAxisValues{whole: rk.whole}
		for _, t := range r.Targets {
			if t.Resources == nil {
				continue
			}
			for _, s := range t.Resources.Samples {
				for _, f := range rk.fields {
					vals.add(f.get(s))
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
func plotResource(t TargetReport, rk plotResourceKind, vals plotAxisValues, lo, hi float64) *plotSpec {
	var legend []plotLegendEntry
	for _, f := range rk.fields {
		legend = append(legend, plotLegendEntry{Label: f.label, Stroke: f.colour, Dash: f.dash, Class: "line"})
	}
	p := newPlotFrame(rk.kind, legend, plotSmallH, 0)
	p.spec.Target = t.Target
	p.spec.Label = rk.what + " over the run, " + t.Target
	xs := p.timeAxis(lo, hi, "time from the measured window's start (s)")
	ys, ticks, dec := vals.yScale(p.y1, p.y0, false)
	p.yAxis(ys, ticks, func(v float64) string { return svgTick(v, dec) }, rk.title)
	p.windowMarks(xs, plotWindowEnd(t), "settle")
	samples := append([]Sample(nil), t.Resources.Samples...)
	sort.SliceStable(samples, func(a, b int) bool { return samples[a].T < samples[b].T })
	for _, f := range rk.fields {
		pts := make([]plotPoint, len(samples))
		for j, s := range samples {
			pts[j] = plotPoint{X: s.T, Y: f.get(s)}
		}
		d := svgLine(xs, ys, pts)
		if d == "" {
			continue
		}
		p.spec.Series = append(p.spec.Series, plotSeries{Key: f.key, Target: t.Target,
			Title: t.Target + " · " + f.label + ": " + htmlResourceChange(f.get(t.Resources.Before), f.get(t.Resources.After), f.rss),
			D:     d, Class: "line", Stroke: f.colour, Dash: f.dash, Fill: "none"})
	}
	if len(p.spec.Series) == 0 {
		p.note("no samples")
	}
	return p.spec
}
