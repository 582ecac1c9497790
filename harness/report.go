package harness

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/gatecheck/gatecheck/scenarios"
)

// SchemaVersion is the version of the Report's JSON shape.
const SchemaVersion = 1

// Report is the result of running scenarios against one target.
type Report struct {
	SchemaVersion    int    `json:"schema_version"`
	GatecheckVersion string `json:"gatecheck_version"`
	Target           string `json:"target"`
	TargetVersion    string `json:"target_version,omitempty"`
	// Client is the client the requests went through: h1, h2 or h2-tls.
	Client scenarios.Client `json:"client"`
	// NotServedReason, when set, says the target has no listener for Client:
	// every result is a skip with it.
	NotServedReason string             `json:"not_served,omitempty"`
	Timeouts        scenarios.Timeouts `json:"timeouts"`
	ElapsedMS       int64              `json:"elapsed_ms"`
	Results         []Result           `json:"results"`
	Summary         Summary            `json:"summary"`
}

// Summary counts results per verdict, and per verdict within each level.
type Summary struct {
	Pass, NonStrict, Fail, Error, Skip int
	ByLevel                            map[scenarios.Level]map[scenarios.Verdict]int
}

// count is the field that counts verdict v, or nil for a word that is no
// verdict.
func (s *Summary) count(v scenarios.Verdict) *int {
	switch v {
	case scenarios.VerdictPass:
		return &s.Pass
	case scenarios.VerdictNonStrict:
		return &s.NonStrict
	case scenarios.VerdictFail:
		return &s.Fail
	case scenarios.VerdictError:
		return &s.Error
	case scenarios.VerdictSkip:
		return &s.Skip
	}
	return nil
}

// byLevelKey is the key of the counts per level in the JSON form.
const byLevelKey = "by_level"

// MarshalJSON writes the counts under the verdicts' own names, as
// {"pass":N,"non-strict":N,...,"by_level":{"must":{"pass":N,...}}}.
func (s Summary) MarshalJSON() ([]byte, error) {
	m := map[string]any{byLevelKey: s.ByLevel}
	for _, v := range scenarios.Verdicts {
		m[string(v)] = *s.count(v)
	}
	return json.Marshal(m)
}

// UnmarshalJSON reads what MarshalJSON writes, so a report read back keeps its
// counts.
func (s *Summary) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	*s = Summary{}
	for _, v := range scenarios.Verdicts {
		if n, ok := raw[string(v)]; ok {
			if err := json.Unmarshal(n, s.count(v)); err != nil {
				return err
			}
		}
	}
	if b, ok := raw[byLevelKey]; ok {
		return json.Unmarshal(b, &s.ByLevel)
	}
	return nil
}

// WriteFile writes the report as indented JSON to path, creating its folder.
func (r *Report) WriteFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// ReadReport reads a report WriteFile wrote; a different schema version is an
// error.
func ReadReport(path string) (*Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rep Report
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, fmt.Errorf("report %s: %w", path, err)
	}
	if rep.SchemaVersion != SchemaVersion {
		return nil, fmt.Errorf("report %s: schema_version %d, want %d", path, rep.SchemaVersion, SchemaVersion)
	}
	return &rep, nil
}

// FileName is a target's name made safe as a file name: anything but letters,
// digits, dots and dashes becomes "-" (http://127.0.0.1:8080 becomes
// http-127.0.0.1-8080). Reports and baselines are named so.
func FileName(target string) string {
	return unsafeName.ReplaceAllString(target, "-")
}

// ClientFileName is FileName for one target's results through one client:
// the target's name for h1 (as before clients), with ".h2" or ".h2-tls"
// added for the others — the name of its report and of its baseline.
func ClientFileName(target string, client scenarios.Client) string {
	if client == "" || client == scenarios.ClientH1 {
		return FileName(target)
	}
	return FileName(target) + "." + string(client)
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9.-]+`)

// Summarize counts the results.
func Summarize(results []Result) Summary {
	s := Summary{ByLevel: map[scenarios.Level]map[scenarios.Verdict]int{}}
	for _, r := range results {
		if n := s.count(r.Verdict); n != nil {
			*n++
		}
		if s.ByLevel[r.Level] == nil {
			s.ByLevel[r.Level] = map[scenarios.Verdict]int{}
		}
		s.ByLevel[r.Level][r.Verdict]++
	}
	return s
}

// Report is the report of results this session produced; elapsed is the run's
// wall time (0 when unknown).
func (s *Session) Report(results []Result, elapsed time.Duration) *Report {
	return &Report{
		SchemaVersion:    SchemaVersion,
		GatecheckVersion: Version,
		Target:           s.target.String(),
		TargetVersion:    s.TargetVersion(),
		Client:           s.client,
		Timeouts:         s.Timeouts(),
		ElapsedMS:        elapsed.Milliseconds(),
		Results:          results,
		Summary:          Summarize(results),
	}
}
