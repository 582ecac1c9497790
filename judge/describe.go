package judge

import (
	"cmp"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/wire"
)

// expectedText is the expectation in words, with durations as written.
func expectedText(exp scenarios.Expectation) string { return renderExpected(exp, nil) }

// renderExpected is the expectation in words, h2spec style: "aborted or 502
// (non-strict: 5xx)". With t, durations are shown resolved too.
func renderExpected(exp scenarios.Expectation, t *scenarios.Timeouts) string {
	s := renderAlts(exp.Pass, exp.Repair, t)
	if len(exp.NonStrict) > 0 {
		s += " (non-strict: " + renderAlts(exp.NonStrict, exp.Repair, t) + ")"
	}
	return s
}

// renderAlts lists alternatives as "a, b or c".
func renderAlts(alts []scenarios.Alternative, repair *scenarios.Repair, t *scenarios.Timeouts) string {
	parts := make([]string, len(alts))
	for i, a := range alts {
		parts[i] = renderAlt(a, repair, t)
	}
	if len(parts) == 0 {
		return "nothing"
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}

// renderAlt is one alternative in words: "passthrough with X-Int absent",
// "502 after exactly 1 upstream attempt", "1xx forwarded, then 504".
func renderAlt(a scenarios.Alternative, repair *scenarios.Repair, t *scenarios.Timeouts) string {
	s := string(a.Outcome)
	switch {
	case a.Outcome == scenarios.OutcomeRepaired && repair != nil:
		s += fmt.Sprintf(" (%s: %q)", repair.Field, repair.Value)
	case a.Outcome == scenarios.OutcomeDropped && repair != nil:
		s += " (" + repair.Field + " removed)"
	}
	if a.Interim == scenarios.InterimForwarded {
		s = "1xx forwarded, then " + s
	}
	var with []string
	for _, f := range a.Fields {
		with = append(with, fieldWords(f))
	}
	if a.Interim == scenarios.InterimNone {
		with = append(with, "no 1xx")
	}
	if len(with) > 0 {
		s += " with " + strings.Join(with, " and ")
	}
	if a.Attempts != nil {
		s += " after " + attemptsWords(*a.Attempts)
	}
	if a.Method != "" {
		s += ", the upstream having seen a " + a.Method
	}
	if a.Within != nil {
		s += ", " + withinWords(*a.Within, t)
	}
	if a.Reuse == scenarios.ReuseNever {
		s += ", on a new upstream connection"
	}
	if len(a.RSTCode) > 0 {
		s += ", the stream reset with " + strings.Join(a.RSTCode, " or ")
	}
	if a.EndStream != nil {
		if *a.EndStream {
			s += ", ended by END_STREAM"
		} else {
			s += ", never ended by END_STREAM"
		}
	}
	return s
}

func fieldWords(f scenarios.FieldCheck) string {
	name := f.Name
	if f.In == scenarios.SectionTrailers {
		name = "trailer " + name
	}
	switch {
	case f.Absent:
		return name + " absent"
	case f.Present:
		return name + " present"
	case f.Equals != nil:
		return fmt.Sprintf("%s: %q", name, *f.Equals)
	case f.Count != nil:
		return fmt.Sprintf("%d %s line(s)", *f.Count, name)
	case f.Lacks != "":
		return fmt.Sprintf("no %s listed in %s", f.Lacks, name)
	}
	return name
}

func attemptsWords(r scenarios.Range) string {
	switch {
	case r.Min == r.Max && r.Min == 0:
		return "no upstream attempt"
	case r.Min == r.Max && r.Min == 1:
		return "exactly 1 upstream attempt"
	case r.Min == r.Max:
		return fmt.Sprintf("exactly %d upstream attempts", r.Min)
	}
	return fmt.Sprintf("%d to %d upstream attempts", r.Min, r.Max)
}

func withinWords(w scenarios.Within, t *scenarios.Timeouts) string {
	limit := w.Limit.String()
	if t != nil {
		if r := roundDur(w.Limit.Resolve(*t)); r != limit {
			limit += " (" + r + ")"
		}
	}
	return eventWords(cmp.Or(w.Event, scenarios.EventComplete)) + " within " + limit + " of " + anchorWords(cmp.Or(w.After, scenarios.AnchorLastByte))
}

func eventWords(event scenarios.Event) string {
	switch event {
	case scenarios.EventHead:
		return "head"
	case scenarios.EventFirstBodyByte:
		return "first body byte"
	}
	return "complete"
}

func anchorWords(after string) string {
	if after == scenarios.AnchorLastByte {
		return "the upstream's last byte"
	}
	return "the upstream's mark " + strconv.Quote(after)
}

// roundDur shows a duration to the millisecond.
func roundDur(d time.Duration) string { return d.Round(time.Millisecond).String() }

// endWords names how a connection (for an HTTP/2 client, a stream) ended.
func endWords(x wire.Exchange) string {
	if x.H2 != nil {
		switch {
		case x.H2.Reset != "":
			return "RST_STREAM(" + x.H2.Reset + ")"
		case x.H2.Refused():
			return "GOAWAY(" + x.H2.GoAway + ", last stream " + strconv.FormatUint(uint64(x.H2.GoAwayLastStream), 10) + ") leaving the stream out"
		case x.Ending == wire.EndComplete:
			return "END_STREAM"
		}
	}
	switch x.Ending {
	case wire.EndReset:
		return "reset"
	case wire.EndTimeout:
		return "nothing until the deadline"
	case wire.EndTruncated:
		return "FIN"
	}
	return "a clean end"
}

// closedWords says how a connection closed (for an HTTP/2 client, a stream
// ended) before any byte.
func closedWords(x wire.Exchange) string {
	if x.H2 != nil && (x.H2.Reset != "" || x.H2.Refused()) {
		return endWords(x)
	}
	if x.Ending == wire.EndReset {
		return "connection reset"
	}
	return "connection closed (FIN)"
}

// unitWord is what the client counts arrivals in: bytes, or HTTP/2 frames of
// the stream.
func unitWord(x wire.Exchange) string {
	if x.H2 != nil {
		return "HEADERS or DATA"
	}
	return "byte"
}

// protocolName is the protocol the client spoke.
func protocolName(x wire.Exchange) string {
	if x.H2 != nil {
		return "HTTP/2"
	}
	return "HTTP/1.1"
}

// protocolErrorWords describe the proxy's HTTP/2 protocol errors: the first,
// and how many more.
func protocolErrorWords(obs Observation) string {
	errs := obs.H2.ProtocolErrors
	w := "an HTTP/2 protocol error of the proxy's: " + errs[0]
	if len(errs) > 1 {
		w += " (and " + strconv.Itoa(len(errs)-1) + " more)"
	}
	if obs.Response.HeadComplete {
		w = statusWords(obs.Response) + ", then " + w
	}
	return w
}

// interimList lists interim statuses: "103, 100".
func interimList(hs []wire.Head) string {
	if len(hs) == 0 {
		return "no 1xx"
	}
	s := make([]string, len(hs))
	for i, h := range hs {
		s[i] = strconv.Itoa(h.Status)
		if len(h.Values(interimMarker)) == 0 {
			s[i] += " (unmarked)"
		}
	}
	return strings.Join(s, ", ")
}

// interimWords is "interim 103, 100" for the client's interim responses.
func interimWords(r wire.Response) string { return "interim " + interimList(r.Interim) }

// interimPrefix is "interim 103, then " when the client got interim responses.
func interimPrefix(r wire.Response) string {
	if len(r.Interim) == 0 {
		return ""
	}
	return interimWords(r) + ", then "
}

// statusWords is the final status, or the status line when it did not parse.
func statusWords(r wire.Response) string {
	if r.Final.Status == 0 {
		return interimPrefix(r) + "status line " + wire.Quote(r.Final.StatusLine)
	}
	return interimPrefix(r) + strconv.Itoa(r.Final.Status)
}

// firstViolation is the first violation, with a count of the others.
func firstViolation(r wire.Response) string {
	switch len(r.Violations) {
	case 0:
		return "no violation"
	case 1:
		return r.Violations[0]
	}
	return fmt.Sprintf("%s (and %d more)", r.Violations[0], len(r.Violations)-1)
}

// upstreamWords says what the upstream sent, next to a proxy's own status.
func upstreamWords(ref wire.Response) string {
	switch {
	case len(ref.Raw) == 0:
		return "the upstream sent nothing"
	case !ref.HeadComplete:
		return "the upstream sent no complete response head"
	case ref.Final.Status == 0:
		return "the upstream sent the invalid status line " + wire.Quote(ref.Final.StatusLine)
	}
	return "upstream sent " + strconv.Itoa(ref.Final.Status)
}

// incompleteWords adds how a proxy's own response ended when it was incomplete.
func incompleteWords(r wire.Response, e wire.Exchange) string {
	if r.Complete {
		return ""
	}
	return ", " + framingWords(r, wire.Response{}) + ", then " + endWords(e)
}

// bodyWords is the status, framing and body size the client got: "200, chunked,
// last-chunk present, 10 of 100 bytes". The expected size is the client's own
// Content-Length, or else the upstream's.
func bodyWords(r, ref wire.Response) string {
	return statusWords(r) + ", " + framingWords(r, ref)
}

func framingWords(r, ref wire.Response) string {
	of := ""
	switch {
	case r.Framing == wire.FramingContentLength:
		of = " of " + lengthText(r)
	case ref.Framing == wire.FramingContentLength:
		of = " of " + lengthText(ref)
	}
	n := strconv.FormatInt(r.BodyLen, 10) + of + " bytes"
	switch r.Framing {
	case wire.FramingNone:
		return "no body"
	case wire.FramingContentLength:
		return "content-length, " + n
	case wire.FramingChunked:
		if r.LastChunk {
			return "chunked, last-chunk present, " + n
		}
		return "chunked, no last-chunk, " + n
	case wire.FramingClose:
		if r.Complete {
			return "close-delimited, " + n + " ended by FIN"
		}
		return "close-delimited, " + n
	case wire.FramingEndStream:
		if r.Complete {
			return "no content-length, " + n + " ended by END_STREAM"
		}
		return "no content-length, " + n
	}
	return "invalid framing, " + n
}

// refFaultWords says what was wrong with an incomplete upstream message.
func refFaultWords(ref wire.Response) string {
	for _, v := range ref.Violations {
		if strings.HasPrefix(v, "body:") {
			return "a broken upstream body (" + v + ")"
		}
	}
	if ref.Framing == wire.FramingInvalid {
		return "a body with invalid framing (" + firstViolation(ref) + ")"
	}
	return "truncation"
}

// bodyDiff says how the client's body differs from the upstream's.
func bodyDiff(r, ref wire.Response) string {
	if r.BodyLen != ref.BodyLen {
		return fmt.Sprintf("%d bytes, the upstream sent %d", r.BodyLen, ref.BodyLen)
	}
	for i := range min(len(r.Body), len(ref.Body)) {
		if r.Body[i] != ref.Body[i] {
			return fmt.Sprintf("first difference at byte %d", i)
		}
	}
	return "same length, different bytes beyond the kept " + strconv.Itoa(wire.MaxBody) + " bytes"
}

// lengthText is r's Content-Length as a number: the field's own digits when
// the parser kept math.MaxInt64 for a numeral beyond it, so that the words
// name what was sent (18446744073709551616), not the cap.
func lengthText(r wire.Response) string {
	if r.ContentLength == math.MaxInt64 {
		if vals := r.Final.Values("content-length"); len(vals) > 0 {
			return wire.FirstBytes([]byte(strings.TrimLeft(vals[0], "0")), 40)
		}
	}
	return strconv.FormatInt(r.ContentLength, 10)
}
