package svgplot

// Colours. Lines that overlay one another take the strong ones; stacked
// areas take a softer palette of their own.
var (
	lineColours = []string{"#1f4e9c", "#c2410c", "#15803d", "#7e22ce", "#0e7490", "#a16207", "#be123c", "#334155"}
	lineDashes  = []string{"", "6 3", "2 3", "8 3 2 3"}
	areaColours = []string{"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"}
)

// LineStyle returns the colour and stroke-dasharray ("" for solid) of the i-th
// of several lines told apart, i from 0: eight colours solid, then the eight
// again in each of three dash patterns, and round again after 32.
func LineStyle(i int) (colour, dash string) {
	return lineColours[i%len(lineColours)], lineDashes[(i/len(lineColours))%len(lineDashes)]
}

// AreaColour returns the fill of the i-th of several stacked areas, i from 0:
// ten colours, and round again.
func AreaColour(i int) string {
	return areaColours[i%len(areaColours)]
}
