package judge

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/wire"
)

// defaultChecked are the fields passthrough compares in every scenario, when the
// upstream sent them.
var defaultChecked = []string{"Content-Type", "Cache-Control", "X-Gatecheck"}

// decision is an outcome with the words that explain it.
type decision struct {
	outcome scenarios.Outcome
	// actual describes what the client got, for Judgement.Actual.
	actual string
}

// Judge decides the outcome of one request and grades it against exp. It is the
// one place where outcomes are decided; ref is the upstream's answer (see
// Reference), obs what the client saw, t the target's timeouts (for within
// checks), and followUp says whether the request is a follow-up (for reuse).
//
// The outcome follows the ordered rules of scenarios/README.md, "How outcomes are
// judged", with three corrections that keep a verdict from being wrong:
//
//   - Rule 2: interim responses that reached the client, followed by the end of the
//     connection with no byte of a final head, are aborted (the client can tell the
//     message is incomplete: interim/then-close lists it), not raw-relay; with the
//     deadline passed instead they are hung.
//   - Rule 3 also covers the body's chunked framing and the trailers the client got
//     (a bad chunk size or a missing CRLF after chunk data relayed verbatim can
//     desynchronise a lenient client) — every entry of Response.Violations. The
//     deviations the RFCs let recipients tolerate (Response.Notes: "HTTP/1.1 200"
//     without the SP, a status outside 100-599, a CTL other than NUL or CR in a
//     value, a Content-Length beyond 2^63-1) do not count, or status/no-reason,
//     status/out-of-range and framing/overflowing-content-length could not pass.
//   - Rule 6: a complete message at the client is fake-complete whenever the
//     upstream's own message was incomplete or broken, even when the bytes match
//     (a ten-byte truncation re-framed as a complete ten-byte body is the classic
//     case, and rule 7 would have called it passthrough).
//
// The verdict is pass when a Pass alternative names the outcome and all its checks
// hold, else non-strict when a NonStrict alternative does, else fail;
// any byte after a complete final response (Response.Extra, but for CRLFs) makes
// the outcome raw-relay;
// fake-complete, raw-relay and hung always fail. An observation with Err set (the
// client's own failure) gets the verdict error and the outcome "none".
func Judge(exp scenarios.Expectation, ref wire.Response, obs Observation, t scenarios.Timeouts, followUp bool) Judgement {
	if obs.Err != "" {
		// A cancelled run or a socket error of the client's own is no evidence
		// about the proxy: no verdict rather than a wrong one.
		return Judgement{Outcome: scenarios.OutcomeNone, Verdict: scenarios.VerdictError, Expected: renderExpected(exp, &t), Actual: "client error: " + obs.Err}
	}
	d := decide(exp, ref, obs)
	if w := Stray(obs); w != "" {
		// Bytes after a complete final response are a response to a request
		// the client has not sent yet, whatever came before them.
		d = decision{scenarios.OutcomeRawRelay, d.actual + "; then " + w}
	}
	j := Judgement{Outcome: d.outcome, Verdict: scenarios.VerdictFail, Expected: renderExpected(exp, &t)}
	var failed []string
	grade := func(alts []scenarios.Alternative, v scenarios.Verdict) bool {
		for _, a := range alts {
			if a.Outcome != d.outcome {
				continue
			}
			r := runChecks(a, ref, obs, t, followUp)
			if r.ok() {
				j.Verdict, j.Notes = v, r.notes
				return true
			}
			failed = append(failed, r.failures...)
		}
		return false
	}
	if !d.outcome.AlwaysFails() && !grade(exp.Pass, scenarios.VerdictPass) {
		grade(exp.NonStrict, scenarios.VerdictNonStrict)
	}
	j.Actual = d.actual
	if j.Verdict != scenarios.VerdictPass && len(failed) > 0 {
		j.Actual += "; but " + strings.Join(dedupe(failed), "; ")
	}
	return j
}

// decide applies the ordered rules and returns the outcome.
func decide(exp scenarios.Expectation, ref wire.Response, obs Observation) decision {
	r := obs.Response
	timedOut := obs.Ending == wire.EndTimeout
	// Rule 0 (HTTP/2): the proxy broke HTTP/2's own framing rules, whatever
	// else it sent.
	if obs.H2 != nil && len(obs.H2.ProtocolErrors) > 0 {
		return decision{scenarios.OutcomeProtocolError, protocolErrorWords(obs)}
	}
	// Rule 1: nothing received.
	if len(r.Raw) == 0 {
		if timedOut {
			return decision{scenarios.OutcomeHung, "nothing within " + roundDur(obs.End) + ", until the deadline"}
		}
		return decision{scenarios.OutcomeNoResponse, "no response: " + closedWords(obs.Exchange) + " before any " + unitWord(obs.Exchange)}
	}
	// Rule 2: no complete final head.
	if !r.HeadComplete {
		switch {
		case len(r.Partial) == 0 && len(r.Interim) > 0 && len(r.Violations) == 0:
			if timedOut {
				return decision{scenarios.OutcomeHung, interimWords(r) + ", then nothing until the deadline"}
			}
			return decision{scenarios.OutcomeAborted, interimWords(r) + ", then " + endWords(obs.Exchange) + " without a final response"}
		case len(r.Partial) > 0:
			return decision{scenarios.OutcomeRawRelay, "an incomplete head (" + strconv.Itoa(len(r.Partial)) + " bytes: " +
				wire.FirstBytes(r.Partial, 60) + "), then " + endWords(obs.Exchange)}
		}
		return decision{scenarios.OutcomeRawRelay, "no valid response head: " + firstViolation(r) + " (" + wire.FirstBytes(r.Raw, 60) + ")"}
	}
	// Rule 3: bytes that are not HTTP/1.1 (for an HTTP/2 client: a malformed
	// response, RFC 9113 §8.1.1).
	if len(r.Violations) > 0 {
		return decision{scenarios.OutcomeRawRelay, statusWords(r) + " that is not valid " + protocolName(obs.Exchange) + ": " + firstViolation(r)}
	}
	// Rule 4: a status the upstream did not send: the proxy's own response.
	refValid := ref.HeadComplete && ref.Final.Status != 0
	if !refValid || r.Final.Status != ref.Final.Status {
		if st := r.Final.Status; st < 100 || st > 599 {
			// Invalid (RFC 9110 §15), and not the upstream's to tolerate: over
			// HTTP/2 nginx answers an HTTP/0.9 upstream with :status 000 and
			// the upstream's bytes as the body.
			return decision{scenarios.OutcomeRawRelay, interimPrefix(r) + "status " + fmt.Sprintf("%03d", st) + ", which the upstream did not send and RFC 9110 §15 calls invalid (outside 100..599), for " +
				upstreamWords(ref) + incompleteWords(r, obs.Exchange)}
		}
		word := scenarios.StatusOutcome(r.Final.Status)
		switch {
		case named(exp, word):
		case r.Final.Status/100 == 5:
			word = scenarios.Outcome5xx
		}
		source := " from the proxy ("
		if len(ref.Raw) > 0 && !refValid && r.Final.Status/100 != 5 {
			// Not necessarily made up: the proxy may have read a status into bytes
			// that hold none.
			source = " for an invalid upstream response ("
		}
		return decision{word, interimPrefix(r) + strconv.Itoa(r.Final.Status) + source + upstreamWords(ref) + ")" + incompleteWords(r, obs.Exchange)}
	}
	// Rule 5: the upstream's status, but an incomplete message.
	if !r.Complete {
		if timedOut {
			return decision{scenarios.OutcomeHung, bodyWords(r, ref) + ", then nothing until the deadline"}
		}
		return decision{scenarios.OutcomeAborted, bodyWords(r, ref) + ", then " + endWords(obs.Exchange)}
	}
	// Rule 6: a complete message that is not the upstream's. For an HTTP/2
	// client, END_STREAM short of the content-length the proxy sent is one
	// too (RFC 9113 §8.1.1), whatever the upstream's.
	if r.Framing == wire.FramingContentLength && r.BodyLen < r.ContentLength {
		return decision{scenarios.OutcomeFakeComplete, bodyWords(r, ref) + " — END_STREAM after " + strconv.FormatInt(r.BodyLen, 10) +
			" bytes of the content-length of " + lengthText(r) + " it sent, presented as complete"}
	}
	if !ref.Complete {
		return decision{scenarios.OutcomeFakeComplete, bodyWords(r, ref) + " — " + refFaultWords(ref) + " presented as complete"}
	}
	if r.BodyLen != ref.BodyLen || r.BodySHA256 != ref.BodySHA256 {
		return decision{scenarios.OutcomeFakeComplete, bodyWords(r, ref) + " — a body that is not the upstream's presented as complete (" + bodyDiff(r, ref) + ")"}
	}
	// Rule 7: the upstream's status and body: which fields came through.
	return fieldsOutcome(exp, ref, r)
}

// fieldsOutcome is rule 7: passthrough, repaired, dropped or raw-relay, from the
// offending field of a repair scenario and the checked fields.
func fieldsOutcome(exp scenarios.Expectation, ref, r wire.Response) decision {
	base := bodyWords(r, ref) + ", body identical"
	var skip string
	if exp.Repair != nil {
		skip = exp.Repair.Field
	}
	changed := changedFields(exp, ref, r, skip)
	if exp.Repair != nil {
		name := exp.Repair.Field
		vals := r.Final.Values(name)
		got := strings.Join(vals, ", ")
		switch {
		case len(vals) == 0:
			return decision{scenarios.OutcomeDropped, base + ", " + name + " dropped" + changedSuffix(changed)}
		case exp.Repair.Value != "" && normalizeWS(got) == normalizeWS(exp.Repair.Value):
			if len(changed) > 0 {
				return decision{scenarios.OutcomeDropped, base + ", " + name + " repaired" + changedSuffix(changed)}
			}
			return decision{scenarios.OutcomeRepaired, base + ", " + name + ": " + strconv.Quote(got) + " repaired"}
		case exp.Repair.Value == "":
			return decision{scenarios.OutcomeRawRelay, base + ", " + name + ": " + strconv.Quote(got) + " forwarded, though it can only be dropped"}
		}
		return decision{scenarios.OutcomeRawRelay, base + ", " + name + ": " + strconv.Quote(got) + " forwarded, not the prescribed repair " + strconv.Quote(exp.Repair.Value)}
	}
	if len(changed) > 0 {
		return decision{scenarios.OutcomeDropped, base + changedSuffix(changed)}
	}
	return decision{scenarios.OutcomePassthrough, base}
}

// changedFields compares the checked fields the upstream sent (all but skip) with
// what reached the client and describes each that is missing or changed.
func changedFields(exp scenarios.Expectation, ref, r wire.Response, skip string) []string {
	var out []string
	seen := map[string]bool{}
	for _, name := range append(slices.Clone(defaultChecked), exp.CheckedFields...) {
		key := strings.ToLower(name)
		if seen[key] || strings.EqualFold(name, skip) {
			continue
		}
		seen[key] = true
		want := ref.Final.Values(name)
		if len(want) == 0 {
			continue
		}
		got := r.Final.Values(name)
		switch {
		case len(got) == 0:
			out = append(out, name+" missing")
		case normalizeWS(strings.Join(got, ", ")) != normalizeWS(strings.Join(want, ", ")):
			out = append(out, name+" changed from "+strconv.Quote(strings.Join(want, ", "))+" to "+strconv.Quote(strings.Join(got, ", ")))
		}
	}
	return out
}

func changedSuffix(changed []string) string {
	if len(changed) == 0 {
		return ""
	}
	return ", but " + strings.Join(changed, ", ")
}

// named reports whether a pass or non-strict alternative names outcome.
func named(exp scenarios.Expectation, outcome scenarios.Outcome) bool {
	for _, a := range append(slices.Clone(exp.Pass), exp.NonStrict...) {
		if a.Outcome == outcome {
			return true
		}
	}
	return false
}

// normalizeWS trims s and turns every run of spaces and tabs into one space: the
// comparison of README's repair ("runs of spaces and tabs compare equal to one
// space").
func normalizeWS(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' }), " ")
}

func dedupe(s []string) []string {
	var out []string
	for _, x := range s {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}
