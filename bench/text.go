package bench

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// WriteText writes r as the text summary: the settings, then per target a
// header, a table per scenario, outcome and verdict (count, share, latency
// percentiles in milliseconds, and for 502 and 504 the figures against the
// declared timeout), the upstream's retries and connections, the proxy's
// resources before and after, and any suspected leak; with several targets, a
// side-by-side table last.
func WriteText(w io.Writer, r *Report) error {
	var b strings.Builder
	s := r.Settings
	fmt.Fprintf(&b, "gatecheck bench %s: %s\n", r.GatecheckVersion, settingsText(s))
	if len(s.Mix) > 0 {
		parts := make([]string, len(s.Mix))
		for i, m := range s.Mix {
			parts[i] = m.ID + "=" + strconv.Itoa(m.Weight)
		}
		fmt.Fprintf(&b, "mix: %s (seed %d)\n", strings.Join(parts, ", "), s.Seed)
	}
	if r.Interrupted {
		b.WriteString("interrupted: the figures cover what ran\n")
	}
	for i := range r.Targets {
		b.WriteString("\n")
		writeTarget(&b, &r.Targets[i])
	}
	if len(r.Targets) > 1 {
		b.WriteString("\n")
		writeSideBySide(&b, r.Targets)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// settingsText is the load's settings in words.
func settingsText(s Settings) string {
	var load string
	if s.Mode == OpenLoop {
		load = fmt.Sprintf("open-loop %s/s (at most %d connections)", strconv.FormatFloat(s.Rate, 'f', -1, 64), s.Connections)
	} else {
		load = fmt.Sprintf("closed-loop over %d connections", s.Connections)
	}
	out := fmt.Sprintf("%s, %v measured after %v warm-up", load, time.Duration(s.DurationMS)*time.Millisecond, time.Duration(s.WarmupMS)*time.Millisecond)
	if s.URL != "" {
		out += ", GET " + s.URL
	}
	return out
}

// writeTarget writes one target's block.
func writeTarget(b *strings.Builder, t *TargetReport) {
	name := t.Target
	if t.TargetVersion != "" {
		name += " (" + t.TargetVersion + ")"
	}
	if t.Error != "" {
		fmt.Fprintf(b, "%s: %s\n", name, t.Error)
		return
	}
	fmt.Fprintf(b, "%s — timeouts: %s\n", name, t.Timeouts)
	if t.Interrupted {
		b.WriteString("  interrupted: partial figures\n")
	}
	fmt.Fprintf(b, "  %d sent, %d completed in %.1fs: %.1f/s", t.Sent, t.Completed, float64(t.ElapsedMS)/1000, t.ThroughputRPS)
	if t.Backlog > 0 {
		fmt.Fprintf(b, "; %d due but never sent (every connection busy: the load fell behind)", t.Backlog)
	}
	b.WriteString("\n")
	if t.Completed > 0 {
		l := t.Latency
		fmt.Fprintf(b, "  latency: p50 %sms, p90 %sms, p99 %sms, p99.9 %sms, max %sms\n",
			formatMS(l.P50), formatMS(l.P90), formatMS(l.P99), formatMS(l.P999), formatMS(l.Max))
	}
	if len(t.Outcomes) > 0 {
		rows := [][]string{{"scenario", "outcome", "verdict", "count", "share", "p50", "p90", "p99", "p99.9", "max (ms)", ""}}
		for _, o := range t.Outcomes {
			scenario := o.Scenario
			if scenario == "" {
				scenario = "-"
			}
			verdict := o.Verdict
			if verdict == "" {
				verdict = "-"
			}
			l := o.Latency
			rows = append(rows, []string{scenario, o.Outcome, verdict, strconv.FormatInt(o.Count, 10),
				fmt.Sprintf("%.1f%%", 100*o.Share), formatMS(l.P50), formatMS(l.P90), formatMS(l.P99),
				formatMS(l.P999), formatMS(l.Max), againstText(o)})
		}
		writeTextTable(b, "  ", rows, 0, 1, 2, 10)
	}
	if u := t.Upstream; u != nil {
		fmt.Fprintf(b, "  upstream: %d requests on %d new connections: %.3f retries and %.3f connections per request",
			u.Requests, u.Connections, u.RetriesPerRequest, u.ConnectionsPerRequest)
		if u.Unseen > 0 {
			fmt.Fprintf(b, "; %d requests never reached it", u.Unseen)
		}
		b.WriteString("\n")
	}
	if t.Resent > 0 {
		fmt.Fprintf(b, "  resent: %d requests, on a new connection, after the proxy had closed an idle one\n", t.Resent)
	}
	for _, msg := range sortedErrorKeys(t.ClientErrors) {
		fmt.Fprintf(b, "  client error ×%d: %s\n", t.ClientErrors[msg], msg)
	}
	if res := t.Resources; res != nil {
		bf, af := res.Before, res.After
		fmt.Fprintf(b, "  resources (%d samples): memory %s -> %s, open files %d -> %d, threads %d -> %d, processes %d -> %d\n",
			len(res.Samples), formatBytes(bf.RSSBytes), formatBytes(af.RSSBytes), bf.FDs, af.FDs, bf.Threads, af.Threads, bf.Procs, af.Procs)
		for _, l := range res.Leaks {
			fmt.Fprintf(b, "  suspected leak: %s\n", l)
		}
	}
}

// againstText is "vs read_timeout 1s: p50 +12ms, p99 +30ms", or "".
func againstText(o OutcomeStats) string {
	if o.Against == "" {
		return ""
	}
	d := time.Duration(o.AgainstMS * float64(time.Millisecond))
	return fmt.Sprintf("vs %s %v: p50 %sms, p99 %sms", o.Against, d, signedMS(o.OverP50MS), signedMS(o.OverP99MS))
}

// writeSideBySide writes one line per target: throughput, latency, and the
// share of each outcome any target saw.
func writeSideBySide(b *strings.Builder, ts []TargetReport) {
	count := map[string]int64{}
	for _, t := range ts {
		for _, o := range t.Outcomes {
			count[o.Outcome] += o.Count
		}
	}
	words := make([]string, 0, len(count))
	for w := range count {
		words = append(words, w)
	}
	slices.SortFunc(words, func(a, c string) int { return cmp.Or(cmp.Compare(count[c], count[a]), cmp.Compare(a, c)) })
	rows := [][]string{append([]string{"side by side", "req/s", "p50", "p99", "p99.9", "max (ms)"}, words...)}
	for _, t := range ts {
		if t.Error != "" {
			rows = append(rows, []string{t.Target, "-", "-", "-", "-", "-"})
			continue
		}
		by := map[string]int64{}
		for _, o := range t.Outcomes {
			by[o.Outcome] += o.Count
		}
		row := []string{t.Target, fmt.Sprintf("%.1f", t.ThroughputRPS), formatMS(t.Latency.P50), formatMS(t.Latency.P99),
			formatMS(t.Latency.P999), formatMS(t.Latency.Max)}
		for _, w := range words {
			share := 0.0
			if t.Completed > 0 {
				share = 100 * float64(by[w]) / float64(t.Completed)
			}
			row = append(row, fmt.Sprintf("%.1f%%", share))
		}
		rows = append(rows, row)
	}
	writeTextTable(b, "", rows, 0)
}

// writeTextTable writes rows in aligned columns, separated by two spaces: the
// columns left names flush left, the others (numbers) flush right.
func writeTextTable(b *strings.Builder, indent string, rows [][]string, left ...int) {
	widths := map[int]int{}
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	for _, r := range rows {
		var line strings.Builder
		line.WriteString(indent)
		for i, c := range r {
			if i > 0 {
				line.WriteString("  ")
			}
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if slices.Contains(left, i) {
				line.WriteString(c + pad)
			} else {
				line.WriteString(pad + c)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
}

// formatMS writes milliseconds with three significant figures at most, and
// whole milliseconds from 100 on: "0.412", "12.3", "1003".
func formatMS(x float64) string {
	switch {
	case x >= 100:
		return strconv.FormatFloat(x, 'f', 0, 64)
	case x >= 10:
		return strconv.FormatFloat(x, 'f', 1, 64)
	case x >= 1:
		return strconv.FormatFloat(x, 'f', 2, 64)
	}
	return strconv.FormatFloat(x, 'f', 3, 64)
}

// signedMS is formatMS with a sign: "+12.3", "-998".
func signedMS(x float64) string {
	if x < 0 {
		return "-" + formatMS(-x)
	}
	return "+" + formatMS(x)
}

func sortedErrorKeys(m map[string]int64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
