package svgplot

import "math"

// Scale maps a value in [Lo, Hi] to a position in [A, B], linearly or, when Log
// is set, on a log scale (Lo must then be above zero). A and B may run either
// way: a y scale goes from the bottom of the plot area up.
type Scale struct {
	Log    bool
	Lo, Hi float64
	A, B   float64
}

// At returns v's position. Values outside [Lo, Hi] are clamped to its ends, NaN
// sits at Lo, and on a log scale so does zero and anything below Lo.
func (s Scale) At(v float64) float64 {
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

// niceStep is a round step (1, 2 or 5 times a power of ten) near span/n, and
// that power of ten; a span that is not above zero gets a step of 1.
func niceStep(span float64, n int) (float64, int) {
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

// linearTicks returns the multiples of a round step within [lo, hi], about n
// of them (never more than 4n+4), and the step's decimal places.
func linearTicks(lo, hi float64, n int) ([]float64, int) {
	step, e := niceStep(hi-lo, n)
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

// Extent gathers the values a value axis must show: the largest, and the
// smallest above zero. The zero Extent is empty, and ready to use.
type Extent struct {
	// Whole is set for counts, whose ticks are whole numbers.
	Whole bool

	max, minPos float64
}

// Add takes v into account, clamped as by Clamp, unless it is not finite.
// Positive values below 1e-6 count as 1e-6, so that a log axis spans at most
// 306 decades.
func (e *Extent) Add(v float64) {
	v, ok := Clamp(v)
	if !ok {
		return
	}
	if v > e.max {
		e.max = v
	}
	if v > 0 {
		v = math.Max(v, 1e-6)
		if e.minPos == 0 || v < e.minPos {
			e.minPos = v
		}
	}
}

// scale is a value axis from bottom to top over the values in e: a log scale
// when allowLog and the positive values span more than two decades (with at
// most seven ticks, a power of ten apart or several), otherwise linear from 0
// to a round value above the largest. It returns the scale and its ticks'
// values and decimal places (-1: as few as each needs).
func (e Extent) scale(bottom, top float64, allowLog bool) (Scale, []float64, int) {
	if allowLog && e.minPos > 0 && e.max/e.minPos > 100 {
		e0 := math.Floor(math.Log10(e.minPos))
		e1 := math.Ceil(math.Log10(e.max))
		if e1 <= e0 {
			e1 = e0 + 1
		}
		k := math.Ceil((e1 - e0) / 6)
		e1 = e0 + k*math.Ceil((e1-e0)/k)
		var ticks []float64
		for p := e0; p <= e1; p += k {
			ticks = append(ticks, math.Pow(10, p))
		}
		return Scale{Log: true, Lo: math.Pow(10, e0), Hi: math.Pow(10, e1), A: bottom, B: top}, ticks, -1
	}
	// A little headroom, so that a line at the largest value stays off the
	// frame; whole counts get whole ticks.
	hi := e.max * 1.05
	if !(hi > 0) {
		hi = 1
	}
	step, p := niceStep(hi, 5)
	if e.Whole && step < 1 {
		step, p = 1, 0
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
	return Scale{Lo: 0, Hi: hi, A: bottom, B: top}, ticks, max(0, -p)
}
