package svgplot

// Legend geometry: the legend's rows sit above the plot area, each entry a
// sample of its line (or a box) and its label.
const (
	legendRow      = 16 // height of one row
	legendChar     = 6.2
	legendSample   = 20 // length of an entry's line sample
	legendMaxChars = 48 // longer labels are shortened; the full one is a <title>
)

// LegendEntry is one item of a legend before layout: its label, and the
// colour, dash and class of its series (an area's entry is a filled box).
type LegendEntry struct {
	Label, Stroke, Fill, Dash, Class string
	Area                             bool
}

// LegendItem is one entry of a legend laid out: a sample line (or, for an
// area, a box whose top is at BoxY) from X1 to X2 at Y, and the label at LX,
// LY, shortened to 48 characters with an ellipsis.
type LegendItem struct {
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

// legendWidth is an entry's width in the legend.
func legendWidth(label string) float64 {
	n := min(len([]rune(label)), legendMaxChars)
	return legendSample + 5 + float64(n)*legendChar + 14
}

// LegendRows returns the number of rows a frame's legend takes for entries:
// they fill a row from the plot area's left edge, in order, and wrap before
// one would pass its right edge; no entries take none.
func LegendRows(entries []LegendEntry) int {
	rows, x := 0, float64(width)
	for _, e := range entries {
		w := legendWidth(e.Label)
		if x+w > width-right && x > left {
			rows, x = rows+1, left
		}
		x += w
	}
	return rows
}

// legend lays the entries out in rows above the plot area, as LegendRows
// counts them.
func (f *Frame) legend(entries []LegendEntry) {
	row, x := -1, float64(width)
	for _, e := range entries {
		w := legendWidth(e.Label)
		if x+w > width-right && x > left {
			row, x = row+1, left
		}
		y := float64(top) + float64(row)*legendRow + legendRow/2
		label, title := e.Label, ""
		if r := []rune(label); len(r) > legendMaxChars {
			label, title = string(r[:legendMaxChars-1])+"…", e.Label
		}
		f.Legend = append(f.Legend, LegendItem{
			X1: num(x), X2: num(x + legendSample), Y: num(y), BoxY: num(y - 5),
			LX: num(x + legendSample + 5), LY: num(y + 4),
			Area: e.Area, Stroke: e.Stroke, Fill: e.Fill, Dash: e.Dash, Class: e.Class, Label: label, Title: title,
		})
		x += w
	}
}
