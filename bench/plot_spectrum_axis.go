package bench

import (
	"math"
	"sort"
	"strconv"

	"github.com/gatecheck/gatecheck/bench/svgplot"
)

// A distribution plot's x axis is the percentile on a log scale of 1/(1-q):
// a tick at each decade (0, 90, 99, 99.9, …), so that the tail takes as much
// room as the body.

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

// plotSpectrumAxis is a distribution plot's x axis: decades of 1/(1-q) from 0
// up to decades, and, when hasMax, the max (percentile 100) a little beyond.
type plotSpectrumAxis struct {
	decades int
	hasMax  bool
}

// end is the axis's last position.
func (a plotSpectrumAxis) end() float64 {
	if a.hasMax {
		return float64(a.decades) + 0.6
	}
	return float64(a.decades)
}

// ticks are a tick at each decade, and one at the max.
func (a plotSpectrumAxis) ticks() []float64 {
	var xt []float64
	for i := 0; i <= a.decades; i++ {
		xt = append(xt, float64(i))
	}
	if a.hasMax {
		xt = append(xt, a.end())
	}
	return xt
}

// label writes the tick at v: a percentile, or max.
func (a plotSpectrumAxis) label(v float64) string {
	if v > float64(a.decades) {
		return "max"
	}
	return plotSpectrumTick(int(v))
}

// points are a spectrum's points in the axis's order: percentiles beyond the
// last decade at it, 100 at the max, NaN left out.
func (a plotSpectrumAxis) points(spectrum []SpectrumPoint) []svgplot.Point {
	pts := make([]svgplot.Point, 0, len(spectrum))
	for _, sp := range spectrum {
		x, ok := plotSpectrumX(sp.Percentile)
		switch {
		case math.IsNaN(sp.Percentile):
			continue
		case !ok:
			x = a.end()
		case x > float64(a.decades):
			x = float64(a.decades)
		}
		pts = append(pts, svgplot.Point{X: x, Y: sp.MS})
	}
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].X < pts[j].X })
	return pts
}
