// Package judge decides what the client's bytes mean. Given a scenario's
// expectation, the upstream's own answer (the reference) and an Observation —
// the client's exchange (package wire) with the journal's facts about the
// request — Judge decides the one outcome the glossary names for it and grades
// it pass, non-strict or fail, with the words that say what was expected,
// what happened and why; Run does so for a scenario's main request and its
// follow-ups together. The ordered rules, the checks of the glossary's closed
// list and all the wording live here, and nowhere else.
//
// judge must never import a gatecheck package but wire and scenarios: it
// neither sends nor runs anything, so that a verdict depends only on what it is
// given.
package judge
