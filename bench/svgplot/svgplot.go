// Package svgplot lays out plots to be drawn as hand-written SVG: scales
// (linear and log) with round ticks and their labels, a frame with its legend,
// axes, notes and window marks, and the paths of lines and stacked areas.
//
// It computes every coordinate, tick and label as a string; the caller's
// template only places those strings, so html/template escapes each of them (a
// series' name in a legend stays text). Every coordinate is written with at
// most one decimal and never as NaN or Inf: a value that is not finite is never
// plotted, and a finite one is clamped to ±1e300 so that no arithmetic on it
// overflows.
package svgplot

import (
	"math"
	"strconv"
)

// maxValue bounds the values a plot scales: beyond it a value is drawn as if
// it were maxValue (1e300 ms is already far past any timeout).
const maxValue = 1e300

// Clamp returns v bounded to ±1e300, and false when v is NaN or infinite, which
// a plot leaves out.
func Clamp(v float64) (float64, bool) {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return 0, false
	case v > maxValue:
		return maxValue, true
	case v < -maxValue:
		return -maxValue, true
	}
	return v, true
}

// num formats a coordinate with one decimal; a value that is not finite
// (which the scales never return) is written as 0 rather than as NaN.
func num(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "0"
	}
	s := strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
	if s == "-0" {
		return "0"
	}
	return s
}
