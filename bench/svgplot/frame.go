package svgplot

import "math"

// Frame geometry, in the SVG's user units; the page scales the SVG to its
// column.
const (
	width  = 460 // of every plot
	left   = 58  // room for the y tick labels and the y axis title
	right  = 14
	top    = 10 // above the plot area, below the legend
	bottom = 38 // room for the x tick labels and the x axis title
)

// Frame is one plot laid out, everything but its series: its size, the
// bounds of its plot area, its axes, bands, rules, legend and note, each
// coordinate already written as a string for a template to place. NewFrame
// makes one; its methods fill it in.
type Frame struct {
	// W and H are the SVG's size: W is always 460.
	W, H int
	// X0, X1, Y0, Y1 bound the plot area (Y0 is its top).
	X0, X1, Y0, Y1 string
	// FrameW and FrameH are the plot area's width and height.
	FrameW, FrameH string
	XTicks, YTicks []Tick
	XTitle, YTitle Text
	Bands          []Band
	Rules          []Rule
	Legend         []LegendItem
	// Note is written in the middle of an empty plot.
	Note *Text

	// The plot area in numbers: x from left to right, y from top to bottom.
	x0, x1, y0, y1 float64
}

// Tick is one tick: its gridline at Pos, its label at LX, LY.
type Tick struct {
	Pos, LX, LY, Label string
}

// Text is a label and where it goes (the y axis title is turned a quarter
// left about that point).
type Text struct {
	X, Y, Text string
}

// Band is a shaded stretch of the x axis, from X over a width of W, with its
// label at LX, LY (empty when the band has no room for it).
type Band struct {
	X, W, LX, LY, Label string
}

// Rule is a reference line from X1, Y1 to X2, Y2 with its label, if any, at
// LX, LY, anchored by Anchor (an SVG text-anchor).
type Rule struct {
	X1, Y1, X2, Y2 string
	LX, LY, Anchor string
	Label          string
}

// NewFrame starts a plot h units high, not counting its legend, which lays out
// the given entries above the plot area in at least minRows rows (so that
// plots side by side line up; see LegendRows).
func NewFrame(h float64, legend []LegendEntry, minRows int) Frame {
	rows := max(LegendRows(legend), minRows)
	y0 := float64(top)
	if rows > 0 {
		y0 += float64(rows*legendRow) + 4
	}
	f := Frame{W: width, x0: left, x1: width - right, y0: y0}
	f.y1 = y0 + h - top - bottom
	f.H = int(math.Ceil(f.y1 + bottom))
	f.X0, f.X1, f.Y0, f.Y1 = num(f.x0), num(f.x1), num(f.y0), num(f.y1)
	f.FrameW, f.FrameH = num(f.x1-f.x0), num(f.y1-f.y0)
	f.legend(legend)
	return f
}

// XAxis sets the x axis: a scale from lo to hi across the plot area, a gridline
// at each of ticks with label(tick) below it, and the axis title. It returns
// the scale.
func (f *Frame) XAxis(lo, hi float64, ticks []float64, label func(float64) string, title string) Scale {
	s := Scale{Lo: lo, Hi: hi, A: f.x0, B: f.x1}
	for _, v := range ticks {
		x := s.At(v)
		f.XTicks = append(f.XTicks, Tick{Pos: num(x), LX: num(x), LY: num(f.y1 + 14), Label: label(v)})
	}
	f.XTitle = Text{X: num((f.x0 + f.x1) / 2), Y: num(f.y1 + 31), Text: title}
	return s
}

// LinearXAxis is XAxis from lo to hi with about six round ticks (1, 2 or 5
// times a power of ten apart) written by FormatTick.
func (f *Frame) LinearXAxis(lo, hi float64, title string) Scale {
	ticks, dec := linearTicks(lo, hi, 6)
	return f.XAxis(lo, hi, ticks, func(v float64) string { return FormatTick(v, dec) }, title)
}

// YAxis sets the y axis over the values e gathered, from the bottom of the
// plot area up: a log scale when allowLog and the positive values span more
// than two decades (at most seven ticks, a power of ten or more apart),
// otherwise linear from 0 to a round value a little above the largest (whole
// steps when e.Whole). Each tick is written by label with the decimal places
// the step needs (-1 on a log scale: as few as each needs), as FormatTick and
// FormatMSTick take them. It returns the scale.
func (f *Frame) YAxis(e Extent, allowLog bool, label func(v float64, dec int) string, title string) Scale {
	s, ticks, dec := e.scale(f.y1, f.y0, allowLog)
	for _, v := range ticks {
		y := s.At(v)
		f.YTicks = append(f.YTicks, Tick{Pos: num(y), LX: num(f.x0 - 5), LY: num(y + 3.5), Label: label(v, dec)})
	}
	f.YTitle = Text{X: "13", Y: num((f.y0 + f.y1) / 2), Text: title}
	return s
}

// SetNote writes text in the middle of the plot area, to say why it is empty.
func (f *Frame) SetNote(text string) {
	f.Note = &Text{X: num((f.x0 + f.x1) / 2), Y: num((f.y0 + f.y1) / 2), Text: text}
}

// Reference rules a line across the plot area at value v of the y scale ys,
// labelled at its left end: above the line, or below it when the line lies
// within 14 units of the top, where the legend is.
func (f *Frame) Reference(ys Scale, v float64, label string) {
	y := ys.At(v)
	ly := y - 3
	if y-f.y0 < 14 {
		ly = y + 11
	}
	f.Rules = append(f.Rules, Rule{X1: num(f.x0), Y1: num(y), X2: num(f.x1), Y2: num(y),
		LX: num(f.x0 + 4), LY: num(ly), Anchor: "start", Label: label})
}

// MarkWindow shades what lies on the x scale xs outside the window [start,
// end] (end clamped to the scale's domain): before it, labelled before, when
// the scale begins earlier, and after it, labelled after, when the scale ends
// later. A label with no room in its band is left out: the shading speaks for
// itself. The window's bounds that fall inside the plot area are ruled.
func (f *Frame) MarkWindow(xs Scale, start, end float64, before, after string) {
	end = math.Min(math.Max(end, xs.Lo), xs.Hi)
	xa, xe := xs.At(start), xs.At(end)
	band := func(a, b float64, label string) {
		if b-a < float64(len(label))*5.5+4 {
			label = ""
		}
		f.Bands = append(f.Bands, Band{X: num(a), W: num(b - a), LX: num((a + b) / 2), LY: num(f.y0 + 11), Label: label})
	}
	if xs.Lo < start {
		band(f.x0, xa, before)
	}
	if end < xs.Hi {
		band(xe, f.x1, after)
	}
	for _, x := range []float64{xa, xe} {
		if x > f.x0+0.5 && x < f.x1-0.5 {
			f.Rules = append(f.Rules, Rule{X1: num(x), Y1: num(f.y0), X2: num(x), Y2: num(f.y1)})
		}
	}
}
