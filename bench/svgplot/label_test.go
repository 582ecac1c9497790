package svgplot

import "testing"

// TestFormatTick checks tick labels: decimals, k, M, e-notation, and ms or s.
func TestFormatTick(t *testing.T) {
	for _, c := range []struct {
		v    float64
		dec  int
		want string
	}{
		{0, -1, "0"}, {0.5, -1, "0.5"}, {250, -1, "250"}, {5000, -1, "5k"}, {12500, -1, "12.5k"}, {2e6, -1, "2M"}, {3e12, -1, "3e12"},
		{0.00005, -1, "5e-5"}, {-1500, -1, "-1.5k"}, {2, 1, "2.0"}, {0.123456789, 9, "0.123457"},
	} {
		if got := FormatTick(c.v, c.dec); got != c.want {
			t.Errorf("FormatTick(%v, %d) = %q; want %q", c.v, c.dec, got, c.want)
		}
	}
	for v, want := range map[float64]string{1: "1 ms", 1000: "1 s", 1200: "1.2 s", 0.1: "0.1 ms", 1e300: "1e297 s", 25000: "25 s", 999: "999 ms"} {
		if got := FormatMSTick(v, -1); got != want {
			t.Errorf("FormatMSTick(%v) = %q; want %q", v, got, want)
		}
	}
}
