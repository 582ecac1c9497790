package matrix

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/gatecheck/gatecheck/scenarios"
)

//go:embed matrix.html.tmpl
var pageSource string

// page renders the HTML matrix. html/template escapes every value for where it
// lands, so proxy output in a cell cannot become markup.
var page = template.Must(template.New("matrix").Parse(pageSource))

// WriteHTML writes the matrix as one self-contained HTML page: inline CSS and a
// few lines of optional script, nothing loaded from elsewhere. Rows are grouped
// by family under a sticky header with each target's version and score; each
// cell is coloured by verdict and opens (a <details>, so without script too) to
// show expected and actual, the outcome counts of a repeated scenario, notes,
// the first bytes the client received and the proxy's log. Every cell carries
// data-scenario, data-target and data-verdict attributes.
func (m *Matrix) WriteHTML(w io.Writer) error {
	return page.Execute(w, m.view())
}

// htmlPage is what the template renders.
type htmlPage struct {
	About    string
	Targets  []htmlTarget
	Families []htmlFamily
	Legend   []htmlLegend
	Words    []htmlLegend
	// Columns is the number of table columns, for rows that span them all.
	Columns int
}

// htmlTarget is one target's column heading.
type htmlTarget struct {
	Name, Version, Client, Label, Timeouts string
	Score                                  Score
	Percent                                string
	Summary                                Counts
}

// htmlFamily is one family: its heading row and its rows.
type htmlFamily struct {
	Name, Title, Labels string
	Rows                []htmlRow
	// AllPass is true when every cell of every row passes.
	AllPass bool
}

// htmlRow is one scenario's row.
type htmlRow struct {
	ID, Summary, Quote string
	Cites              []citation
	Level              scenarios.Level
	AllPass            bool
	Cells              []htmlCell
}

// htmlCell is one cell and what it opens to; Bytes is FirstBytes as lines.
type htmlCell struct {
	Scenario, Target, TargetLabel string
	Verdict                       scenarios.Verdict
	Class, Text                   string
	Expected, Actual              string
	Outcomes                      string
	Notes                         []string
	Bytes, Log                    string
}

// htmlLegend is one term of the legend and what it means.
type htmlLegend struct {
	Class, Term, Meaning string
}

// verdictClass is the CSS class of each verdict; anything else is "v-unknown".
var verdictClass = map[scenarios.Verdict]string{
	scenarios.VerdictPass:      "v-pass",
	scenarios.VerdictNonStrict: "v-non-strict",
	scenarios.VerdictFail:      "v-fail",
	scenarios.VerdictError:     "v-error",
	scenarios.VerdictSkip:      "v-skip",
}

// view turns the matrix into what the template renders.
func (m *Matrix) view() htmlPage {
	p := htmlPage{Columns: 3 + len(m.Targets)}
	about := []string{fmt.Sprintf("%d %s", len(m.Targets), plural(len(m.Targets), "target")),
		fmt.Sprintf("%d %s", len(m.Rows), plural(len(m.Rows), "scenario"))}
	if m.GatecheckVersion != "" {
		about = append(about, "gatecheck "+m.GatecheckVersion)
	}
	if !m.Generated.IsZero() {
		about = append(about, "generated "+m.Generated.UTC().Format("2006-01-02 15:04 UTC"))
	}
	p.About = strings.Join(about, " · ")

	for _, t := range m.Targets {
		label := t.Label()
		version := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(label, t.Name), " "), " "+string(t.Client))
		p.Targets = append(p.Targets, htmlTarget{Name: t.Name, Version: version, Client: string(t.Client),
			Label: label, Timeouts: t.Timeouts.String(), Score: t.Score, Percent: percent(t.Score), Summary: t.Summary})
	}
	for _, f := range m.Families {
		hf := htmlFamily{Name: f.Name, Title: f.Title, Labels: joinFamilies(f.Labels, ", "), AllPass: true}
		for _, r := range m.Rows {
			if r.Family != f.Name {
				continue
			}
			hr := m.rowView(r)
			hf.AllPass = hf.AllPass && hr.AllPass
			hf.Rows = append(hf.Rows, hr)
		}
		p.Families = append(p.Families, hf)
	}
	for _, v := range scenarios.Verdicts {
		p.Legend = append(p.Legend, htmlLegend{Class: verdictClass[v], Term: v.Mark() + " " + string(v), Meaning: verdictMeaning[v]})
		if v == scenarios.VerdictPass {
			p.Legend = append(p.Legend, htmlLegend{Class: untestedClass, Term: scenarios.UntestedMark + " pass (not pooled)",
				Meaning: "a pass of a pooled-connection row in which the proxy never reused one: untested for poisoning"})
		}
	}
	for _, l := range words {
		p.Words = append(p.Words, htmlLegend{Term: strings.ReplaceAll(l.term, "`", ""), Meaning: strings.ReplaceAll(strings.ReplaceAll(l.meaning, "`", ""), "**", "")})
	}
	return p
}

// untestedClass is the CSS class of a pass that went untested (Cell.Untested).
const untestedClass = "v-untested"

// verdictMeaning explains each verdict in the HTML legend.
var verdictMeaning = map[scenarios.Verdict]string{
	scenarios.VerdictPass:      "the outcome is one the scenario passes",
	scenarios.VerdictNonStrict: "handled safely, but not as the RFC prefers; not counted as passed",
	scenarios.VerdictFail:      "anything else; fake-complete, raw-relay and hung always fail",
	scenarios.VerdictError:     "the harness could not judge the run",
	scenarios.VerdictSkip:      "not run against this target",
}

// rowView is one row as the template renders it.
func (m *Matrix) rowView(r Row) htmlRow {
	hr := htmlRow{ID: r.ID, Summary: r.Summary, Quote: r.Quote, Cites: citations(r.Spec), Level: r.Level, AllPass: true}
	for i, c := range r.Cells {
		class, ok := verdictClass[c.Verdict]
		if !ok {
			class = "v-unknown"
		}
		if c.Untested() {
			class = untestedClass
		}
		hr.AllPass = hr.AllPass && c.Verdict == scenarios.VerdictPass
		var t Column
		if i < len(m.Targets) {
			t = m.Targets[i]
		}
		hr.Cells = append(hr.Cells, htmlCell{
			Scenario: r.ID, Target: t.Name, TargetLabel: t.Label(),
			Verdict: c.Verdict, Class: class, Text: c.Text(),
			Expected: c.Expected, Actual: c.Actual, Outcomes: c.OutcomeCounts(), Notes: c.Notes,
			Bytes: strings.Join(byteLines(c.FirstBytes), "\n"), Log: c.Log,
		})
	}
	return hr
}

// joinFamilies lists a family's labels, as "conn, timeout" for its heading.
func joinFamilies(fs []scenarios.Family, sep string) string {
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = string(f)
	}
	return strings.Join(s, sep)
}
