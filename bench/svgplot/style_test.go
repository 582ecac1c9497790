package svgplot

import "testing"

// TestStyles checks that the first lines differ in colour, the next in dash,
// and that the palettes go round.
func TestStyles(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 32; i++ {
		c, d := LineStyle(i)
		if seen[c+" "+d] {
			t.Errorf("LineStyle(%d) = %s %q repeats an earlier one", i, c, d)
		}
		seen[c+" "+d] = true
		if (d == "") != (i < 8) {
			t.Errorf("LineStyle(%d) has dash %q", i, d)
		}
	}
	if c, d := LineStyle(32); c != "#1f4e9c" || d != "" {
		t.Errorf("LineStyle(32) = %s %q; want the first again", c, d)
	}
	if AreaColour(0) != "#4e79a7" || AreaColour(10) != AreaColour(0) || AreaColour(1) == AreaColour(0) {
		t.Error("AreaColour does not go round its ten colours")
	}
}
