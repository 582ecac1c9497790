// Package matrix combines the reports of several targets, run over the same
// catalogue, into a compliance matrix: one row per scenario, one column per
// target, grouped by the catalogue's families. It writes the matrix as JSON (and
// reads it back), as GitHub-flavoured Markdown, and as a self-contained HTML page.
// Output depends only on the matrix, so the same reports give the same bytes.
package matrix

import (
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/scenarios"
)

// SchemaVersion is the version of the matrix's JSON shape.
const SchemaVersion = 1

// Matrix is the verdicts of several targets over one catalogue.
type Matrix struct {
	SchemaVersion int `json:"schema_version"`
	// GatecheckVersion is the gatecheck version of the reports; several versions
	// are listed comma-separated.
	GatecheckVersion string `json:"gatecheck_version,omitempty"`
	// Generated is shown in every output when set. Build leaves it zero, so that
	// output is reproducible unless the caller asks for a timestamp.
	Generated time.Time `json:"generated,omitzero"`
	Targets   []Column  `json:"targets"`
	// Families are the groups the rows are in, in the catalogue's order; only
	// families with rows are listed.
	Families []Family `json:"families"`
	// Rows are grouped by family, in the order of Families.
	Rows []Row `json:"rows"`
}

// Column is one target through one client: who it is, its score and its
// verdict counts.
type Column struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
	// Client is the client the column's verdicts were seen through (h1, h2 or
	// h2-tls): one target has a column per client.
	Client   scenarios.Client   `json:"client"`
	Timeouts scenarios.Timeouts `json:"timeouts"`
	Score    Score              `json:"score"`
	// Summary counts the target's cells per verdict; ByLevel per level too.
	Summary Counts                     `json:"summary"`
	ByLevel map[scenarios.Level]Counts `json:"by_level,omitempty"`
}

// Score is the share of must scenarios a target passes. Non-strict, fail,
// error and skip all count as not passed, so every target of a matrix is scored
// over the same scenarios.
type Score struct {
	MustPassed int `json:"must_passed"`
	MustTotal  int `json:"must_total"`
	// Percent is 100 × MustPassed / MustTotal, to one decimal (0 without must rows).
	Percent float64 `json:"percent"`
}

// Counts counts cells per verdict.
type Counts struct {
	Pass      int `json:"pass"`
	NonStrict int `json:"non-strict"`
	Fail      int `json:"fail"`
	Error     int `json:"error"`
	Skip      int `json:"skip"`
}

// Family is a group of rows: a section of the catalogue, which may hold several
// id prefixes (section T holds conn and timeout).
type Family struct {
	// Name is the catalogue's section letter ("T"), or for a prefix the catalogue
	// does not know, the prefix itself.
	Name  string `json:"name"`
	Title string `json:"title"`
	// Labels are the id prefixes in the family, as "conn" for conn/refused.
	Labels []scenarios.Family `json:"labels"`
}

// Row is one scenario and its cells, one per target in the order of Targets.
type Row struct {
	ID      string `json:"id"`
	Summary string `json:"summary"`
	// Spec is the citation, as "RFC 9112 §8, RFC 9110 §15.6.3".
	Spec string `json:"spec"`
	// Quote is the sentence the level rests on, when the scenario was given.
	Quote string          `json:"quote,omitempty"`
	Level scenarios.Level `json:"level"`
	// Family is the Name of the row's Family.
	Family string `json:"family"`
	Cells  []Cell `json:"cells"`
}

// Cell is one target's result for one scenario.
type Cell struct {
	Verdict scenarios.Verdict `json:"verdict"`
	// Outcome is the glossary word of the worst run; Outcomes counts every
	// outcome of a repeated scenario.
	Outcome  scenarios.Outcome         `json:"outcome,omitempty"`
	Outcomes map[scenarios.Outcome]int `json:"outcomes,omitempty"`
	Expected string                    `json:"expected,omitempty"`
	Actual   string                    `json:"actual,omitempty"`
	// FirstBytes is the start of what the client received, escaped as
	// wire.FirstBytes does; it is raw proxy output and is escaped again in
	// every rendering.
	FirstBytes string   `json:"first_bytes,omitempty"`
	Notes      []string `json:"notes,omitempty"`
	// Pool is what a pool row's verdict rests on (harness.Result.Pool): a pass
	// with "not-pooled" proves nothing about poisoning and is shown apart.
	Pool harness.PoolEvidence `json:"pool,omitempty"`
	// Log is the end of the proxy's log, at most logLines lines and logBytes bytes.
	Log string `json:"log,omitempty"`
}

// A cell's Log keeps the end of the proxy's log: at most this many lines and bytes.
const (
	logLines = 40
	logBytes = 3000
)

// section is a family of the built-in catalogue (CATALOGUE.md).
type section struct {
	name, title string
	labels      []scenarios.Family
}

// sections are the catalogue's families in its order.
var sections = []section{
	{"T", "Timeouts and connection faults", []scenarios.Family{scenarios.FamilyConn, scenarios.FamilyTimeout}},
	{"S", "Status line", []scenarios.Family{scenarios.FamilyStatus}},
	{"H", "Header section", []scenarios.Family{scenarios.FamilyHeader}},
	{"F", "Framing", []scenarios.Family{scenarios.FamilyFraming}},
	{"B", "Body broken after the head", []scenarios.Family{scenarios.FamilyBody}},
	{"P", "Passthrough of valid responses", []scenarios.Family{scenarios.FamilyPass}},
	{"I", "Interim responses and upgrades", []scenarios.Family{scenarios.FamilyInterim}},
	{"R", "Retries and connection reuse", []scenarios.Family{scenarios.FamilyRetry}},
	{"H2", "HTTP/2 clients of an HTTP/1.1 upstream", []scenarios.Family{scenarios.FamilyH2}},
}

// Build combines one report per target into a Matrix. scs gives the rows, their
// order within a family, summary, spec and level; results for scenarios not in
// scs are added as rows after them, from the results' own fields. A scenario a
// report lacks gets a skip cell. Families are in the catalogue's order, prefixes
// it does not know after them.
func Build(scs []*scenarios.Scenario, reports []*harness.Report) *Matrix {
	m := &Matrix{SchemaVersion: SchemaVersion}
	var versions []string
	var results []map[string]*harness.Result
	for _, rep := range reports {
		if rep == nil {
			continue
		}
		if v := rep.GatecheckVersion; v != "" && !slices.Contains(versions, v) {
			versions = append(versions, v)
		}
		client := rep.Client
		if client == "" {
			client = scenarios.ClientH1 // a report from before clients
		}
		m.Targets = append(m.Targets, Column{Name: rep.Target, Version: rep.TargetVersion, Client: client, Timeouts: rep.Timeouts})
		byID := map[string]*harness.Result{}
		for i := range rep.Results {
			if _, dup := byID[rep.Results[i].ID]; !dup {
				byID[rep.Results[i].ID] = &rep.Results[i]
			}
		}
		results = append(results, byID)
	}
	m.GatecheckVersion = strings.Join(versions, ", ")

	rows := rowsFor(scs, reports)
	m.Families = familiesOf(rows)
	order := map[string]int{}
	for i, f := range m.Families {
		order[f.Name] = i
	}
	slices.SortStableFunc(rows, func(a, b Row) int { return order[a.Family] - order[b.Family] })
	for i := range rows {
		for _, byID := range results {
			rows[i].Cells = append(rows[i].Cells, cellOf(byID[rows[i].ID]))
		}
	}
	m.Rows = rows
	for i := range m.Targets {
		m.Targets[i].Score, m.Targets[i].Summary, m.Targets[i].ByLevel = tally(rows, i)
	}
	return m
}

// rowsFor lists a row for every scenario in scs, then for every result id not in
// scs, each once, without cells.
func rowsFor(scs []*scenarios.Scenario, reports []*harness.Report) []Row {
	var rows []Row
	seen := map[string]bool{}
	for _, sc := range scs {
		if sc == nil || seen[sc.ID] {
			continue
		}
		seen[sc.ID] = true
		rows = append(rows, Row{ID: sc.ID, Summary: sc.Summary, Spec: sc.Spec.String(), Quote: sc.Spec.Quote,
			Level: sc.Level, Family: familyName(sc.ID)})
	}
	for _, rep := range reports {
		if rep == nil {
			continue
		}
		for _, r := range rep.Results {
			if seen[r.ID] {
				continue
			}
			seen[r.ID] = true
			rows = append(rows, Row{ID: r.ID, Summary: r.Summary, Spec: r.Spec, Level: r.Level, Family: familyName(r.ID)})
		}
	}
	return rows
}

// familyName is the Name of the family an id belongs to.
func familyName(id string) string {
	family := scenarios.FamilyOf(id)
	for _, s := range sections {
		if slices.Contains(s.labels, family) {
			return s.name
		}
	}
	return string(family)
}

// familiesOf lists the families the rows are in: the catalogue's in its order,
// then unknown prefixes in the order they first appear.
func familiesOf(rows []Row) []Family {
	present := map[string]bool{}
	var unknown []string
	for _, r := range rows {
		if !present[r.Family] {
			present[r.Family] = true
			if !slices.ContainsFunc(sections, func(s section) bool { return s.name == r.Family }) {
				unknown = append(unknown, r.Family)
			}
		}
	}
	var fams []Family
	for _, s := range sections {
		if present[s.name] {
			fams = append(fams, Family{Name: s.name, Title: s.title, Labels: slices.Clone(s.labels)})
		}
	}
	for _, u := range unknown {
		fams = append(fams, Family{Name: u, Title: u, Labels: []scenarios.Family{scenarios.Family(u)}})
	}
	return fams
}

// cellOf is the cell for a result, or a skip cell when the report has none.
func cellOf(r *harness.Result) Cell {
	if r == nil {
		return Cell{Verdict: scenarios.VerdictSkip, Actual: "not in this target's report"}
	}
	return Cell{
		Verdict:    r.Verdict,
		Outcome:    r.Outcome,
		Outcomes:   maps.Clone(r.Outcomes),
		Expected:   r.Expected,
		Actual:     r.Actual,
		FirstBytes: r.FirstBytes,
		Notes:      slices.Clone(r.Notes),
		Pool:       r.Pool,
		Log:        trimLog(r.Log),
	}
}

// trimLog keeps the end of a log: whole lines, at most logLines of them and
// logBytes bytes. A leading "…\n" says lines were left out.
func trimLog(log string) string {
	log = strings.TrimRight(log, "\n")
	lines := strings.Split(log, "\n")
	cut := false
	if len(lines) > logLines {
		lines, cut = lines[len(lines)-logLines:], true
	}
	size := 0
	for i := len(lines) - 1; i >= 0; i-- {
		size += len(lines[i]) + 1
		if size > logBytes {
			lines, cut = lines[i+1:], true
			break
		}
	}
	out := strings.Join(lines, "\n")
	if cut {
		out = "…\n" + out
	}
	return out
}

// tally scores column i and counts its verdicts.
func tally(rows []Row, i int) (Score, Counts, map[scenarios.Level]Counts) {
	var s Score
	var all Counts
	by := map[scenarios.Level]Counts{}
	for _, r := range rows {
		v := r.Cells[i].Verdict
		all.add(v)
		c := by[r.Level]
		c.add(v)
		by[r.Level] = c
		if r.Level == scenarios.Must {
			s.MustTotal++
			if v == scenarios.VerdictPass {
				s.MustPassed++
			}
		}
	}
	if s.MustTotal > 0 {
		s.Percent = math.Round(1000*float64(s.MustPassed)/float64(s.MustTotal)) / 10
	}
	return s, all, by
}

// add counts one verdict; a verdict outside the five counts as error.
func (c *Counts) add(v scenarios.Verdict) {
	switch v {
	case scenarios.VerdictPass:
		c.Pass++
	case scenarios.VerdictNonStrict:
		c.NonStrict++
	case scenarios.VerdictFail:
		c.Fail++
	case scenarios.VerdictSkip:
		c.Skip++
	default:
		c.Error++
	}
}

// ProtocolDiff is a row whose cell differs between one target's h1 column and
// one of its HTTP/2 columns: the cells people quote when they compare the two.
type ProtocolDiff struct {
	Target string `json:"target"`
	// H1 and H2 are the two columns' labels ("nginx 1.22.1 h1").
	H1, H2 string `json:"-"`
	ID     string `json:"id"`
	// Was and Now are the h1 and HTTP/2 cells' texts.
	Was string `json:"h1"`
	Now string `json:"h2"`
}

// ProtocolDiffs lists, for every target with an h1 column and an HTTP/2
// column, each row whose verdict or outcome differs between the two, in the
// order of the targets and then of the rows. A skip on either side (a row that
// runs over one protocol only, a target without HTTP/2) is not a difference.
func (m *Matrix) ProtocolDiffs() []ProtocolDiff {
	var out []ProtocolDiff
	for i, a := range m.Targets {
		if a.Client != scenarios.ClientH1 {
			continue
		}
		for j, b := range m.Targets {
			if b.Name != a.Name || !b.Client.HTTP2() {
				continue
			}
			for _, r := range m.Rows {
				if i >= len(r.Cells) || j >= len(r.Cells) {
					continue
				}
				x, y := r.Cells[i], r.Cells[j]
				if x.Verdict == scenarios.VerdictSkip || y.Verdict == scenarios.VerdictSkip {
					continue
				}
				if x.Verdict != y.Verdict || x.Outcome != y.Outcome {
					out = append(out, ProtocolDiff{Target: a.Name, H1: a.Label(), H2: b.Label(), ID: r.ID, Was: x.Text(), Now: y.Text()})
				}
			}
		}
	}
	return out
}
