package bench

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/gatecheck/gatecheck/scenarios"
)

// htmlTestSpectrum is a latency distribution from p50ms to maxMS over the
// usual percentiles, 100 included.
func htmlTestSpectrum(p50, maxMS float64) []SpectrumPoint {
	qs := []float64{0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 99.999, 100}
	out := make([]SpectrumPoint, len(qs))
	for i, q := range qs {
		f := float64(i) / float64(len(qs)-1)
		out[i] = SpectrumPoint{Percentile: q, MS: p50 * 0.6 * math.Pow(maxMS/(p50*0.6), f*f)}
	}
	return out
}

// htmlTestOutcome is one outcome's figures.
func htmlTestOutcome(scenario, outcome, verdict string, count int64, share, p50, maxMS float64) OutcomeStats {
	return OutcomeStats{Scenario: scenario, Outcome: outcome, Verdict: verdict, Count: count, Share: share, ThroughputRPS: float64(count) / 10,
		Latency:  Percentiles{Count: count, Mean: p50 * 1.1, P50: p50, P90: p50 * 1.5, P99: p50 * 3, P999: p50 * 4, Max: maxMS},
		Spectrum: htmlTestSpectrum(p50, maxMS)}
}

// htmlTestTimeline is ten seconds of completions by outcome, with second 6
// empty (a stall).
func htmlTestTimeline(outcomes map[string]int64, p50 float64) []TimePoint {
	var tl []TimePoint
	for s := 0; s < 10; s++ {
		tp := TimePoint{T: float64(s), Completed: map[string]int64{}}
		if s != 6 {
			for o, n := range outcomes {
				tp.Completed[o] = n + int64(s%3)
			}
			tp.P50, tp.P99, tp.Max = p50*(1+0.1*float64(s%4)), p50*20, p50*60+float64(s)
		}
		tl = append(tl, tp)
	}
	return tl
}

// htmlTestReport is a two-target run with a third target that did not start:
// nginx with resources and a leak, haproxy external (no samples) and behind.
func htmlTestReport() *Report {
	to := scenarios.Timeouts{Connect: time.Second, Read: time.Second}
	var samples []Sample
	for i := -8; i <= 48; i++ {
		t := float64(i) / 4
		samples = append(samples, Sample{T: t, Procs: 3, RSSBytes: int64(20<<20 + i*(1<<18)), FDs: 64 + max(0, i*7), Threads: 9 + max(0, i%5)})
	}
	nginxReset502 := htmlTestOutcome("conn/reset-before-response", "502", "pass", 1180, 0.197, 2.1, 40)
	nginxReset502.Against, nginxReset502.AgainstMS, nginxReset502.OverP50MS, nginxReset502.OverP99MS = "read_timeout", 1000, -997.9, -993.7
	nginx504 := htmlTestOutcome("timeout/slow-headers", "504", "pass", 590, 0.098, 1012, 1100)
	nginx504.Against, nginx504.AgainstMS, nginx504.OverP50MS, nginx504.OverP99MS = "read_timeout", 1000, 12, 30
	haproxy504 := htmlTestOutcome("timeout/slow-headers", "504", "pass", 600, 0.1, 1003, 1040)
	haproxy504.Against, haproxy504.AgainstMS, haproxy504.OverP50MS, haproxy504.OverP99MS = "read_timeout", 1000, 3, 9
	return &Report{
		SchemaVersion: SchemaVersion, GatecheckVersion: "0.1.0-test", Started: time.Date(2025, 11, 27, 9, 15, 0, 0, time.UTC),
		Settings: Settings{Mode: OpenLoop, Rate: 600, Connections: 64, DurationMS: 10000, WarmupMS: 2000, Seed: 42, SampleIntervalMS: 250,
			Mix: []MixEntry{{ID: "pass/ok", Weight: 3}, {ID: "conn/reset-before-response", Weight: 2}, {ID: "timeout/slow-headers", Weight: 1}}},
		Targets: []TargetReport{
			{
				Target: "nginx", TargetVersion: "1.22.1", Timeouts: to, ElapsedMS: 10000, Sent: 6000, Completed: 5990, ThroughputRPS: 599,
				Latency: Percentiles{Count: 5990, Mean: 120, P50: 1.2, P90: 900, P99: 1050, P999: 1090, Max: 1100},
				Outcomes: []OutcomeStats{
					htmlTestOutcome("pass/ok", "passthrough", "pass", 3000, 0.5, 1.1, 25),
					nginxReset502,
					htmlTestOutcome("conn/reset-before-response", "aborted", "non-strict", 20, 0.003, 1.5, 9),
					nginx504,
					htmlTestOutcome("timeout/slow-headers", "hung", "fail", 10, 0.002, 5000, 5000),
				},
				Upstream: &UpstreamStats{Requests: 6100, Connections: 3200, RetriesPerRequest: 0.017, ConnectionsPerRequest: 0.533, Unseen: 2},
				Timeline: htmlTestTimeline(map[string]int64{"passthrough": 300, "502": 118, "504": 59, "aborted": 2, "hung": 1}, 1.2),
				Resources: &Resources{Samples: samples, Before: samples[7], After: samples[len(samples)-1],
					Leaks: []string{"open files 64 -> 400 (+336) after the load"}},
				ClientErrors: map[string]int64{"dial tcp 127.0.0.1:8080: connect: connection refused": 3, "read: connection reset by peer": 7},
			},
			{
				Target: "haproxy", TargetVersion: "2.6.12", Timeouts: to, ElapsedMS: 10000, Sent: 6000, Completed: 5800, Backlog: 12, Resent: 5, ThroughputRPS: 580,
				Latency: Percentiles{Count: 5800, Mean: 100, P50: 0.9, P90: 800, P99: 1010, P999: 1030, Max: 1040},
				Outcomes: []OutcomeStats{
					htmlTestOutcome("pass/ok", "passthrough", "pass", 3000, 0.517, 0.9, 18),
					htmlTestOutcome("conn/reset-before-response", "502", "pass", 2200, 0.379, 1.4, 30),
					haproxy504,
				},
				Upstream: &UpstreamStats{Requests: 6000, Connections: 600, RetriesPerRequest: 0, ConnectionsPerRequest: 0.1},
				Timeline: htmlTestTimeline(map[string]int64{"passthrough": 300, "502": 220, "504": 60}, 0.9),
			},
			{Target: "caddy", Timeouts: to, Error: "start caddy: exec: \"caddy\": executable file not found in $PATH"},
		},
	}
}

// htmlTestInterruptedReport is htmlTestReport cut short by an interrupt, with
// haproxy caught in the middle of its load.
func htmlTestInterruptedReport() *Report {
	r := htmlTestReport()
	r.Interrupted = true
	r.Targets[1].Interrupted = true
	return r
}

// htmlRender renders r as HTML.
func htmlRender(t testing.TB, r *Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		t.Fatalf("WriteHTML: %v", err)
	}
	return b.String()
}

// htmlParse parses doc as the browser would.
func htmlParse(t testing.TB, doc string) *html.Node {
	t.Helper()
	n, err := html.Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatalf("parse HTML: %v", err)
	}
	return n
}

// htmlAttr is n's attribute key, or "".
func htmlAttr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// htmlFindAll lists the element nodes under n (n included) that match.
func htmlFindAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

// htmlText is the text under n.
func htmlText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// htmlPlotSummary is a rendered plot: its kind, what it covers, and its series.
type htmlPlotSummary struct {
	kind, target, scenario, outcome string
	series                          []*html.Node
}

// htmlPlots lists the SVG plots of a parsed page, in order.
func htmlPlots(doc *html.Node) []htmlPlotSummary {
	var out []htmlPlotSummary
	for _, svg := range htmlFindAll(doc, func(n *html.Node) bool { return n.Data == "svg" && htmlAttr(n, "data-plot") != "" }) {
		out = append(out, htmlPlotSummary{kind: htmlAttr(svg, "data-plot"), target: htmlAttr(svg, "data-target"),
			scenario: htmlAttr(svg, "data-scenario"), outcome: htmlAttr(svg, "data-outcome"),
			series: htmlFindAll(svg, func(n *html.Node) bool { return n.Data == "path" || n.Data == "polyline" })})
	}
	return out
}

// htmlWantPlots is, from the report alone, the number of series each plot must
// have: by kind, then by target or scenario and outcome.
func htmlWantPlots(r *Report) map[string]int {
	want := map[string]int{}
	for _, t := range r.Targets {
		if t.Error != "" {
			continue
		}
		// Every target that ran has its plots over time, empty if nothing
		// completed, and its resource plots if it was sampled at all.
		seen := map[string]bool{}
		for _, p := range t.Timeline {
			for o, n := range p.Completed {
				if n > 0 {
					seen[o] = true
				}
			}
		}
		want["latency-time "+t.Target] = 0
		if len(seen) > 0 {
			want["latency-time "+t.Target] = 3
		}
		want["throughput-time "+t.Target] = len(seen)
		if t.Resources != nil {
			sampled := min(len(t.Resources.Samples), 1)
			want["rss-time "+t.Target] = sampled
			want["fds-time "+t.Target] = sampled
			want["threads-time "+t.Target] = 2 * sampled
		}
		for _, o := range t.Outcomes {
			want["spectrum "+o.Scenario+" "+o.Outcome]++
		}
	}
	return want
}

// htmlPlotKey is a plot's key in wantPlots.
func htmlPlotKey(p htmlPlotSummary) string {
	if p.kind == "spectrum" {
		return p.kind + " " + p.scenario + " " + p.outcome
	}
	return p.kind + " " + p.target
}

// htmlCheckPlots fails unless the page has exactly the plots the report calls
// for, each with one path per series, each path with a hover title.
func htmlCheckPlots(t testing.TB, r *Report, doc *html.Node) {
	t.Helper()
	want := htmlWantPlots(r)
	seen := map[string]bool{}
	for _, p := range htmlPlots(doc) {
		key := htmlPlotKey(p)
		if seen[key] {
			t.Errorf("plot %s: drawn twice", key)
		}
		seen[key] = true
		n, ok := want[key]
		if !ok {
			t.Errorf("plot %s: not one the report calls for", key)
			continue
		}
		if len(p.series) != n {
			t.Errorf("plot %s: %d paths; want %d, one per series", key, len(p.series), n)
		}
		for _, s := range p.series {
			if htmlAttr(s, "d") == "" {
				t.Errorf("plot %s: series %s has an empty path", key, htmlAttr(s, "data-series"))
			}
			titles := htmlFindAll(s, func(n *html.Node) bool { return n.Data == "title" })
			if len(titles) != 1 || htmlText(titles[0]) == "" {
				t.Errorf("plot %s: series %s has %d titles; want one, not empty", key, htmlAttr(s, "data-series"), len(titles))
			}
		}
	}
	for key := range want {
		if !seen[key] {
			t.Errorf("plot %s: missing", key)
		}
	}
}

// htmlSVGFragment finds each inline SVG of the page.
var htmlSVGFragment = regexp.MustCompile(`(?s)<svg\b.*?</svg>`)

// htmlCheckSVGs fails unless every SVG of doc is well-formed XML whose numbers
// are finite and whose path coordinates lie within its viewBox.
func htmlCheckSVGs(t testing.TB, doc string) {
	t.Helper()
	frags := htmlSVGFragment.FindAllString(doc, -1)
	if len(frags) == 0 {
		t.Error("the page has no SVG")
	}
	notFinite := regexp.MustCompile(`(?i)nan|inf`)
	number := regexp.MustCompile(`-?[0-9]+(?:\.[0-9]+)?(?:e[-+]?[0-9]+)?`)
	for i, frag := range frags {
		d := xml.NewDecoder(strings.NewReader(frag))
		d.Strict = true
		var w, h float64
		for {
			tok, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Errorf("SVG %d is not well-formed: %v\n%.400s", i, err, frag)
				break
			}
			se, ok := tok.(xml.StartElement)
			if !ok {
				continue
			}
			for _, a := range se.Attr {
				switch a.Name.Local {
				case "viewBox":
					f := strings.Fields(a.Value)
					if len(f) != 4 {
						t.Errorf("SVG %d: viewBox %q", i, a.Value)
						continue
					}
					w, _ = strconv.ParseFloat(f[2], 64)
					h, _ = strconv.ParseFloat(f[3], 64)
				case "d", "x", "y", "x1", "x2", "y1", "y2", "width", "height", "transform":
					if notFinite.MatchString(a.Value) {
						t.Errorf("SVG %d: <%s %s=%q> is not a finite number", i, se.Name.Local, a.Name.Local, a.Value)
					}
				}
				if a.Name.Local != "d" {
					continue
				}
				for _, cmd := range regexp.MustCompile(`[MLh]\s*[^MLhZ]*`).FindAllString(a.Value, -1) {
					nums := number.FindAllString(cmd, -1)
					if cmd[0] == 'h' {
						continue
					}
					if len(nums) != 2 {
						t.Errorf("SVG %d: path command %q", i, cmd)
						continue
					}
					x, _ := strconv.ParseFloat(nums[0], 64)
					y, _ := strconv.ParseFloat(nums[1], 64)
					if x < 0 || x > w || y < 0 || y > h {
						t.Errorf("SVG %d: path point %v,%v outside its %vx%v viewBox", i, x, y, w, h)
					}
				}
			}
		}
	}
}

// TestHTMLPlots renders the report: it parses, every SVG is well-formed with
// finite coordinates inside it, and every plot has one path per series.
func TestHTMLPlots(t *testing.T) {
	r := htmlTestReport()
	doc := htmlRender(t, r)
	root := htmlParse(t, doc)
	htmlCheckPlots(t, r, root)
	htmlCheckSVGs(t, doc)

	kinds := map[string]int{}
	for _, p := range htmlPlots(root) {
		kinds[p.kind]++
	}
	for i, svg := range htmlSVGFragment.FindAllString(doc, -1) {
		for _, part := range []string{`class="axis-title"`, `class="xt"`, `class="yt"`, `class="legend-label"`} {
			if !strings.Contains(svg, part) {
				t.Errorf("SVG %d lacks %s", i, part)
			}
		}
	}
	if want := map[string]int{"latency-time": 2, "throughput-time": 2, "spectrum": 5, "rss-time": 1, "fds-time": 1, "threads-time": 1}; fmt.Sprint(kinds) != fmt.Sprint(want) {
		t.Errorf("plots by kind: %v; want %v", kinds, want)
	}
	// The 504's distribution plot has its timeout as a reference line, the
	// resource plots the warm-up and settle bands.
	for _, want := range []string{`>read_timeout 1s</text>`, `class="band-label"`, `>warm-up</text>`, `>settle</text>`,
		`>99.999</text>`, `>max</text>`, `>1 s</text>`} {
		if !strings.Contains(doc, want) {
			t.Errorf("HTML lacks %s", want)
		}
	}
}

// TestHTMLTargets checks every target's column: its figures, every outcome's
// row with its verdict, the comparison of 502 and 504 with the declared
// timeout, the leak, the client errors, and the error of the one that did not
// start.
func TestHTMLTargets(t *testing.T) {
	r := htmlTestReport()
	doc := htmlRender(t, r)
	root := htmlParse(t, doc)

	sections := htmlFindAll(root, func(n *html.Node) bool {
		return n.Data == "section" && strings.Contains(htmlAttr(n, "class"), "target")
	})
	if len(sections) != len(r.Targets) {
		t.Fatalf("%d target sections; want %d", len(sections), len(r.Targets))
	}
	for i, s := range sections {
		if got := htmlAttr(s, "data-target"); got != r.Targets[i].Target {
			t.Errorf("section %d is %q; want %q", i, got, r.Targets[i].Target)
		}
	}
	rows := htmlFindAll(root, func(n *html.Node) bool { return n.Data == "tr" && htmlAttr(n, "data-outcome") != "" })
	seen := map[string]int{}
	for _, row := range rows {
		seen[htmlAttr(row, "data-target")+" "+htmlAttr(row, "data-scenario")+" "+htmlAttr(row, "data-outcome")+" "+htmlAttr(row, "data-verdict")]++
	}
	n := 0
	for _, tr := range r.Targets {
		for _, o := range tr.Outcomes {
			n++
			if k := tr.Target + " " + o.Scenario + " " + o.Outcome + " " + o.Verdict; seen[k] != 1 {
				t.Errorf("outcome row %s: found %d times; want once", k, seen[k])
			}
		}
	}
	if len(rows) != n {
		t.Errorf("%d outcome rows; want %d", len(rows), n)
	}
	text := html.UnescapeString(doc)
	for _, want := range []string{
		`<td class="outcome"><span class="swatch v-pass" title="pass">✓ 502</span></td>`,
		`<td class="outcome"><span class="swatch v-non-strict" title="non-strict">~ aborted</span></td>`,
		`<td class="outcome"><span class="swatch v-fail" title="fail">✗ hung</span></td>`,
		`<span class="swatch v-non-strict">non-strict</span>`,
		`vs read_timeout 1s: p50 +12 ms, p99 +30 ms`, `vs read_timeout 1s: p50 −998 ms, p99 −994 ms`,
		`<tr class="against late"><td colspan="8">vs read_timeout 1s: p50 +12 ms`,
		`<dt>backlog</dt><dd class="warn">12 due but never sent (every connection busy: the load fell behind)</dd>`,
		`<dt>resent</dt><dd>5 requests, on a new connection, after the proxy had closed an idle one</dd>`, `<dt>throughput</dt><dd>599.0 requests/s</dd>`,
		`<dt>retries / request</dt><dd>0.017</dd>`, `<dd class="warn">2 requests never reached the upstream</dd>`,
		`<li>suspected leak: open files 64 -> 400 (+336) after the load</li>`,
		`<tr class="leak"><td class="l">open files</td><td class="num">64</td><td class="num">400</td><td class="num">+336</td></tr>`,
		`<p class="missing">not sampled: gatecheck cannot see this target's processes</p>`,
		`could not be measured: start caddy: exec: "caddy": executable file not found in $PATH`,
		`<dt>load</dt><dd>600.0 requests/s, at most 64 connections</dd>`, `<dt>warm-up</dt><dd>2s</dd>`, `<dt>seed</dt><dd>42</dd>`,
		`<li><code>pass/ok ×3 (50.0%)</code></li>`, `started 2025-11-27 09:15:00 UTC`, `gatecheck 0.1.0-test`,
		`declared timeouts: connect 1s, read 1s, 0 retries`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("HTML lacks %s", want)
		}
	}
	// Client errors: most frequent first.
	if a, b := strings.Index(doc, "read: connection reset by peer"), strings.Index(doc, "connection refused"); a < 0 || b < 0 || a > b {
		t.Errorf("client errors missing or not most frequent first (%d, %d)", a, b)
	}
	if strings.Contains(doc, `id="interrupted"`) || strings.Contains(doc, `class="badge"`) {
		t.Error("a complete run is marked interrupted")
	}

	doc = htmlRender(t, htmlTestInterruptedReport())
	if !strings.Contains(doc, `<p class="banner" id="interrupted">interrupted: partial figures.`) {
		t.Error("an interrupted run has no banner")
	}
	if got := strings.Count(doc, `<span class="badge">interrupted</span>`); got != 2 {
		t.Errorf("%d targets marked interrupted; want the 2 that ran", got)
	}
}

// TestHTMLDeterministic renders the same report many times, and a copy whose
// maps were filled in another order: the bytes never change.
func TestHTMLDeterministic(t *testing.T) {
	first := htmlRender(t, htmlTestReport())
	for i := 0; i < 20; i++ {
		if again := htmlRender(t, htmlTestReport()); again != first {
			t.Fatalf("render %d differs from the first", i)
		}
	}
	r := htmlTestReport()
	for ti := range r.Targets {
		tr := &r.Targets[ti]
		for pi := range tr.Timeline {
			m := map[string]int64{}
			keys := htmlSortedKeys(tr.Timeline[pi].Completed)
			for k := len(keys) - 1; k >= 0; k-- {
				m[keys[k]] = tr.Timeline[pi].Completed[keys[k]]
			}
			tr.Timeline[pi].Completed = m
		}
	}
	if again := htmlRender(t, r); again != first {
		t.Error("the same report with its maps filled in another order gave different HTML")
	}

	// Points out of order are drawn in order: the timeline, the samples and
	// the spectra reversed give the same page.
	r = htmlTestReport()
	for ti := range r.Targets {
		tr := &r.Targets[ti]
		slices.Reverse(tr.Timeline)
		if tr.Resources != nil {
			slices.Reverse(tr.Resources.Samples)
		}
		for oi := range tr.Outcomes {
			slices.Reverse(tr.Outcomes[oi].Spectrum)
		}
	}
	if again := htmlRender(t, r); again != first {
		t.Error("the same report with its points out of order gave different HTML")
	}
}

// htmlSortedKeys are m's keys, sorted.
func htmlSortedKeys(m map[string]int64) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// htmlTestNotFiniteReport is htmlTestReport filled with NaN, infinities and
// huge values, in the figures, the spectra, the timeline and the samples.
func htmlTestNotFiniteReport() *Report {
	r := htmlTestReport()
	nan, inf := math.NaN(), math.Inf(1)
	a := &r.Targets[0]
	a.ThroughputRPS = nan
	a.Latency = Percentiles{P50: nan, P90: inf, P99: math.Inf(-1), P999: 1e308, Max: math.MaxFloat64}
	a.Outcomes[0].Spectrum = append(a.Outcomes[0].Spectrum, SpectrumPoint{Percentile: nan, MS: 3}, SpectrumPoint{Percentile: 99.9999, MS: inf},
		SpectrumPoint{Percentile: inf, MS: nan}, SpectrumPoint{Percentile: -5, MS: -1})
	a.Outcomes[1].Spectrum = []SpectrumPoint{{0, 1e300}, {50, math.MaxFloat64}, {100, 1e308}}
	a.Outcomes[1].AgainstMS, a.Outcomes[1].OverP50MS = inf, nan
	a.Outcomes[2].Share = nan
	a.Timeline[2].P50, a.Timeline[3].P99, a.Timeline[4].Max, a.Timeline[5].T = nan, inf, 1e305, nan
	a.Timeline[7].Completed["passthrough"] = math.MaxInt64
	a.Resources.Samples[3].T = nan
	a.Resources.Samples[4].RSSBytes = math.MaxInt64
	a.Upstream.RetriesPerRequest = inf
	r.Targets[1].ElapsedMS = math.MaxInt64
	r.Settings.Rate = nan
	return r
}

// TestHTMLNotFinite fills the report with NaN, infinities and huge values: the
// page still renders, its SVG has only finite coordinates, and its tables
// write a dash.
func TestHTMLNotFinite(t *testing.T) {
	doc := htmlRender(t, htmlTestNotFiniteReport())
	htmlParse(t, doc)
	htmlCheckSVGs(t, doc)
	for _, frag := range htmlSVGFragment.FindAllString(doc, -1) {
		if m := regexp.MustCompile(`NaN|[-+]?Inf\b`).FindString(frag); m != "" {
			t.Errorf("an SVG has %q", m)
		}
	}
	if m := regexp.MustCompile(`NaN|[-+]?Inf\b`).FindString(doc); m != "" {
		t.Errorf("the page has %q", m)
	}
	if !strings.Contains(doc, `<dt>throughput</dt><dd>– requests/s</dd>`) {
		t.Error("a NaN throughput is not a dash")
	}
}

// htmlTestSparseReports are reports with little or nothing in them, by name:
// no targets, a nil report, no timeline, no samples, a single point, zero
// latencies, plain mode without upstream; "plain URL" sets the URL alone.
func htmlTestSparseReports() map[string]*Report {
	one := TargetReport{Target: "one", ElapsedMS: 1000, Sent: 1, Completed: 1,
		Outcomes:  []OutcomeStats{{Outcome: "200", Count: 1, Share: 1, Spectrum: []SpectrumPoint{{0, 0}, {100, 0}}}},
		Timeline:  []TimePoint{{T: 0, Completed: map[string]int64{"200": 1}}},
		Resources: &Resources{Samples: []Sample{{T: 0.5, Procs: 1, RSSBytes: 1 << 20, FDs: 5, Threads: 1}}}}
	empty := TargetReport{Target: "empty", Resources: &Resources{}}
	named := func(t TargetReport, name string) TargetReport {
		t.Target = name
		return t
	}
	return map[string]*Report{
		"nil":         nil,
		"no targets":  {},
		"plain":       {Settings: Settings{Mode: ClosedLoop, URL: "http://127.0.0.1:8080/", Connections: 4}, Targets: []TargetReport{one, empty}},
		"plain URL":   {Settings: Settings{URL: "http://127.0.0.1:8080/"}, Targets: []TargetReport{one, empty}},
		"errors only": {Interrupted: true, Targets: []TargetReport{{Target: "a", Error: "boom"}, {Target: "b", Error: "bang"}}},
		"five":        {Targets: []TargetReport{named(one, "a"), named(one, "b"), named(one, "c"), named(one, "d"), named(one, "e")}},
	}
}

// TestHTMLSparse renders reports with little or nothing in them: no targets,
// a nil report, no timeline, no samples, a single point, zero latencies, plain
// mode without upstream.
func TestHTMLSparse(t *testing.T) {
	sparse := htmlTestSparseReports()
	for name, r := range sparse {
		t.Run(name, func(t *testing.T) {
			doc := htmlRender(t, r)
			root := htmlParse(t, doc)
			if r != nil {
				htmlCheckPlots(t, r, root)
			}
			if strings.Contains(doc, "<svg") {
				htmlCheckSVGs(t, doc)
			}
			if m := regexp.MustCompile(`NaN|[-+]?Inf\b`).FindString(doc); m != "" {
				t.Errorf("the page has %q", m)
			}
		})
	}
	doc := htmlRender(t, sparse["plain URL"])
	for _, want := range []string{`<p class="missing">plain mode: no fake upstream</p>`, `no request completed in the measured window`, `>no samples</text>`} {
		if !strings.Contains(doc, want) {
			t.Errorf("HTML lacks %s", want)
		}
	}
}

// htmlTestEvil is markup that must stay text wherever it lands; n tells one
// place from another.
func htmlTestEvil(n int) string {
	return fmt.Sprintf(`x"><script>alert(%d)</script><img src=y onerror=alert(%d)>'`, n, n)
}

// htmlTestEscapesReport is htmlTestReport with markup everywhere a report's
// text can reach: htmlTestEvil(n) in version, mix, scenario, outcome, timeout,
// leak, client error, timeline and error, and a target named <script>.
func htmlTestEscapesReport() *Report {
	evil := htmlTestEvil
	r := htmlTestReport()
	r.GatecheckVersion = evil(1)
	r.Settings.Mix[0].ID = evil(2)
	r.Targets[0].Target = "<script>"
	r.Targets[0].TargetVersion = evil(3)
	r.Targets[0].Outcomes[0].Scenario = evil(2)
	r.Targets[0].Outcomes[1].Outcome = evil(4)
	r.Targets[0].Outcomes[1].Verdict = `odd"><b>bold</b>`
	r.Targets[0].Outcomes[3].Against = evil(5)
	r.Targets[0].Resources.Leaks = []string{evil(6)}
	r.Targets[0].ClientErrors = map[string]int64{evil(7): 1}
	r.Targets[0].Timeline[0].Completed[evil(8)] = 4
	r.Targets[1].Target = evil(9)
	r.Targets[2].Error = evil(10)
	return r
}

// TestHTMLEscapes puts markup everywhere a report's text can reach and checks
// that none of it becomes markup, in the tables or in the SVG.
func TestHTMLEscapes(t *testing.T) {
	evil := htmlTestEvil
	r := htmlTestEscapesReport()
	doc := htmlRender(t, r)
	root := htmlParse(t, doc)

	if n := len(htmlFindAll(root, func(n *html.Node) bool { return n.Data == "script" || n.Data == "img" || n.Data == "b" })); n != 0 {
		t.Errorf("the parsed page has %d script, img or b elements; want none", n)
	}
	for _, bad := range []string{"<img", "<b>bold", "<script>", `"x"`} {
		if strings.Contains(doc, bad) {
			t.Errorf("HTML contains %q unescaped", bad)
		}
	}
	// The hostile names are there, as text, in the tables and in the plots.
	h3 := htmlFindAll(root, func(n *html.Node) bool { return n.Data == "h3" })
	if len(h3) == 0 || !strings.HasPrefix(htmlText(h3[0]), "<script>") {
		t.Errorf("the first target's heading is not the text <script>")
	}
	titles := 0
	for _, n := range htmlFindAll(root, func(n *html.Node) bool { return n.Data == "title" }) {
		if strings.Contains(htmlText(n), "<script>") || strings.Contains(htmlText(n), evil(9)) {
			titles++
		}
	}
	if titles == 0 {
		t.Error("no plot's hover title names the hostile targets")
	}
	if !strings.Contains(doc, `class="swatch v-unknown"`) {
		t.Error("an unknown verdict did not get the v-unknown class")
	}
	htmlCheckPlots(t, r, root)
	htmlCheckSVGs(t, doc)
}

// TestHTMLSelfContained checks that the page loads nothing and links nowhere.
func TestHTMLSelfContained(t *testing.T) {
	doc := htmlRender(t, htmlTestReport())
	external := regexp.MustCompile(`(?i)<(link|img|iframe|object|embed|audio|video|source|base|script|image|use|foreignObject)\b|\s(src|href|xlink:href)=|@import|url\(|https?://`)
	if m := external.FindString(doc); m != "" {
		t.Errorf("HTML loads or links a resource: %q", m)
	}
}
