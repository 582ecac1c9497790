package svgplot

import (
	"strconv"
	"strings"
	"testing"
)

// frameNum is a coordinate the frame wrote, as a number.
func frameNum(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("coordinate %q: %v", s, err)
	}
	return v
}

// TestNewFrame checks a frame's size and plot area, with and without a legend.
func TestNewFrame(t *testing.T) {
	f := NewFrame(230, nil, 0)
	if f.W != 460 || f.H != 230 || f.X0 != "58" || f.X1 != "446" || f.Y0 != "10" || f.Y1 != "192" || f.FrameW != "388" || f.FrameH != "182" {
		t.Errorf("frame without legend: %+v", f)
	}
	f = NewFrame(230, []LegendEntry{{Label: "p50"}}, 2)
	if f.H != 266 || f.Y0 != "46" || f.Y1 != "228" || len(f.Legend) != 1 {
		t.Errorf("frame with two legend rows: H %d, Y0 %s, Y1 %s, %d entries", f.H, f.Y0, f.Y1, len(f.Legend))
	}
}

// TestLegend checks the legend's layout: rows that wrap at the right, a long
// label shortened with its whole as the title.
func TestLegend(t *testing.T) {
	var entries []LegendEntry
	for i := 0; i < 8; i++ {
		entries = append(entries, LegendEntry{Label: "target " + string(rune('a'+i))})
	}
	long := strings.Repeat("x", 60)
	entries = append(entries, LegendEntry{Label: long, Area: true})
	rows := LegendRows(entries)
	if rows != 3 {
		t.Errorf("LegendRows = %d; want 3 (four of the short ones a row, then the long one)", rows)
	}
	// Two labels of 25 characters end on the plot area's right edge; of 26,
	// past it, so the second wraps.
	for n, want := range map[int]int{25: 1, 26: 2} {
		two := []LegendEntry{{Label: strings.Repeat("a", n)}, {Label: strings.Repeat("b", n)}}
		if got := LegendRows(two); got != want {
			t.Errorf("two labels of %d characters take %d rows; want %d", n, got, want)
		}
	}
	if n := LegendRows(nil); n != 0 {
		t.Errorf("LegendRows(nil) = %d", n)
	}
	f := NewFrame(180, entries, 0)
	ys := map[string]bool{}
	for _, e := range f.Legend {
		ys[e.Y] = true
		if e.X1 == "" || e.LX == "" {
			t.Errorf("entry %q is not placed", e.Label)
		}
	}
	if len(ys) != rows {
		t.Errorf("the legend is laid out on %d rows; LegendRows says %d", len(ys), rows)
	}
	if first := f.Legend[0]; first.X1 != "58" || first.Y != "18" || first.LX != "83" {
		t.Errorf("first entry at %s, %s, label at %s", first.X1, first.Y, first.LX)
	}
	last := f.Legend[len(f.Legend)-1]
	if r := []rune(last.Label); len(r) != 48 || r[47] != '…' || last.Title != long || !last.Area {
		t.Errorf("long entry: label %q, title %q", last.Label, last.Title)
	}
	if f.Legend[0].Title != "" {
		t.Errorf("a short label has a title %q", f.Legend[0].Title)
	}
}

// TestAxes checks the ticks and titles the axes write.
func TestAxes(t *testing.T) {
	f := NewFrame(230, nil, 0)
	xs := f.LinearXAxis(0, 10, "time (s)")
	if xs.A != 58 || xs.B != 446 || len(f.XTicks) != 6 || f.XTicks[5].Label != "10" || f.XTicks[5].Pos != "446" || f.XTicks[0].LY != "206" {
		t.Errorf("x axis %+v ticks %+v", xs, f.XTicks)
	}
	if f.XTitle != (Text{X: "252", Y: "223", Text: "time (s)"}) {
		t.Errorf("x title %+v", f.XTitle)
	}
	var e Extent
	e.Add(1.2)
	e.Add(1500)
	ys := f.YAxis(e, true, FormatMSTick, "latency")
	if !ys.Log || ys.A != 192 || ys.B != 10 {
		t.Errorf("y scale %+v", ys)
	}
	var labels []string
	for _, tk := range f.YTicks {
		labels = append(labels, tk.Label)
	}
	if got := strings.Join(labels, ","); got != "1 ms,10 ms,100 ms,1 s,10 s" {
		t.Errorf("y tick labels %s", got)
	}
	if f.YTicks[0].Pos != "192" || f.YTicks[0].LX != "53" || f.YTicks[0].LY != "195.5" || f.YTitle != (Text{X: "13", Y: "101", Text: "latency"}) {
		t.Errorf("y tick %+v title %+v", f.YTicks[0], f.YTitle)
	}
	f.XAxis(0, 1, []float64{0, 1}, func(v float64) string { return map[float64]string{0: "none", 1: "all"}[v] }, "share")
	if n := len(f.XTicks); n != 8 || f.XTicks[7].Label != "all" {
		t.Errorf("XAxis with given ticks: %+v", f.XTicks)
	}
}

// TestMarks checks the window's bands and rules, a reference line's label
// placement, and the note.
func TestMarks(t *testing.T) {
	f := NewFrame(180, nil, 0)
	xs := f.LinearXAxis(-2, 12, "t")
	f.MarkWindow(xs, 0, 10, "warm-up", "settle")
	if len(f.Bands) != 2 || f.Bands[0].Label != "warm-up" || f.Bands[0].X != "58" || f.Bands[1].Label != "settle" || f.Bands[1].X != "390.6" {
		t.Errorf("bands %+v", f.Bands)
	}
	if len(f.Rules) != 2 || f.Rules[0].X1 != "113.4" || f.Rules[0].Label != "" {
		t.Errorf("window rules %+v", f.Rules)
	}

	// A window that fills the scale has no band and no rule on the frame's
	// edges; a band with no room for its label has none.
	f = NewFrame(180, nil, 0)
	xs = f.LinearXAxis(0, 10, "t")
	f.MarkWindow(xs, 0, 10, "warm-up", "drain")
	if len(f.Bands) != 0 || len(f.Rules) != 0 {
		t.Errorf("a full window: bands %+v rules %+v", f.Bands, f.Rules)
	}
	f.MarkWindow(xs, 0, 9.8, "warm-up", "drain")
	if len(f.Bands) != 1 || f.Bands[0].Label != "" || len(f.Rules) != 1 {
		t.Errorf("a narrow drain: bands %+v rules %+v", f.Bands, f.Rules)
	}

	f = NewFrame(230, nil, 0)
	var e Extent
	e.Add(1000)
	ys := f.YAxis(e, false, FormatTick, "ms")
	f.Reference(ys, 500, "half")
	f.Reference(ys, 1400, "near the top")
	if r := f.Rules[0]; r.X1 != "58" || r.X2 != "446" || r.Y1 != r.Y2 || r.LX != "62" || r.Anchor != "start" || r.Label != "half" {
		t.Errorf("reference %+v", r)
	}
	// 1400 of 1500 is 12 units below the top: its label goes under the line.
	if a, b := f.Rules[0], f.Rules[1]; frameNum(t, a.LY) >= frameNum(t, a.Y1) || b.Y1 != "22.1" || b.LY != "33.1" {
		t.Errorf("labels at %s over a line at %s and %s under the line near the top at %s: want above, then below", a.LY, a.Y1, b.LY, b.Y1)
	}
	f.SetNote("nothing")
	if f.Note == nil || *f.Note != (Text{X: "252", Y: "101", Text: "nothing"}) {
		t.Errorf("note %+v", f.Note)
	}
}
