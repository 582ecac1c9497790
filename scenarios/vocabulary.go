package scenarios

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// The words of the glossary (docs/CATALOGUE.md), typed: every package that
// grades, reports or compares results uses these and spells none of them
// itself. Each type is a string type, so a value marshals to JSON and YAML
// exactly as the word it stands for.

// Verdict is the grade of one scenario run (CATALOGUE.md glossary).
type Verdict string

// The five verdicts, in the order reports list them.
const (
	VerdictPass      Verdict = "pass"
	VerdictNonStrict Verdict = "non-strict"
	VerdictFail      Verdict = "fail"
	VerdictError     Verdict = "error"
	VerdictSkip      Verdict = "skip"
)

// Verdicts are the five verdicts in the order reports list them.
var Verdicts = []Verdict{VerdictPass, VerdictNonStrict, VerdictFail, VerdictError, VerdictSkip}

// gradeRank orders the verdicts from best to worst for grading a scenario's
// repetitions and requests: a skip grades just above a pass, so that any
// verdict of a run that was judged outranks one that was not.
var gradeRank = map[Verdict]int{VerdictPass: 0, VerdictSkip: 1, VerdictNonStrict: 2, VerdictFail: 3, VerdictError: 4}

// Worse reports whether v is a worse grade than w: pass, skip, non-strict,
// fail, error, from best to worst.
func (v Verdict) Worse(w Verdict) bool { return gradeRank[v] > gradeRank[w] }

// marks are the symbols that stand for the verdicts in gatecheck run's lines
// and in the matrix's cells.
var marks = map[Verdict]string{VerdictPass: "✓", VerdictNonStrict: "~", VerdictFail: "✗", VerdictError: "!", VerdictSkip: "-"}

// Mark is the verdict's symbol: ✓ pass, ~ non-strict, ✗ fail, ! error, - skip,
// and ? for a word that is no verdict.
func (v Verdict) Mark() string {
	if m, ok := marks[v]; ok {
		return m
	}
	return "?"
}

// UntestedMark stands for a pass of a row about pooled upstream connections
// in which the proxy never reused one: untested, not evidence.
const UntestedMark = "○"

// Outcome is what the judge observed at the client for one request: a word of
// the glossary, or the three digits of a status the proxy made itself.
type Outcome string

// The outcomes the glossary names.
const (
	Outcome502          Outcome = "502"
	Outcome504          Outcome = "504"
	Outcome5xx          Outcome = "5xx"
	OutcomePassthrough  Outcome = "passthrough"
	OutcomeRepaired     Outcome = "repaired"
	OutcomeDropped      Outcome = "dropped"
	OutcomeAborted      Outcome = "aborted"
	OutcomeNoResponse   Outcome = "no-response"
	OutcomeFakeComplete Outcome = "fake-complete"
	OutcomeRawRelay     Outcome = "raw-relay"
	OutcomeHung         Outcome = "hung"
	// OutcomeProtocolError is an HTTP/2 client's only: the proxy broke HTTP/2's
	// own framing rules (RFC 9113 §4-§6: a frame on a closed stream, an
	// undecodable header block, a frame larger than the client allows...),
	// whatever its upstream sent.
	OutcomeProtocolError Outcome = "protocol-error"
	// OutcomeNone is the outcome of a request whose answer was never judged:
	// a skip, or an error of gatecheck's own.
	OutcomeNone Outcome = "none"
)

// listable are the outcomes a pass or non_strict list may name, besides any
// status 100-599.
var listable = []Outcome{Outcome502, Outcome504, Outcome5xx, OutcomePassthrough, OutcomeRepaired, OutcomeDropped, OutcomeAborted, OutcomeNoResponse}

// alwaysFailing are the outcomes that fail whatever a scenario lists: only
// examples may name them.
var alwaysFailing = []Outcome{OutcomeFakeComplete, OutcomeRawRelay, OutcomeHung, OutcomeProtocolError}

// AlwaysFails reports whether o fails whatever a scenario lists: a truncated
// body presented as complete, invalid bytes relayed, a client left waiting.
func (o Outcome) AlwaysFails() bool { return slices.Contains(alwaysFailing, o) }

// StatusOutcome is the outcome word of a status a proxy made itself: its three
// digits.
func StatusOutcome(status int) Outcome { return Outcome(strconv.Itoa(status)) }

// IsStatus reports whether o is a three-digit status 100-599.
func (o Outcome) IsStatus() bool {
	return len(o) == 3 && o[0] >= '1' && o[0] <= '5' && o[1] >= '0' && o[1] <= '9' && o[2] >= '0' && o[2] <= '9'
}

// CountsText is counts of glossary words as reports show them, most frequent
// first, ties in byte order: "passthrough ×37, 502 ×13".
func CountsText[W ~string](counts map[W]int) string {
	words := slices.Collect(maps.Keys(counts))
	slices.SortFunc(words, func(a, b W) int {
		if d := counts[b] - counts[a]; d != 0 {
			return d
		}
		return strings.Compare(string(a), string(b))
	})
	parts := make([]string, len(words))
	for i, w := range words {
		parts[i] = fmt.Sprintf("%s ×%d", w, counts[w])
	}
	return strings.Join(parts, ", ")
}

// Family is a group of scenarios, the prefix of their ids ("conn" for
// conn/refused): one file of the built-in catalogue each.
type Family string

// The built-in catalogue's families.
const (
	FamilyConn    Family = "conn"
	FamilyTimeout Family = "timeout"
	FamilyStatus  Family = "status"
	FamilyHeader  Family = "header"
	FamilyFraming Family = "framing"
	FamilyBody    Family = "body"
	FamilyPass    Family = "pass"
	FamilyInterim Family = "interim"
	FamilyRetry   Family = "retry"
	// FamilyH2 is what an HTTP/2 client is owed when the upstream speaks
	// HTTP/1.1: its scenarios run over h2 only.
	FamilyH2 Family = "h2"
)

// FamilyOf is the family of a scenario id: its prefix before the first "/".
func FamilyOf(id string) Family {
	f, _, _ := strings.Cut(id, "/")
	return Family(f)
}

// Family is the scenario's family, its id's prefix: "framing" for
// framing/duplicate-content-length.
func (s *Scenario) Family() Family { return FamilyOf(s.ID) }

// The words of an alternative's checks (the glossary's closed list) and of a
// follow-up's connection.

// InterimCheck is what an alternative asks of the interim (1xx) responses.
type InterimCheck string

// The interim checks.
const (
	// InterimForwarded: every 1xx the upstream sent reached the client.
	InterimForwarded InterimCheck = "forwarded"
	// InterimNone: no 1xx reached the client.
	InterimNone InterimCheck = "none"
)

// ReuseCheck is what a follow-up's alternative allows of the main request's
// upstream connection.
type ReuseCheck string

// The reuse checks.
const (
	ReuseAllowed ReuseCheck = "allowed"
	ReuseNever   ReuseCheck = "never"
)

// Event is the client event a within check times.
type Event string

// The events.
const (
	// EventComplete: the response ended at the client (complete, or cut short
	// by a FIN or a reset).
	EventComplete      Event = "complete"
	EventHead          Event = "head"
	EventFirstBodyByte Event = "first-body-byte"
)

// AnchorLastByte is the upstream anchor a within check times from unless it
// names a mark: the last byte the upstream's script wrote.
const AnchorLastByte = "last-byte"

// Section is where a field check looks.
type Section string

// The sections.
const (
	SectionHead     Section = "head"
	SectionTrailers Section = "trailers"
)

// Connection is which client connection a follow-up rides.
type Connection string

// The connections.
const (
	ConnectionNew  Connection = "new"
	ConnectionSame Connection = "same"
)

// Client is how gatecheck's client reaches the proxy: the protocol and, for
// HTTP/2, the transport.
type Client string

// The clients.
const (
	ClientH1 Client = "h1" // HTTP/1.1 over TCP
	// ClientH2 is HTTP/2 over TCP by prior knowledge (h2c, RFC 9113 §3.3).
	ClientH2 Client = "h2"
	// ClientH2TLS is HTTP/2 over TLS, agreed by ALPN "h2" (RFC 9113 §3.2).
	ClientH2TLS Client = "h2-tls"
)

// Clients are every client, in the order reports show them.
var Clients = []Client{ClientH1, ClientH2, ClientH2TLS}

// Protocol is the HTTP version the client speaks, as scenarios name it in
// their clients list: h1 or h2 (for both HTTP/2 transports).
func (c Client) Protocol() Client {
	if c == ClientH2TLS {
		return ClientH2
	}
	return c
}

// HTTP2 reports whether the client speaks HTTP/2.
func (c Client) HTTP2() bool { return c.Protocol() == ClientH2 }

// ClientsText is a list of clients as messages show it: "h1, h2".
func ClientsText(cs []Client) string { return strings.Join(strs(cs), ", ") }

// ParseClients reads a list of clients as the command line gives it: names
// separated by commas, or "all" for every client. Each appears once, in the
// order of Clients.
func ParseClients(s string) ([]Client, error) {
	if strings.TrimSpace(s) == "all" {
		return slices.Clone(Clients), nil
	}
	want := map[Client]bool{}
	for _, part := range strings.Split(s, ",") {
		c := Client(strings.TrimSpace(part))
		if !slices.Contains(Clients, c) {
			return nil, fmt.Errorf("unknown client %q (want h1, h2, h2-tls or all)", part)
		}
		want[c] = true
	}
	var out []Client
	for _, c := range Clients {
		if want[c] {
			out = append(out, c)
		}
	}
	return out, nil
}
