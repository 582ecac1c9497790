package fakeupstream

import "time"

// Script is what the fake upstream plays on a connection for one request path.
// Steps run in order; when a Script ends without closing the connection, the next
// request on that connection is routed again by its own path.
type Script struct {
	Steps []Step
}

// Step is one action of a Script. The concrete types are listed below; a Step is a
// plain value, so scripts can be built in Go as well as loaded from YAML.
type Step interface {
	// Name is the step's YAML name, as in "write" or "reset".
	Name() string
}

// ReadWhat says what a Read step consumes.
type ReadWhat string

// What a Read step consumes.
const (
	ReadRequest ReadWhat = "request" // the head and then the body, per its framing
	ReadHead    ReadWhat = "head"    // the head only
	ReadBody    ReadWhat = "body"    // the body of the request whose head was read
)

// Read reads the request head, its body, or both. The first Read of a Script consumes
// the request that selected it (already parsed by the router); a later Read waits for
// the next request on the same connection, which a script may answer itself. An
// empty What reads a request, like ReadRequest.
type Read struct{ What ReadWhat }

// Write writes exact bytes; every byte 0x00-0xFF may appear.
type Write struct{ Data []byte }

// Body writes N generated body bytes (see Pattern), so that integrity can be
// checked. With ChunkSize > 0 the bytes are written as chunks of at most ChunkSize
// (size line, data, CRLF each), without the last-chunk.
type Body struct {
	N         int64
	ChunkSize int
}

// Chunk writes one chunk: the size in hex, CRLF, the data, CRLF.
type Chunk struct{ Data []byte }

// Sleep pauses for D.
type Sleep struct{ D time.Duration }

// Drip writes Data (or, when Data is nil, N generated body bytes) in pieces of Size
// bytes (1 when zero), pausing Every before each piece after the first.
type Drip struct {
	Data  []byte
	N     int64
	Size  int
	Every time.Duration
}

// HalfClose shuts down the write side (FIN) and keeps reading.
type HalfClose struct{}

// Close closes the connection: FIN.
type Close struct{}

// Reset aborts the connection with a TCP RST (SO_LINGER 0). It first waits, bounded,
// until the kernel's send queue is empty, so "N bytes, then RST" delivers exactly N
// bytes to the peer.
type Reset struct{}

// Hang waits until the peer closes the connection, or Max has passed (a bounded
// default when zero), and then closes.
type Hang struct{ Max time.Duration }

// Mark records the current time in the journal under Label, as an anchor for timing
// checks ("the first event reached the client within 300ms of mark first-event").
type Mark struct{ Label string }

// Name implementations.
func (Read) Name() string      { return "read" }
func (Write) Name() string     { return "write" }
func (Body) Name() string      { return "body" }
func (Chunk) Name() string     { return "chunk" }
func (Sleep) Name() string     { return "sleep" }
func (Drip) Name() string      { return "drip" }
func (HalfClose) Name() string { return "half_close" }
func (Close) Name() string     { return "close" }
func (Reset) Name() string     { return "reset" }
func (Hang) Name() string      { return "hang" }
func (Mark) Name() string      { return "mark" }

// Compile-time guards: every step type is a Step.
var (
	_ Step = Read{}
	_ Step = Write{}
	_ Step = Body{}
	_ Step = Chunk{}
	_ Step = Sleep{}
	_ Step = Drip{}
	_ Step = HalfClose{}
	_ Step = Close{}
	_ Step = Reset{}
	_ Step = Hang{}
	_ Step = Mark{}
)
