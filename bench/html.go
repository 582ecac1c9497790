package bench

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gatecheck/gatecheck/bench/svgplot"
	"github.com/gatecheck/gatecheck/scenarios"
)

//go:embed report.html.tmpl
var htmlPageSource string

// htmlReport renders the HTML report. html/template escapes every value for
// where it lands, in the tables and in the SVG plots alike, so a target's name
// or an outcome word cannot become markup.
var htmlReport = template.Must(template.New("bench").Parse(htmlPageSource))

// WriteHTML writes r as one self-contained HTML page: inline CSS and inline
// SVG, no script, nothing loaded from elsewhere, so it reads the same opened
// from disk. The header gives the run's settings; each target then has a
// column (side by side for up to four) with its figures and outcome table, and
// the plots follow: latency and throughput over time per target, the latency
// distribution of each scenario's outcome with the targets overlaid, and the
// proxy's RSS, open files and threads over the run. The same Report always
// gives the same bytes.
func WriteHTML(w io.Writer, r *Report) error {
	if r == nil {
		r = &Report{}
	}
	return htmlReport.Execute(w, htmlView(r))
}

// htmlPage is what the template renders.
type htmlPage struct {
	Version, Started string
	Settings         []htmlFact
	Mix              []string
	Interrupted      bool
	// Cols is the class laying the targets out: cols-1 to cols-4, cols-many.
	Cols    string
	Targets []htmlTarget
	// Keys are the targets' colours in the plots that overlay them.
	Keys    []htmlKey
	Spectra []htmlSpectrum
	Legend  []htmlVerdict
}

// htmlFact is one term and its value; Class marks one to notice.
type htmlFact struct {
	Term, Value, Class string
}

// htmlKey is a target's colour and dash in the overlaid plots.
type htmlKey struct {
	Name, Colour, Dash string
}

// htmlVerdict is a verdict word, its mark and its colour class.
type htmlVerdict struct {
	Verdict, Mark, Class, Meaning string
}

// htmlTarget is one target's column.
type htmlTarget struct {
	Name, Version, Timeouts, Error string
	Colour                         string
	Interrupted                    bool
	Facts                          []htmlFact
	// Latency is the overall p50, p90, p99, p99.9, max and mean.
	Latency    []htmlFact
	Outcomes   []htmlOutcome
	Upstream   []htmlFact
	NoUpstream string
	Resources  []htmlResource
	// NoResources says why there are no resource figures.
	NoResources  string
	Leaks        []string
	ClientErrors []htmlCount

	LatencyPlot, ThroughputPlot *plotSpec
	// ResourcePlots are RSS, open files, and threads and processes.
	ResourcePlots []*plotSpec
}

// htmlOutcome is one row of a target's outcome table; Scenario is set on the
// first row of each scenario, which heads its group.
type htmlOutcome struct {
	Scenario                string
	First                   bool
	Outcome, Verdict, Class string
	// Mark is the verdict's sign beside the outcome: ✓, ~, ✗ or ?.
	Mark                     string
	Count, Share             string
	P50, P90, P99, P999, Max string
	// Against compares p50 and p99 with the declared timeout (502 and 504);
	// AgainstLate is set when the p50 came after it.
	Against                  string
	AgainstLate              bool
	DataScenario, DataTarget string
}

// htmlResource is one figure before and after the load.
type htmlResource struct {
	Name, Before, After, Delta string
	Leak                       bool
}

// htmlCount is a client error and how often it happened.
type htmlCount struct {
	Message string
	Count   int64
}

// htmlSpectrum is one distribution plot and its heading.
type htmlSpectrum struct {
	Scenario, Outcome string
	Verdicts          []htmlVerdict
	Plot              *plotSpec
}

// htmlVerdictClass is the CSS class of a verdict and its mark, as the
// compliance matrix has them; any other word is v-unknown, marked ?.
func htmlVerdictClass(v string) (class, mark string) {
	switch w := scenarios.Verdict(v); w {
	case scenarios.VerdictPass, scenarios.VerdictNonStrict, scenarios.VerdictFail:
		return "v-" + v, w.Mark()
	case "":
		return "", ""
	}
	return "v-unknown", "?"
}

// htmlView turns the report into what the template renders.
func htmlView(r *Report) htmlPage {
	p := htmlPage{Version: r.GatecheckVersion, Interrupted: r.Interrupted}
	if !r.Started.IsZero() {
		p.Started = r.Started.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	p.Settings, p.Mix = htmlSettings(r.Settings)
	switch n := len(r.Targets); {
	case n <= 4:
		p.Cols = "cols-" + strconv.Itoa(max(n, 1))
	default:
		p.Cols = "cols-many"
	}
	for _, l := range []htmlVerdict{
		{Verdict: string(scenarios.VerdictPass), Meaning: "the outcome is one the scenario passes"},
		{Verdict: string(scenarios.VerdictNonStrict), Meaning: "handled safely, but not as the RFC prefers"},
		{Verdict: string(scenarios.VerdictFail), Meaning: "anything else"},
	} {
		l.Class, l.Mark = htmlVerdictClass(l.Verdict)
		p.Legend = append(p.Legend, l)
	}

	latency, throughput := plotLatencyTime(r.Targets), plotThroughputTime(r.Targets)
	resources := plotResources(r)
	for i := range r.Targets {
		t := &r.Targets[i]
		ht := htmlTargetView(r, t)
		ht.Colour, _ = svgplot.LineStyle(i)
		ht.LatencyPlot, ht.ThroughputPlot = latency[i], throughput[i]
		for _, kind := range resources {
			if kind[i] != nil {
				ht.ResourcePlots = append(ht.ResourcePlots, kind[i])
			}
		}
		p.Targets = append(p.Targets, ht)
		c, d := svgplot.LineStyle(i)
		p.Keys = append(p.Keys, htmlKey{Name: t.Target, Colour: c, Dash: d})
	}
	for _, k := range plotSpectrumKeys(r) {
		s := htmlSpectrum{Scenario: k.Scenario, Outcome: k.Outcome, Plot: plotSpectrum(r, k)}
		seen := map[string]bool{}
		for _, t := range r.Targets {
			for _, o := range t.Outcomes {
				if o.Scenario == k.Scenario && o.Outcome == k.Outcome && o.Verdict != "" && !seen[o.Verdict] {
					seen[o.Verdict] = true
					v := htmlVerdict{Verdict: o.Verdict}
					v.Class, v.Mark = htmlVerdictClass(o.Verdict)
					s.Verdicts = append(s.Verdicts, v)
				}
			}
		}
		p.Spectra = append(p.Spectra, s)
	}
	return p
}

// htmlSettings are the load's settings as facts, and the mix as lines.
func htmlSettings(s Settings) ([]htmlFact, []string) {
	var facts []htmlFact
	if s.Mode != "" {
		facts = append(facts, htmlFact{Term: "mode", Value: string(s.Mode)})
	}
	if s.URL != "" {
		facts = append(facts, htmlFact{Term: "URL", Value: s.URL})
	}
	var load []string
	if s.Rate > 0 || s.Mode == OpenLoop {
		load = append(load, htmlNum(s.Rate, 1)+" requests/s")
	}
	if s.Connections > 0 {
		c := strconv.Itoa(s.Connections) + " " + htmlPlural(s.Connections, "connection")
		if s.Mode == OpenLoop {
			c = "at most " + c
		}
		load = append(load, c)
	}
	if len(load) > 0 {
		facts = append(facts, htmlFact{Term: "load", Value: strings.Join(load, ", ")})
	}
	facts = append(facts, htmlFact{Term: "duration", Value: htmlDuration(float64(s.DurationMS))},
		htmlFact{Term: "warm-up", Value: htmlDuration(float64(s.WarmupMS))})
	if s.MaxRequests > 0 {
		facts = append(facts, htmlFact{Term: "max requests", Value: strconv.FormatInt(s.MaxRequests, 10)})
	}
	facts = append(facts, htmlFact{Term: "seed", Value: strconv.FormatInt(s.Seed, 10)})
	if s.SampleIntervalMS > 0 {
		facts = append(facts, htmlFact{Term: "resources sampled", Value: "every " + htmlDuration(float64(s.SampleIntervalMS))})
	}
	var total int64
	for _, m := range s.Mix {
		total += int64(max(m.Weight, 0))
	}
	var mix []string
	for _, m := range s.Mix {
		svgLine := m.ID + " ×" + strconv.Itoa(m.Weight)
		if total > 0 {
			svgLine += " (" + htmlShare(float64(max(m.Weight, 0))/float64(total)) + ")"
		}
		mix = append(mix, svgLine)
	}
	return facts, mix
}

// htmlTargetView is one target's column, without its plots.
func htmlTargetView(r *Report, t *TargetReport) htmlTarget {
	ht := htmlTarget{Name: t.Target, Version: t.TargetVersion, Timeouts: t.Timeouts.String(), Error: t.Error,
		Interrupted: t.Interrupted || (r.Interrupted && t.Error == "")}
	if t.Error != "" {
		return ht
	}
	ht.Facts = []htmlFact{
		{Term: "sent", Value: strconv.FormatInt(t.Sent, 10)},
		{Term: "completed", Value: strconv.FormatInt(t.Completed, 10)},
		{Term: "throughput", Value: htmlNum(t.ThroughputRPS, 1) + " requests/s"},
		{Term: "measured", Value: htmlDuration(float64(t.ElapsedMS))},
	}
	if t.Backlog != 0 {
		ht.Facts = append(ht.Facts, htmlFact{Term: "backlog", Value: strconv.FormatInt(t.Backlog, 10) + " due but never sent (every connection busy: the load fell behind)", Class: "warn"})
	}
	if t.Resent != 0 {
		ht.Facts = append(ht.Facts, htmlFact{Term: "resent", Value: strconv.FormatInt(t.Resent, 10) + " " + htmlPlural(int(min(t.Resent, 2)), "request") + ", on a new connection, after the proxy had closed an idle one"})
	}
	l := t.Latency
	ht.Latency = []htmlFact{{"p50", htmlMS(l.P50), ""}, {"p90", htmlMS(l.P90), ""}, {"p99", htmlMS(l.P99), ""},
		{"p99.9", htmlMS(l.P999), ""}, {"max", htmlMS(l.Max), ""}, {"mean", htmlMS(l.Mean), ""}}

	prev := "\x00"
	for _, o := range t.Outcomes {
		ho := htmlOutcome{Outcome: o.Outcome, Verdict: o.Verdict,
			Count: strconv.FormatInt(o.Count, 10), Share: htmlShare(o.Share),
			P50: htmlMS(o.Latency.P50), P90: htmlMS(o.Latency.P90), P99: htmlMS(o.Latency.P99), P999: htmlMS(o.Latency.P999), Max: htmlMS(o.Latency.Max),
			DataScenario: o.Scenario, DataTarget: t.Target}
		ho.Class, ho.Mark = htmlVerdictClass(o.Verdict)
		if o.Scenario != prev {
			ho.First, ho.Scenario, prev = true, o.Scenario, o.Scenario
		}
		if o.Against != "" {
			ho.Against = fmt.Sprintf("vs %s %s: p50 %s ms, p99 %s ms", o.Against, htmlDuration(o.AgainstMS), htmlSignedMS(o.OverP50MS), htmlSignedMS(o.OverP99MS))
			ho.AgainstLate = o.OverP50MS > 0
		}
		ht.Outcomes = append(ht.Outcomes, ho)
	}

	if u := t.Upstream; u != nil {
		ht.Upstream = []htmlFact{
			{Term: "requests", Value: strconv.FormatInt(u.Requests, 10)},
			{Term: "connections", Value: strconv.FormatInt(u.Connections, 10)},
			{Term: "retries / request", Value: htmlNum(u.RetriesPerRequest, 3)},
			{Term: "connections / request", Value: htmlNum(u.ConnectionsPerRequest, 3)},
			{Term: "unseen", Value: strconv.FormatInt(u.Unseen, 10) + " " + htmlPlural(int(min(u.Unseen, 2)), "request") + " never reached the upstream"},
		}
		if u.Unseen > 0 {
			ht.Upstream[4].Class = "warn"
		}
	} else if r.Settings.URL != "" {
		ht.NoUpstream = "plain mode: no fake upstream"
	} else {
		ht.NoUpstream = "no upstream figures"
	}

	if res := t.Resources; res != nil {
		leaks := strings.ToLower(strings.Join(res.Leaks, "\n"))
		for _, f := range []struct {
			name string
			get  func(Sample) float64
			rss  bool
		}{
			{"RSS", func(s Sample) float64 { return htmlMiB(s.RSSBytes) }, true},
			{"open files", func(s Sample) float64 { return float64(s.FDs) }, false},
			{"threads", func(s Sample) float64 { return float64(s.Threads) }, false},
			{"processes", func(s Sample) float64 { return float64(s.Procs) }, false},
		} {
			b, a := f.get(res.Before), f.get(res.After)
			hr := htmlResource{Name: f.name, Before: htmlResourceValue(b, f.rss), After: htmlResourceValue(a, f.rss), Delta: htmlResourceDelta(a-b, f.rss),
				Leak: strings.Contains(leaks, strings.ToLower(f.name)) || (f.rss && strings.Contains(leaks, "memory"))}
			if f.name == "open files" && (strings.Contains(leaks, "fds") || strings.Contains(leaks, "file descriptors")) {
				hr.Leak = true
			}
			ht.Resources = append(ht.Resources, hr)
		}
		ht.Leaks = res.Leaks
	} else {
		ht.NoResources = "not sampled: gatecheck cannot see this target's processes"
	}

	for msg, n := range t.ClientErrors {
		ht.ClientErrors = append(ht.ClientErrors, htmlCount{Message: msg, Count: n})
	}
	sort.Slice(ht.ClientErrors, func(i, j int) bool {
		a, b := ht.ClientErrors[i], ht.ClientErrors[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.Message < b.Message
	})
	return ht
}

// htmlPlural is word, or its plural for n other than 1.
func htmlPlural(n int, word string) string {
	if n == 1 {
		return word
	}
	if strings.HasSuffix(word, "y") {
		return word[:len(word)-1] + "ies"
	}
	return word + "s"
}

// htmlFinite tells whether v is a number the report can print.
func htmlFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// htmlNum writes v with dec decimals, a huge one in e-notation, and a dash for
// a value that is not a number.
func htmlNum(v float64, dec int) string {
	switch {
	case !htmlFinite(v):
		return "–"
	case math.Abs(v) >= 1e9:
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	return strconv.FormatFloat(v, 'f', dec, 64)
}

// htmlMS writes a latency in ms with three significant figures or so: 0.42,
// 4.27, 42.7, 427, 4270.
func htmlMS(ms float64) string {
	switch a := math.Abs(ms); {
	case !htmlFinite(ms):
		return "–"
	case a < 10:
		return htmlNum(ms, 2)
	case a < 100:
		return htmlNum(ms, 1)
	}
	return htmlNum(ms, 0)
}

// htmlSignedMS is htmlMS with its sign, + or −, and without trailing zeros.
func htmlSignedMS(ms float64) string {
	if !htmlFinite(ms) {
		return "–"
	}
	s := htmlMS(math.Abs(ms))
	if strings.Contains(s, ".") && !strings.ContainsAny(s, "e") {
		s = strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
	}
	if ms < 0 {
		return "−" + s
	}
	return "+" + s
}

// htmlDuration writes ms as a Go duration (1s, 250ms, 1m30s).
func htmlDuration(ms float64) string {
	if !htmlFinite(ms) || math.Abs(ms) > 1e12 {
		return htmlMS(ms) + " ms"
	}
	return time.Duration(math.Round(ms * 1e6)).String()
}

// htmlShare writes a share of 1 as a percentage.
func htmlShare(f float64) string {
	pct := f * 100
	switch a := math.Abs(pct); {
	case !htmlFinite(pct):
		return "–"
	case a > 0 && a < 0.1:
		return htmlNum(pct, 3) + "%"
	}
	return htmlNum(pct, 1) + "%"
}

// htmlMiB is bytes in MiB.
func htmlMiB(b int64) float64 { return float64(b) / (1 << 20) }

// htmlResourceValue writes a resource figure: RSS in MiB, counts whole.
func htmlResourceValue(v float64, rss bool) string {
	if rss {
		return htmlNum(v, 1) + " MiB"
	}
	return htmlNum(v, 0)
}

// htmlResourceDelta writes a change in a resource figure with its sign.
func htmlResourceDelta(d float64, rss bool) string {
	s := htmlResourceValue(math.Abs(d), rss)
	switch {
	case !htmlFinite(d):
		return s
	case d < 0:
		return "−" + s
	}
	return "+" + s
}

// htmlResourceChange is a figure before and after the load, for a series' title.
func htmlResourceChange(before, after float64, rss bool) string {
	return htmlResourceValue(before, rss) + " before the load → " + htmlResourceValue(after, rss) + " after (" + htmlResourceDelta(after-before, rss) + ")"
}
