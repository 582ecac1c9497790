package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/gatecheck/gatecheck/scenarios"
)

// listEntry is one scenario as `gatecheck list --json` prints it.
type listEntry struct {
	ID        string           `json:"id"`
	Family    scenarios.Family `json:"family"`
	Summary   string           `json:"summary"`
	Spec      string           `json:"spec"`
	Level     scenarios.Level  `json:"level"`
	Tags      []string         `json:"tags"`
	Endpoint  string           `json:"endpoint"`
	Exclusive bool             `json:"exclusive"`
	Repeat    int              `json:"repeat"`
	Source    string           `json:"source"`
}

// list prints the chosen scenarios as an aligned table or a JSON array.
func list(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("list", "[--json] [--scenarios PATH]... [--no-builtin] [--only GLOB]...")
	asJSON := fs.Bool("json", false, "print a JSON array instead of a table")
	var sf scenarioFlags
	sf.add(fs)
	if code := parse(fs, args, stdout, stderr); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "gatecheck list: unexpected argument %q (files go with --scenarios)\n", fs.Arg(0))
		return exitUsage
	}
	scs, err := sf.load()
	if err != nil {
		fmt.Fprintf(stderr, "gatecheck list: %v\n", err)
		return exitUsage
	}
	if *asJSON {
		entries := make([]listEntry, 0, len(scs))
		for _, sc := range scs {
			entries = append(entries, newListEntry(sc))
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(entries); err != nil {
			fmt.Fprintf(stderr, "gatecheck list: %v\n", err)
			return exitUsage
		}
		return exitOK
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tLEVEL\tSPEC\tSUMMARY")
	for _, sc := range scs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", sc.ID, sc.Level, sc.Spec.String(), oneLine(sc.Summary))
	}
	if err := tw.Flush(); err != nil {
		fmt.Fprintf(stderr, "gatecheck list: %v\n", err)
		return exitUsage
	}
	return exitOK
}

// newListEntry describes one scenario for list --json.
func newListEntry(sc *scenarios.Scenario) listEntry {
	tags := sc.Tags
	if tags == nil {
		tags = []string{}
	}
	endpoint := string(sc.Endpoint)
	if endpoint == "" {
		endpoint = string(scenarios.EndpointMain)
	}
	return listEntry{
		ID: sc.ID, Family: sc.Family(), Summary: sc.Summary, Spec: sc.Spec.String(),
		Level: sc.Level, Tags: tags, Endpoint: endpoint, Exclusive: sc.Exclusive,
		Repeat: max(sc.Repeat, 1), Source: sc.Source,
	}
}

// oneLine folds a multi-line text into one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
