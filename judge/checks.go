package judge

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/wire"
)

// interimMarker is the field the fake upstream's 1xx responses carry, so that a
// forwarded 1xx is told from one the proxy made itself.
const interimMarker = "X-Gatecheck-Interim"

// checkResult is what the checks of one alternative found.
type checkResult struct {
	failures []string // what did not hold, as facts about the client's answer
	notes    []string // remarks that do not change the verdict
}

func (c checkResult) ok() bool { return len(c.failures) == 0 }

// runChecks judges every check of an alternative (the glossary's closed list:
// interim, attempts, reuse, field, within).
func runChecks(a scenarios.Alternative, ref wire.Response, obs Observation, t scenarios.Timeouts, followUp bool) checkResult {
	var c checkResult
	fail := func(s string) {
		if s != "" {
			c.failures = append(c.failures, s)
		}
	}
	r := obs.Response
	switch a.Interim {
	case scenarios.InterimForwarded:
		fail(interimForwarded(ref, r))
	case scenarios.InterimNone:
		if len(r.Interim) > 0 {
			fail("the client got interim " + interimList(r.Interim))
		}
	}
	if a.Attempts != nil && (obs.Attempts < a.Attempts.Min || obs.Attempts > a.Attempts.Max) {
		fail(fmt.Sprintf("the upstream saw the request %s (want %s)", times(obs.Attempts), attemptsWords(*a.Attempts)))
	}
	switch {
	case a.Reuse == "":
	case !followUp:
		fail("reuse is a check for follow-ups only")
	case a.Reuse == scenarios.ReuseNever && obs.Reused:
		fail("the follow-up rode the main request's upstream connection")
	}
	if a.Method != "" && obs.UpstreamMethod != a.Method {
		if obs.UpstreamMethod == "" {
			fail("the upstream never saw the request, so not as a " + a.Method)
		} else {
			fail("the upstream saw a " + obs.UpstreamMethod + ", not the client's " + a.Method)
		}
	}
	for _, fc := range a.Fields {
		fail(fieldCheck(fc, r))
	}
	if a.Within != nil {
		fail(withinCheck(*a.Within, obs, t))
	}
	if a.HTTP2Only() {
		fail(h2Checks(a, obs))
	}
	return c
}

// h2Checks judges rst_code and end_stream, which only an HTTP/2 client's
// observation can satisfy.
func h2Checks(a scenarios.Alternative, obs Observation) string {
	h := obs.H2
	if h == nil {
		return "rst_code and end_stream are HTTP/2 checks, and the client spoke HTTP/1.1"
	}
	var out []string
	if len(a.RSTCode) > 0 && !slices.Contains(a.RSTCode, h.Reset) {
		got := "no RST_STREAM"
		if h.Reset != "" {
			got = "RST_STREAM(" + h.Reset + ")"
		}
		out = append(out, "the stream ended with "+got+", not RST_STREAM("+strings.Join(a.RSTCode, " or ")+")")
	}
	if a.EndStream != nil && *a.EndStream != h.EndStream {
		if h.EndStream {
			out = append(out, "the proxy ended the stream with END_STREAM")
		} else {
			out = append(out, "the proxy never ended the stream with END_STREAM")
		}
	}
	return strings.Join(out, "; ")
}

// interimForwarded checks that every 1xx the upstream sent reached the client in
// order with its status and fields. When the upstream's 1xx carry interimMarker,
// the client's marked 1xx must be exactly those; otherwise they must appear among
// the client's 1xx in order.
func interimForwarded(ref, r wire.Response) string {
	if len(ref.Interim) == 0 {
		return ""
	}
	marked := false
	for _, h := range ref.Interim {
		marked = marked || len(h.Values(interimMarker)) > 0
	}
	if !marked {
		j := 0
		for i, up := range ref.Interim {
			for j < len(r.Interim) && sameInterim(up, r.Interim[j]) != "" {
				j++
			}
			if j == len(r.Interim) {
				return fmt.Sprintf("the upstream's interim %d (%d) never reached the client (it got %s)", i+1, up.Status, interimList(r.Interim))
			}
			j++
		}
		return ""
	}
	var got []wire.Head
	for _, h := range r.Interim {
		if len(h.Values(interimMarker)) > 0 {
			got = append(got, h)
		}
	}
	if len(got) != len(ref.Interim) {
		return fmt.Sprintf("%d of the upstream's %d interim responses (%s) reached the client (it got %s)",
			len(got), len(ref.Interim), interimList(ref.Interim), interimList(r.Interim))
	}
	for i := range got {
		if d := sameInterim(ref.Interim[i], got[i]); d != "" {
			return fmt.Sprintf("interim %d differs from the upstream's: %s", i+1, d)
		}
	}
	return ""
}

// notCompared are fields a proxy may add, drop or change on any message: they are
// never compared for an interim response.
var notCompared = []string{"connection", "keep-alive", "proxy-connection", "te", "transfer-encoding",
	"upgrade", "trailer", "date", "server", "via"}

// sameInterim describes how got differs from the upstream's interim head up, or
// returns "". Every end-to-end field of up must arrive with the same values.
func sameInterim(up, got wire.Head) string {
	if up.Status != got.Status {
		return fmt.Sprintf("status %d, the upstream's %d", got.Status, up.Status)
	}
	skip := slices.Clone(notCompared)
	for _, v := range up.Values("Connection") {
		for o := range strings.SplitSeq(v, ",") {
			skip = append(skip, strings.ToLower(strings.Trim(o, " \t")))
		}
	}
	seen := map[string]bool{}
	for _, f := range up.Fields {
		key := strings.ToLower(f.Name)
		if seen[key] || slices.Contains(skip, key) {
			continue
		}
		seen[key] = true
		want, have := strings.Join(up.Values(f.Name), ", "), got.Values(f.Name)
		switch {
		case len(have) == 0:
			return f.Name + " missing"
		case normalizeWS(strings.Join(have, ", ")) != normalizeWS(want):
			return fmt.Sprintf("%s: %q, the upstream's %q", f.Name, strings.Join(have, ", "), want)
		}
	}
	return ""
}

// fieldCheck judges one field check, or returns "".
func fieldCheck(c scenarios.FieldCheck, r wire.Response) string {
	fields, where := r.Final.Fields, ""
	if c.In == scenarios.SectionTrailers {
		fields, where = r.Trailers, "trailer "
	}
	vals := wire.FieldValues(fields, c.Name)
	got := strings.Join(vals, ", ")
	switch {
	case c.Absent && len(vals) > 0:
		return fmt.Sprintf("%s%s: %s forwarded", where, c.Name, got)
	case c.Present && len(vals) == 0:
		return fmt.Sprintf("%s%s absent", where, c.Name)
	case c.Equals != nil && len(vals) == 0:
		return fmt.Sprintf("%s%s absent (want %q)", where, c.Name, *c.Equals)
	case c.Equals != nil && got != *c.Equals:
		return fmt.Sprintf("%s%s: %q (want %q)", where, c.Name, got, *c.Equals)
	case c.Count != nil && len(vals) != *c.Count:
		return fmt.Sprintf("%s %s%s line(s) (want %d)", strconv.Itoa(len(vals)), where, c.Name, *c.Count)
	case c.Lacks != "" && listsToken(vals, c.Lacks):
		return fmt.Sprintf("%s%s: %s forwarded, which lists %s", where, c.Name, got, c.Lacks)
	}
	return ""
}

// withinCheck judges a time bound from an upstream anchor to a client event, or
// returns "". The event complete is when the response ended at the client (its
// completion, or the FIN or reset that cut it short); a response that ran into
// the deadline has no such event.
func withinCheck(w scenarios.Within, obs Observation, t scenarios.Timeouts) string {
	limit := w.Limit.Resolve(t)
	after := cmp.Or(w.After, scenarios.AnchorLastByte)
	anchor, ok := obs.Anchors[after]
	if !ok || anchor.IsZero() {
		return "no time for " + anchorWords(after) + " in the journal, so nothing to time from"
	}
	var at time.Time
	switch event := cmp.Or(w.Event, scenarios.EventComplete); event {
	case scenarios.EventHead:
		if at = obs.HeadAt; at.IsZero() {
			return "the final head never arrived"
		}
	case scenarios.EventFirstBodyByte:
		if at = obs.FirstBodyAt; at.IsZero() {
			return "no body byte arrived"
		}
	default:
		if obs.Ending == wire.EndTimeout || obs.EndAt.IsZero() {
			return "the response had not ended at the deadline"
		}
		at = obs.EndAt
	}
	if d := at.Sub(anchor); d > limit {
		return fmt.Sprintf("%s %s after %s (limit %s)", eventWords(cmp.Or(w.Event, scenarios.EventComplete)), roundDur(d), anchorWords(after), roundDur(limit))
	}
	return ""
}

func times(n int) string {
	if n == 1 {
		return "once"
	}
	return strconv.Itoa(n) + " times"
}

// listsToken reports whether any comma-separated element of the field lines
// equals token, compared without case.
func listsToken(lines []string, token string) bool {
	for _, l := range lines {
		for e := range strings.SplitSeq(l, ",") {
			if strings.EqualFold(strings.Trim(e, " \t"), token) {
				return true
			}
		}
	}
	return false
}
