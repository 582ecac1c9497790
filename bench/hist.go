package bench

import (
	"math"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram precision: latencies are recorded in microseconds from 1µs, with 3
// significant digits (0.1% error) for the figures and 2 for the per-second
// timeline, whose histograms are many.
const (
	sigDigits         = 3
	timelineSigDigits = 2
	// histHeadroom is what a histogram's range holds beyond the run's own
	// length: an open-loop latency runs from the intended start, so a request
	// that waited for a connection all run long is still recorded.
	histHeadroom = 5 * time.Minute
)

// hist is an HDR histogram of latencies. Values beyond its range are recorded
// as its highest value, values below 1µs as 1µs.
type hist struct {
	h   *hdrhistogram.Histogram
	max int64
}

// newHist covers 1µs to span + histHeadroom.
func newHist(span time.Duration, digits int) *hist {
	max := (span + histHeadroom).Microseconds()
	return &hist{h: hdrhistogram.New(1, max, digits), max: max}
}

// record adds one latency.
func (h *hist) record(d time.Duration) {
	us := min(max(d.Microseconds(), 1), h.max)
	_ = h.h.RecordValue(us) // in range by construction
}

// ms converts a histogram value to milliseconds.
func ms(us int64) float64 { return float64(us) / 1000 }

// percentiles summarises the histogram.
func (h *hist) percentiles() Percentiles {
	if h.h.TotalCount() == 0 {
		return Percentiles{}
	}
	v := h.h.ValueAtPercentilesSlice([]float64{50, 90, 99, 99.9})
	return Percentiles{
		Count: h.h.TotalCount(),
		Mean:  round3(h.h.Mean() / 1000),
		P50:   ms(v[0]),
		P90:   ms(v[1]),
		P99:   ms(v[2]),
		P999:  ms(v[3]),
		Max:   ms(h.h.Max()),
	}
}

// spectrumPercentiles are the percentiles of a Spectrum: 1/(1-q) from 1 to
// 10^5 in steps of 10^0.1 (q from 0 to 99.999%), then the maximum.
var spectrumPercentiles = func() []float64 {
	var ps []float64
	for k := 0; k <= 50; k++ {
		q := 1 - math.Pow(10, -float64(k)/10)
		ps = append(ps, round6(100*q))
	}
	return append(ps, 100)
}()

// spectrum is the latency at each of spectrumPercentiles.
func (h *hist) spectrum() []SpectrumPoint {
	if h.h.TotalCount() == 0 {
		return nil
	}
	v := h.h.ValueAtPercentilesSlice(spectrumPercentiles)
	out := make([]SpectrumPoint, len(v))
	for i, p := range spectrumPercentiles {
		out[i] = SpectrumPoint{Percentile: p, MS: ms(v[i])}
	}
	out[len(out)-1].MS = ms(h.h.Max())
	return out
}

// valueAt is the latency at percentile p.
func (h *hist) valueAt(p float64) time.Duration {
	return time.Duration(h.h.ValueAtPercentile(p)) * time.Microsecond
}

func round3(x float64) float64 { return math.Round(x*1e3) / 1e3 }
func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }
