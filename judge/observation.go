package judge

import (
	"time"

	"github.com/gatecheck/gatecheck/wire"
)

// Observation is everything the harness saw for one request: the client's
// exchange, and the upstream journal's facts.
type Observation struct {
	wire.Exchange
	// Attempts is how many times the upstream saw this request.
	Attempts int `json:"attempts"`
	// UpstreamMethod is the method of the upstream's last sight of this request
	// ("" when it never saw it): a proxy may turn a HEAD into a GET.
	UpstreamMethod string `json:"upstream_method,omitempty"`
	// Reused is true when this request rode the main request's upstream connection
	// (follow-ups only).
	Reused bool `json:"reused"`
	// After is how the client connection stood once the client stopped reading
	// after a complete response ("" when the response was not complete).
	After wire.ConnState `json:"after,omitempty"`
	// NotSent, for a follow-up meant for the same client connection, says why
	// it was not sent (the proxy closed that connection after the previous
	// response, say): the observation holds nothing else, and is no evidence.
	NotSent string `json:"not_sent,omitempty"`
	// Anchors are the upstream's times for within checks: "last-byte" and every
	// mark, wall clock.
	Anchors map[string]time.Time `json:"anchors,omitempty"`
}
