// Package fakeupstream is a scriptable, raw-TCP HTTP/1.x upstream. It knows bytes,
// not verdicts: a Script is a list of Steps played on one accepted connection, and a
// Journal records what the server saw so that a judge can count attempts and tell
// connection reuse apart without relying on timing.
//
// The serving side deliberately does not use net/http: net/http repairs, merges and
// rejects exactly the bytes gatecheck needs to emit.
package fakeupstream
