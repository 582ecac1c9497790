package svgplot

import (
	"math"
	"strconv"
)

// FormatTick writes a tick value with dec decimal places (-1: as few as it
// needs, and never more than 6), a very large or very small one (from 1e9, or
// below 1e-4) in e-notation as 2e300, thousands and millions with k and M to
// two decimals.
func FormatTick(v float64, dec int) string {
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

// FormatMSTick writes a latency tick given in ms: as FormatTick does, followed
// by " ms", or from a second up in seconds, rounded to the ms, followed by " s".
func FormatMSTick(ms float64, dec int) string {
	if math.Abs(ms) >= 1000 {
		// Ticks from a second up are whole tenths of a second at least.
		return FormatTick(math.Round(ms)/1000, -1) + " s"
	}
	return FormatTick(ms, dec) + " ms"
}
