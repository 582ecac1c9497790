package main

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/scenarios"
)

// The JUnit XML shape CI systems read: one testsuite per run, one testcase per
// scenario with the family as classname.
type (
	junitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Name     string       `xml:"name,attr"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Errors   int          `xml:"errors,attr"`
		Skipped  int          `xml:"skipped,attr"`
		Time     string       `xml:"time,attr"`
		Suites   []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name       string          `xml:"name,attr"`
		Tests      int             `xml:"tests,attr"`
		Failures   int             `xml:"failures,attr"`
		Errors     int             `xml:"errors,attr"`
		Skipped    int             `xml:"skipped,attr"`
		Time       string          `xml:"time,attr"`
		Timestamp  string          `xml:"timestamp,attr"`
		Properties []junitProperty `xml:"properties>property"`
		Cases      []junitCase     `xml:"testcase"`
	}
	junitProperty struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		Time      string        `xml:"time,attr"`
		Failure   *junitProblem `xml:"failure,omitempty"`
		Error     *junitProblem `xml:"error,omitempty"`
		Skipped   *junitSkipped `xml:"skipped,omitempty"`
		SystemOut string        `xml:"system-out,omitempty"`
	}
	junitProblem struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
	junitSkipped struct {
		Message string `xml:"message,attr"`
	}
)

// writeJUnit writes the report as JUnit XML: a fail is a <failure> (message:
// expected and actual), an error an <error>, a skip <skipped>; non-strict passes
// with its explanation in <system-out>.
func writeJUnit(w io.Writer, rep *harness.Report, started time.Time) error {
	seconds := func(ms int64) string { return fmt.Sprintf("%.3f", float64(ms)/1000) }
	suite := junitSuite{
		Name:      "gatecheck " + rep.Target,
		Tests:     len(rep.Results),
		Failures:  rep.Summary.Fail,
		Errors:    rep.Summary.Error,
		Skipped:   rep.Summary.Skip,
		Time:      seconds(rep.ElapsedMS),
		Timestamp: started.UTC().Format("2006-01-02T15:04:05"),
		Properties: []junitProperty{
			{"gatecheck_version", rep.GatecheckVersion},
			{"target", rep.Target},
			{"target_version", rep.TargetVersion},
			{"connect_timeout", rep.Timeouts.Connect.String()},
			{"read_timeout", rep.Timeouts.Read.String()},
			{"retries", fmt.Sprint(rep.Timeouts.Retries)},
		},
	}
	for _, r := range rep.Results {
		c := junitCase{Name: r.ID, Classname: string(scenarios.FamilyOf(r.ID)), Time: seconds(r.ElapsedMS)}
		var text strings.Builder
		writeResult(&text, r)
		message := fmt.Sprintf("expected: %s; actual: %s", oneLine(r.Expected), oneLine(r.Actual))
		switch r.Verdict {
		case scenarios.VerdictFail:
			c.Failure = &junitProblem{Message: message, Type: string(r.Level), Text: text.String()}
		case scenarios.VerdictError:
			c.Error = &junitProblem{Message: message, Type: string(r.Verdict), Text: text.String()}
		case scenarios.VerdictSkip:
			c.Skipped = &junitSkipped{Message: oneLine(r.Actual)}
		case scenarios.VerdictNonStrict:
			c.SystemOut = text.String()
		}
		if r.Log != "" && r.Verdict != scenarios.VerdictPass {
			c.SystemOut += "proxy log:\n" + r.Log
		}
		suite.Cases = append(suite.Cases, c)
	}
	doc := junitSuites{
		Name: "gatecheck", Tests: suite.Tests, Failures: suite.Failures, Errors: suite.Errors,
		Skipped: suite.Skipped, Time: suite.Time, Suites: []junitSuite{suite},
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
