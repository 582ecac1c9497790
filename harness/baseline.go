package harness

import (
	"bytes"
	"fmt"
	"os"
	"sort"

	"github.com/gatecheck/gatecheck/scenarios"
	"go.yaml.in/yaml/v3"
)

// Baseline records a target's known non-pass verdicts, each with a reason, so CI
// fails on a change rather than on what is already known. A scenario not listed
// is expected to pass.
type Baseline struct {
	Target  string `yaml:"target"`
	Version string `yaml:"version"`
	// Client is the client the verdicts were seen through; a baseline without
	// one is h1's.
	Client  scenarios.Client `yaml:"client,omitempty"`
	Entries []BaselineEntry  `yaml:"entries"`
}

// ClientOf is the baseline's client, h1 when it names none.
func (b *Baseline) ClientOf() scenarios.Client {
	if b.Client == "" {
		return scenarios.ClientH1
	}
	return b.Client
}

// BaselineEntry is one known non-pass verdict.
type BaselineEntry struct {
	ID      string            `yaml:"id"`
	Verdict scenarios.Verdict `yaml:"verdict"`
	Outcome scenarios.Outcome `yaml:"outcome"`
	Reason  string            `yaml:"reason"`
	// Racy marks a race the proxy loses so rarely (about one try in a hundred)
	// that even a heavily repeated scenario may not show it in every run: a pass
	// is then not reported as fixed. Any other change still is.
	Racy bool `yaml:"racy,omitempty"`
}

// DiffKind is how a result changed from its baseline.
type DiffKind string

// The three kinds of change, in the order they are reported.
const (
	// DiffNew: a non-pass verdict the baseline does not list.
	DiffNew DiffKind = "new"
	// DiffChanged: a different verdict or outcome than the baseline lists.
	DiffChanged DiffKind = "changed"
	// DiffFixed: a listed scenario now passes.
	DiffFixed DiffKind = "fixed"
)

// DiffKinds are the kinds of change in the order they are reported: new
// failures first.
var DiffKinds = []DiffKind{DiffNew, DiffChanged, DiffFixed}

// BaselineDiff is one change from a baseline.
type BaselineDiff struct {
	ID   string   `json:"id"`
	Kind DiffKind `json:"kind"`
	// Was and Now are "verdict outcome", as "fail fake-complete".
	Was string `json:"was"`
	Now string `json:"now"`
}

func (d BaselineDiff) String() string {
	return fmt.Sprintf("%s %s: was %s, now %s", d.Kind, d.ID, d.Was, d.Now)
}

// LoadBaseline reads a baseline file strictly: unknown fields are errors.
func LoadBaseline(path string) (*Baseline, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var b Baseline
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("baseline %s: %w", path, err)
	}
	seen := map[string]bool{}
	for _, e := range b.Entries {
		if seen[e.ID] {
			return nil, fmt.Errorf("baseline %s: %q listed twice", path, e.ID)
		}
		seen[e.ID] = true
		switch e.Verdict {
		case scenarios.VerdictNonStrict, scenarios.VerdictFail, scenarios.VerdictError, scenarios.VerdictSkip:
		default:
			return nil, fmt.Errorf("baseline %s: %s: verdict %q (list only non-strict, fail, error or skip)", path, e.ID, e.Verdict)
		}
	}
	return &b, nil
}

// Compare lists every change of r from the baseline, sorted by id. Scenarios the
// report does not contain are not compared.
func (b *Baseline) Compare(r *Report) []BaselineDiff {
	known := map[string]BaselineEntry{}
	for _, e := range b.Entries {
		known[e.ID] = e
	}
	var diffs []BaselineDiff
	for _, res := range r.Results {
		if res.NotForClient() {
			continue
		}
		now := verdictOutcome(res.Verdict, res.Outcome)
		e, listed := known[res.ID]
		switch {
		case !listed && res.Verdict != scenarios.VerdictPass:
			diffs = append(diffs, BaselineDiff{ID: res.ID, Kind: DiffNew, Was: string(scenarios.VerdictPass), Now: now})
		case listed && res.Verdict == scenarios.VerdictPass && e.Racy:
		case listed && res.Verdict == scenarios.VerdictPass:
			diffs = append(diffs, BaselineDiff{ID: res.ID, Kind: DiffFixed, Was: verdictOutcome(e.Verdict, e.Outcome), Now: now})
		case listed && (res.Verdict != e.Verdict || res.Outcome != e.Outcome):
			diffs = append(diffs, BaselineDiff{ID: res.ID, Kind: DiffChanged, Was: verdictOutcome(e.Verdict, e.Outcome), Now: now})
		}
	}
	sort.Slice(diffs, func(i, j int) bool { return diffs[i].ID < diffs[j].ID })
	return diffs
}

// verdictOutcome is a verdict and an outcome as a diff shows them: "fail
// fake-complete".
func verdictOutcome(v scenarios.Verdict, o scenarios.Outcome) string {
	return string(v) + " " + string(o)
}

// VersionNotice is a line to print when the report's target version differs from
// the one the baseline was recorded with, or "".
func (b *Baseline) VersionNotice(r *Report) string {
	if b.Version == "" || r.TargetVersion == "" || b.Version == r.TargetVersion {
		return ""
	}
	return fmt.Sprintf("notice: baseline for %s was recorded with version %s; this run is %s", b.Target, b.Version, r.TargetVersion)
}

// NewBaseline records the report's non-pass verdicts, keeping the reasons old
// gives for entries whose verdict and outcome are unchanged. Entries without a
// reason get "unexplained: " and the result's actual text, to be edited.
func NewBaseline(r *Report, old *Baseline) *Baseline {
	reasons := map[string]BaselineEntry{}
	if old != nil {
		for _, e := range old.Entries {
			reasons[e.ID] = e
		}
	}
	b := &Baseline{Target: r.Target, Version: r.TargetVersion}
	if r.Client != "" && r.Client != scenarios.ClientH1 {
		b.Client = r.Client
	}
	for _, res := range r.Results {
		if res.NotForClient() {
			continue
		}
		if res.Verdict == scenarios.VerdictPass {
			if o, ok := reasons[res.ID]; ok && o.Racy {
				b.Entries = append(b.Entries, o) // a rare race this run did not show
			}
			continue
		}
		e := BaselineEntry{ID: res.ID, Verdict: res.Verdict, Outcome: res.Outcome, Reason: "unexplained: " + res.Actual}
		if o, ok := reasons[res.ID]; ok && o.Verdict == e.Verdict && o.Outcome == e.Outcome && o.Reason != "" {
			e.Reason, e.Racy = o.Reason, o.Racy
		}
		b.Entries = append(b.Entries, e)
	}
	return b
}

// Marshal renders the baseline as YAML.
func (b *Baseline) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("# gatecheck baseline: the known non-pass verdicts of one target, each with a reason.\n")
	buf.WriteString("# A scenario not listed here must pass. Regenerate with: gatecheck run --target T --update-baseline FILE\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(b); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}
