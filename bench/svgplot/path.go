package svgplot

import "strings"

// Point is a point in data units; a point with Break set starts a new stretch
// of a line (the one before it is not joined to it).
type Point struct {
	X, Y  float64
	Break bool
}

// Line returns the SVG path data of a line through pts, in their order, placed
// by the scales xs and ys: each stretch is an M and a run of L commands, a
// lone point a zero-length stretch ("h0", which a round line cap draws as a
// dot), and a point that lands where the one before it did is left out. A
// point with a coordinate that is not finite is skipped and breaks the line;
// one beyond ±1e300 is clamped. No point gives "".
func Line(xs, ys Scale, pts []Point) string {
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
		x, okx := Clamp(pt.X)
		y, oky := Clamp(pt.Y)
		if !okx || !oky {
			end()
			continue
		}
		sx, sy := num(xs.At(x)), num(ys.At(y))
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

// Area returns the SVG path data of the closed area between two lines over the
// same x values, placed by the scales xs and ys: along top from the first x to
// the last, back along bottom, and closed. top and bottom must be at least as
// long as x; no x gives "".
func Area(xs, ys Scale, x, top, bottom []float64) string {
	var b strings.Builder
	for i := range x {
		cmd := "L"
		if i == 0 {
			cmd = "M"
		}
		b.WriteString(cmd + num(xs.At(x[i])) + " " + num(ys.At(top[i])))
	}
	for i := len(x) - 1; i >= 0; i-- {
		b.WriteString("L" + num(xs.At(x[i])) + " " + num(ys.At(bottom[i])))
	}
	if b.Len() > 0 {
		b.WriteString("Z")
	}
	return b.String()
}
