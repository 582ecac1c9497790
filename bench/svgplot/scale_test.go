package svgplot

import (
	"fmt"
	"math"
	"testing"
)

// TestScaleAt checks positions on linear and log scales, running down as a y
// scale does, with values outside the domain clamped to its ends.
func TestScaleAt(t *testing.T) {
	lin := Scale{Lo: 0, Hi: 10, A: 100, B: 0}
	lg := Scale{Log: true, Lo: 1, Hi: 1000, A: 0, B: 300}
	for _, c := range []struct {
		s    Scale
		v    float64
		want float64
	}{
		{lin, 0, 100}, {lin, 2.5, 75}, {lin, 10, 0}, {lin, -3, 100}, {lin, 99, 0}, {lin, math.NaN(), 100},
		{lg, 1, 0}, {lg, 10, 100}, {lg, 100, 200}, {lg, 1000, 300}, {lg, 0, 0}, {lg, -5, 0}, {lg, 1e9, 300}, {lg, math.NaN(), 0},
	} {
		if got := c.s.At(c.v); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%+v.At(%v) = %v; want %v", c.s, c.v, got, c.want)
		}
	}
}

// TestNiceTicks checks the round steps and the ticks they give.
func TestNiceTicks(t *testing.T) {
	type stepCase struct {
		span float64 // over n ticks
		n    int
		step float64 // and its power of ten, e
		e    int
	}
	for _, c := range []stepCase{{10, 5, 2, 0}, {47, 5, 10, 1}, {0.3, 6, 0.05, -2}, {7, 6, 2, 0}, {1, 1, 1, 0}, {0, 5, 1, 0}, {math.NaN(), 5, 1, 0}} {
		if step, e := niceStep(c.span, c.n); math.Abs(step-c.step) > 1e-12 || e != c.e {
			t.Errorf("niceStep(%v, %d) = %v, %d; want %v, %d", c.span, c.n, step, e, c.step, c.e)
		}
	}
	ticks, dec := linearTicks(-2, 10, 6)
	if fmt.Sprint(ticks) != "[-2 0 2 4 6 8 10]" || dec != 0 {
		t.Errorf("linearTicks(-2, 10) = %v, %d", ticks, dec)
	}
	ticks, dec = linearTicks(0, 0.9, 6)
	if fmt.Sprint(ticks) != "[0 0.2 0.4 0.6000000000000001 0.8]" || dec != 1 {
		t.Errorf("linearTicks(0, 0.9) = %v, %d", ticks, dec)
	}
	if ticks, _ := linearTicks(0, 1e300, 6); len(ticks) > 4*6+4 {
		t.Errorf("%d ticks; want at most 28", len(ticks))
	}
}

// TestExtentScale checks the value axes: log when the values span more than two
// decades, round ticks, whole ones for counts, and few over a huge span.
func TestExtentScale(t *testing.T) {
	var lin Extent
	for _, v := range []float64{0, 3, 47, math.NaN(), math.Inf(-1)} {
		lin.Add(v)
	}
	s, ticks, _ := lin.scale(100, 0, true)
	if s.Log || s.Hi != 50 || fmt.Sprint(ticks) != "[0 10 20 30 40 50]" {
		t.Errorf("linear scale %+v ticks %v", s, ticks)
	}
	var lg Extent
	for _, v := range []float64{0, 0.8, 1200} {
		lg.Add(v)
	}
	s, ticks, dec := lg.scale(100, 0, true)
	if !s.Log || s.Lo != 0.1 || s.Hi != 10000 || len(ticks) != 6 || dec != -1 {
		t.Errorf("log scale %+v ticks %v dec %d", s, ticks, dec)
	}
	if s.At(0) != 100 || s.At(10000) != 0 || s.At(1e9) != 0 {
		t.Errorf("log scale places 0, 1e4 and 1e9 at %v, %v, %v", s.At(0), s.At(10000), s.At(1e9))
	}
	if s, _, _ := lg.scale(100, 0, false); s.Log {
		t.Error("a scale that may not be log is")
	}
	var huge Extent
	huge.Add(1e-300)
	huge.Add(math.MaxFloat64)
	if _, ticks, _ := huge.scale(100, 0, true); len(ticks) > 8 {
		t.Errorf("%d ticks over 300 decades; want at most 8", len(ticks))
	}
	counts := Extent{Whole: true}
	counts.Add(2)
	if _, ticks, dec := counts.scale(100, 0, false); fmt.Sprint(ticks) != "[0 1 2 3]" || dec != 0 {
		t.Errorf("counts up to 2 have ticks %v, %d decimals; want whole ones", ticks, dec)
	}
	var empty Extent
	if s, ticks, _ := empty.scale(100, 0, true); s.Log || s.Hi != 1 || len(ticks) == 0 {
		t.Errorf("an empty extent gives %+v ticks %v; want linear to 1", s, ticks)
	}
}

// TestClampAndNum checks that nothing written is NaN or Inf.
func TestClampAndNum(t *testing.T) {
	for v, want := range map[float64]float64{1: 1, 1e301: 1e300, -math.MaxFloat64: -1e300} {
		if got, ok := Clamp(v); !ok || got != want {
			t.Errorf("Clamp(%v) = %v, %v; want %v", v, got, ok, want)
		}
	}
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if _, ok := Clamp(v); ok {
			t.Errorf("Clamp(%v) is ok", v)
		}
		if got := num(v); got != "0" {
			t.Errorf("num(%v) = %q", v, got)
		}
	}
	for v, want := range map[float64]string{12.34: "12.3", 12.35: "12.4", -0.01: "0", 460: "460", -3.25: "-3.3"} {
		if got := num(v); got != want {
			t.Errorf("num(%v) = %q; want %q", v, got, want)
		}
	}
}
