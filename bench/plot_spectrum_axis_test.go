package bench

import (
	"math"
	"testing"
)

// TestPlotSpectrumAxis checks the percentile axis: the ticks' labels, the
// positions of the percentiles at a decade, and the max, which has none.
func TestPlotSpectrumAxis(t *testing.T) {
	for i, want := range []string{"0", "90", "99", "99.9", "99.99", "99.999"} {
		if got := plotSpectrumTick(i); got != want {
			t.Errorf("plotSpectrumTick(%d) = %q; want %q", i, got, want)
		}
		if x, ok := plotSpectrumX(100 - 100*math.Pow(10, -float64(i))); !ok || math.Abs(x-float64(i)) > 1e-9 {
			t.Errorf("plotSpectrumX(%s) = %v, %v; want %d", want, x, ok, i)
		}
	}
	if _, ok := plotSpectrumX(100); ok {
		t.Error("percentile 100 has a finite position")
	}
	a := plotSpectrumAxis{decades: 5, hasMax: true}
	if got := a.label(a.end()); got != "max" {
		t.Errorf("the tick at the end of an axis with a max is %q; want max", got)
	}
	pts := a.points([]SpectrumPoint{{100, 9}, {99.99999, 8}, {math.NaN(), 7}, {90, 2}, {0, 1}})
	var xs []float64
	for _, p := range pts {
		xs = append(xs, p.X)
	}
	if len(xs) != 4 || xs[0] != 0 || math.Abs(xs[1]-1) > 1e-9 || xs[2] != 5 || xs[3] != 5.6 {
		t.Errorf("spectrum points at x %v; want 0, 1, 5 (99.99999 held at the last decade), 5.6 (the max), NaN left out", xs)
	}
}
