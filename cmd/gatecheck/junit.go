package main

import (
	"cmp"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/scenarios"
)

// The JUnit XML shape CI systems read: one testsuite per run (target and
// client), one testcase per scenario with the client and the family as
// classname ("h2.body").
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
func writeJUnit(w io.Writer, reps []*harness.Report, started time.Time) error {
	doc := junitSuites{Name: "gatecheck"}
	var ms int64
	for _, rep := range reps {
		s := junitSuiteOf(rep, started)
		doc.Suites = append(doc.Suites, s)
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
		doc.Skipped += s.Skipped
		ms += rep.ElapsedMS
	}
	doc.Time = seconds(ms)
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

func seconds(ms int64) string { return fmt.Sprintf("%.3f", float64(ms)/1000) }

// junitSuiteOf is one report's testsuite.
func junitSuiteOf(rep *harness.Report, started time.Time) junitSuite {
	client := cmp.Or(rep.Client, scenarios.ClientH1)
	suite := junitSuite{
		Name:      "gatecheck " + rep.Target + " " + string(client),
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
			{"client", string(client)},
			{"connect_timeout", rep.Timeouts.Connect.String()},
			{"read_timeout", rep.Timeouts.Read.String()},
			{"retries", fmt.Sprint(rep.Timeouts.Retries)},
		},
	}
	for _, r := range rep.Results {
		c := junitCase{Name: r.ID, Classname: string(client) + "." + string(scenarios.FamilyOf(r.ID)), Time: seconds(r.ElapsedMS)}
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
	return suite
}
