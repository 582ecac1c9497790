package svgplot

import (
	"math"
	"testing"
)

// TestLine checks a line's path: stretches broken by a point that is not
// finite or that starts one, a lone point as a dot, repeats left out.
func TestLine(t *testing.T) {
	xs := Scale{Lo: 0, Hi: 10, A: 0, B: 100}
	ys := Scale{Lo: 0, Hi: 10, A: 100, B: 0}
	for _, c := range []struct {
		pts  []Point
		want string
	}{
		{[]Point{{1, 1, false}, {2, 2, false}, {3, math.NaN(), false}, {4, 4, false}, {5, 5, true}, {6, 6, false}}, "M10 90L20 80 M40 60h0 M50 50L60 40"},
		{[]Point{{1, 1, false}, {1, 1, false}, {1.001, 1, false}, {2, 1, false}}, "M10 90L20 90"},
		{[]Point{{3, 3, false}}, "M30 70h0"},
		{[]Point{{math.Inf(1), 1, false}, {1, math.NaN(), false}}, ""},
		{[]Point{{1, 1e305, false}, {20, -1, false}}, "M10 0L100 100"},
		{nil, ""},
	} {
		if got := Line(xs, ys, c.pts); got != c.want {
			t.Errorf("Line(%v) = %q; want %q", c.pts, got, c.want)
		}
	}
}

// TestArea checks a stacked area's path: along the top, back along the
// bottom, closed; nothing for no points.
func TestArea(t *testing.T) {
	xs := Scale{Lo: 0, Hi: 10, A: 0, B: 100}
	ys := Scale{Lo: 0, Hi: 10, A: 100, B: 0}
	if got, want := Area(xs, ys, []float64{0, 1, 2}, []float64{3, 4, 5}, []float64{1, 1, 2}), "M0 70L10 60L20 50L20 80L10 90L0 90Z"; got != want {
		t.Errorf("Area = %q; want %q", got, want)
	}
	if got := Area(xs, ys, nil, nil, nil); got != "" {
		t.Errorf("Area of nothing = %q", got)
	}
}
