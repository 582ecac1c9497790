package scenarios

import (
	"path"
	"strings"
)

// Select returns the scenarios whose id matches one of globs (path.Match syntax:
// "framing/*", "*/truncated-*"), in their order. A glob without "/" matches the
// family ("framing"). No globs selects everything.
func Select(all []*Scenario, globs []string) []*Scenario {
	if len(globs) == 0 {
		return all
	}
	var out []*Scenario
	for _, s := range all {
		for _, g := range globs {
			subject := s.ID
			if !strings.Contains(g, "/") {
				subject = string(s.Family())
			}
			if ok, _ := path.Match(g, subject); ok {
				out = append(out, s)
				break
			}
		}
	}
	return out
}
