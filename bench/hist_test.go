package bench

import (
	"math"
	"testing"
	"time"
)

func TestHistPercentiles(t *testing.T) {
	h := newHist(10*time.Second, sigDigits)
	for i := 1; i <= 1000; i++ {
		h.record(time.Duration(i) * time.Millisecond)
	}
	p := h.percentiles()
	tests := []struct {
		name      string
		got, want float64
	}{
		{"p50", p.P50, 500},
		{"p90", p.P90, 900},
		{"p99", p.P99, 990},
		{"p99.9", p.P999, 999},
		{"max", p.Max, 1000},
		{"mean", p.Mean, 500.5},
	}
	for _, tt := range tests {
		if math.Abs(tt.got-tt.want) > tt.want/500 { // 3 significant digits
			t.Errorf("%s: got %.3fms; want %.1fms", tt.name, tt.got, tt.want)
		}
	}
	if p.Count != 1000 {
		t.Errorf("count: got %d; want 1000", p.Count)
	}
}

func TestHistClamps(t *testing.T) {
	h := newHist(time.Second, sigDigits)
	h.record(0)
	h.record(time.Hour)
	p := h.percentiles()
	if p.Count != 2 {
		t.Fatalf("count: got %d; want 2 (out-of-range values clamped, not dropped)", p.Count)
	}
	if limit := (time.Second + histHeadroom).Seconds() * 1000; p.Max < limit*0.99 || p.Max > limit*1.01 {
		t.Errorf("max: got %.0fms; want the range's top, %.0fms", p.Max, limit)
	}
}

func TestSpectrum(t *testing.T) {
	if n := len(spectrumPercentiles); n < 30 || n > 60 {
		t.Errorf("spectrum: %d points; want 30 to 60", n)
	}
	h := newHist(10*time.Second, sigDigits)
	for i := 1; i <= 100_000; i++ {
		h.record(time.Duration(i) * time.Microsecond)
	}
	sp := h.spectrum()
	if sp[0].Percentile != 0 || sp[len(sp)-1].Percentile != 100 {
		t.Errorf("spectrum from %v to %v; want 0 to 100", sp[0].Percentile, sp[len(sp)-1].Percentile)
	}
	if p := sp[len(sp)-2].Percentile; p < 99.999 {
		t.Errorf("spectrum's last percentile before max: %v; want 99.999", p)
	}
	for i := 1; i < len(sp); i++ {
		if sp[i].Percentile <= sp[i-1].Percentile || sp[i].MS < sp[i-1].MS {
			t.Errorf("spectrum not increasing at %d: %v after %v", i, sp[i], sp[i-1])
		}
	}
	if got := sp[len(sp)-1].MS; math.Abs(got-100) > 0.1 {
		t.Errorf("spectrum's max: %.3fms; want 100ms", got)
	}
}

func BenchmarkHistRecord(b *testing.B) {
	h := newHist(10*time.Second, sigDigits)
	b.ReportAllocs()
	for i := range b.N {
		h.record(time.Duration(i%5000) * time.Microsecond)
	}
}

func BenchmarkRecorderAdd(b *testing.B) {
	r := newRecorder(10*time.Second, time.Now())
	facts := &journalFacts{attempts: 1, conns: []int64{1}}
	end := time.Now()
	b.ReportAllocs()
	for i := range b.N {
		r.add(result{entry: i % 3, outcome: "502", verdict: "pass", latency: time.Duration(i%5000) * time.Microsecond,
			end: end, measured: true, journal: facts})
	}
}
