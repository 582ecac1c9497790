package scenarios

import (
	"reflect"
	"strings"
	"testing"
)

func TestSelect(t *testing.T) {
	var all []*Scenario
	for _, id := range []string{"framing/te-and-cl", "body/truncated-chunked", "body/truncated-content-length", "conn/refused", "framing/trailers"} {
		all = append(all, &Scenario{ID: id})
	}
	tests := []struct {
		globs []string
		want  string
	}{
		{nil, "framing/te-and-cl body/truncated-chunked body/truncated-content-length conn/refused framing/trailers"},
		{[]string{"framing/*"}, "framing/te-and-cl framing/trailers"},
		{[]string{"framing"}, "framing/te-and-cl framing/trailers"},
		{[]string{"*/truncated-*"}, "body/truncated-chunked body/truncated-content-length"},
		{[]string{"conn/refused", "framing"}, "framing/te-and-cl conn/refused framing/trailers"},
		{[]string{"b*"}, "body/truncated-chunked body/truncated-content-length"},
		{[]string{"*"}, "framing/te-and-cl body/truncated-chunked body/truncated-content-length conn/refused framing/trailers"},
		{[]string{"frame"}, ""},
		{[]string{"framing/te"}, ""},
		{[]string{"[", "framing/["}, ""}, // bad patterns match nothing
	}
	for _, tt := range tests {
		var ids []string
		for _, s := range Select(all, tt.globs) {
			ids = append(ids, s.ID)
		}
		if got := strings.Join(ids, " "); got != tt.want {
			t.Errorf("Select(%q): got %q; want %q", tt.globs, got, tt.want)
		}
	}
}

func TestLoad(t *testing.T) {
	all, err := Load("testdata/load")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range all {
		got = append(got, s.ID+"@"+s.Source)
	}
	want := []string{
		"pass/a@testdata/load/a.yml:1",
		"pass/b-one@testdata/load/b.yaml:2",
		"conn/b-two@testdata/load/b.yaml:21",
		"pass/c@testdata/load/sub/c.yaml:1",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v; want %v", got, want)
	}
	// A file named explicitly is read whatever its name.
	if all, err := Load("testdata/load/sub/c.yaml", "testdata/load/a.yml"); err != nil || len(all) != 2 || all[0].ID != "pass/c" {
		t.Errorf("Load(files): got %d, %v; want pass/c, pass/a", len(all), err)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		paths []string
		want  string
	}{
		{[]string{"testdata/dup"}, `testdata/dup/y.yaml:3: duplicate id "pass/a" (first at testdata/dup/x.yaml:1)`},
		{[]string{"testdata/load", "testdata/load/a.yml"}, `testdata/load/a.yml:1: duplicate id "pass/a" (first at testdata/load/a.yml:1)`},
		{[]string{"testdata/missing.yaml"}, `stat testdata/missing.yaml: no such file or directory`},
		{[]string{"testdata/rfc"}, `testdata/rfc: no *.yaml or *.yml files`},
		{[]string{"testdata/load/sub/notes.txt"}, `testdata/load/sub/notes.txt:1: a scenario is a map of fields, got the string "Only the *.yaml and *.yml files of a ..."`},
	}
	for _, tt := range tests {
		all, err := Load(tt.paths...)
		if err == nil || err.Error() != tt.want || all != nil {
			t.Errorf("Load(%q): got %d scenarios, %v; want %s", tt.paths, len(all), err, tt.want)
		}
	}
}
