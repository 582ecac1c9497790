package fakeupstream

import (
	"slices"
	"strconv"
)

// How a script leaves the connection after the output for its request; see
// Script.Ending.
const (
	EndingOpen      = "open"       // the connection stays open for a next request
	EndingClose     = "close"      // FIN after the output
	EndingReset     = "reset"      // RST after the output
	EndingHalfClose = "half_close" // FIN after the output, the upstream still reads
	EndingHang      = "hang"       // nothing more until the peer leaves or the bound
)

// writePiece is the most bytes one generated write hands to the connection at once.
const writePiece = 32 << 10

// Output returns the bytes the script writes for the request that selected it: every
// byte of its Write, Body (chunk framing included), Chunk and Drip steps, in order,
// up to the step where the script turns to the next request on the connection (a
// Read of a request or a head after the first Read) or ends the connection (Close,
// Reset, Hang, HalfClose), or the end of the script. Interim (1xx) responses the
// script writes are part of the output like any other bytes. The generated pattern
// starts at offset 0 for each play of a script and continues across its Body and
// Drip steps.
func (s Script) Output() []byte {
	out, _ := s.reference()
	return out
}

// Ending says how the script leaves the connection after Output: EndingClose,
// EndingReset, EndingHalfClose, EndingHang, or EndingOpen when the script turns to
// the next request or simply ends.
func (s Script) Ending() string {
	_, ending := s.reference()
	return ending
}

// reference plays the script on paper: the bytes it writes for the selecting
// request and how it leaves the connection afterwards.
func (s Script) reference() ([]byte, string) {
	var out []byte
	var off int64
	emit := func(b []byte) error {
		out = append(out, b...)
		return nil
	}
	claimed := false
	for _, st := range s.Steps {
		switch st := normalize(st).(type) {
		case Read:
			if claimed && st.What != ReadBody {
				return out, EndingOpen
			}
			claimed = true
		case Write:
			out = append(out, st.Data...)
		case Body:
			_ = emitBody(st, &off, emit)
		case Chunk:
			out = appendChunk(out, st.Data)
		case Drip:
			_ = st.each(&off, func(_ int, b []byte) error { return emit(b) })
		case HalfClose:
			return out, EndingHalfClose
		case Close:
			return out, EndingClose
		case Reset:
			return out, EndingReset
		case Hang:
			return out, EndingHang
		}
	}
	return out, EndingOpen
}

// playable is a Script as the server keeps it. When the script ends with a Write
// (or Chunk) followed by Body steps — a head and the generated body it frames,
// as the healthy answer pass/ok is — and so leaves the connection open, those
// bytes (at most writePiece of them) are rendered once, when the script is
// added, and played as one write: the proxy gets the same bytes in the same
// order, and the upstream makes one system call for them instead of one per
// step, with no pattern to generate. Everything else plays step by step as
// before: two Writes in a row stay two writes (an interim response and the final
// one, a head written in pieces), and so do steps that pause, mark, read or end
// the connection.
type playable struct {
	steps []Step
	// tail is the index of the run's first step; len(steps) when there is none.
	tail int
	// out are the run's bytes; ends[k] is where those of steps[tail+k] end.
	out  []byte
	ends []int
}

// compile prepares scripts for playing; the steps are copied.
func compile(scripts []Script) []*playable {
	out := make([]*playable, len(scripts))
	for i, sc := range scripts {
		out[i] = compileScript(sc.Steps)
	}
	return out
}

// compileScript prepares one script's steps (see playable).
func compileScript(steps []Step) (p *playable) {
	steps = slices.Clone(steps)
	p = &playable{steps: steps, tail: len(steps)}
	// A nil pointer step panics when it is played, as before, not here.
	defer func() {
		if recover() != nil {
			p = &playable{steps: steps, tail: len(steps)}
		}
	}()
	tail := len(steps)
	for tail > 0 && isBody(steps[tail-1]) {
		tail--
	}
	if tail > 0 && isWrite(steps[tail-1]) {
		tail--
	}
	if tail == len(steps) {
		return p
	}
	// The pattern continues from the Body and Drip steps played before the run.
	var off int64
	for _, st := range steps[:tail] {
		switch st := normalize(st).(type) {
		case Body:
			off += max(st.N, 0)
		case Drip:
			if len(st.Data) == 0 {
				off += max(st.N, 0)
			}
		}
	}
	var out []byte
	ends := make([]int, 0, len(steps)-tail)
	emit := func(b []byte) error {
		out = append(out, b...)
		return nil
	}
	for _, st := range steps[tail:] {
		switch st := normalize(st).(type) {
		case Write:
			out = append(out, st.Data...)
		case Body:
			if st.N > writePiece {
				return p
			}
			_ = emitBody(st, &off, emit)
		case Chunk:
			out = appendChunk(out, st.Data)
		}
		if len(out) > writePiece {
			return p
		}
		ends = append(ends, len(out))
	}
	p.tail, p.out, p.ends = tail, out, ends
	return p
}

// isBody reports whether st is a Body step.
func isBody(st Step) bool {
	_, ok := normalize(st).(Body)
	return ok
}

// isWrite reports whether st is a Write or a Chunk step.
func isWrite(st Step) bool {
	switch normalize(st).(type) {
	case Write, Chunk:
		return true
	}
	return false
}

// normalize turns a pointer to a step into the step value, so that scripts built
// with &Write{...} play like scripts built with Write{...}.
func normalize(st Step) Step {
	switch p := st.(type) {
	case *Read:
		return *p
	case *Write:
		return *p
	case *Body:
		return *p
	case *Chunk:
		return *p
	case *Sleep:
		return *p
	case *Drip:
		return *p
	case *HalfClose:
		return *p
	case *Close:
		return *p
	case *Reset:
		return *p
	case *Hang:
		return *p
	case *Mark:
		return *p
	}
	return st
}

// appendChunk appends one chunk holding data to b: the size in lowercase hex, CRLF,
// the data, CRLF.
func appendChunk(b, data []byte) []byte {
	b = strconv.AppendInt(b, int64(len(data)), 16)
	b = append(b, "\r\n"...)
	b = append(b, data...)
	return append(b, "\r\n"...)
}

// emitBody hands the bytes of a Body step to emit, in pieces of at most about
// writePiece bytes, and advances the pattern offset *off by N.
func emitBody(b Body, off *int64, emit func([]byte) error) error {
	buf := make([]byte, 0, min(max(b.N, 0), writePiece)+32)
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		err := emit(buf)
		buf = buf[:0]
		return err
	}
	for rem := b.N; rem > 0; {
		n := rem
		if b.ChunkSize > 0 {
			n = min(rem, int64(b.ChunkSize))
			buf = strconv.AppendInt(buf, n, 16)
			buf = append(buf, "\r\n"...)
		}
		rem -= n
		for n > 0 {
			if len(buf) >= writePiece {
				if err := flush(); err != nil {
					return err
				}
			}
			k := min(n, int64(writePiece-len(buf)))
			buf = appendPattern(buf, *off, k)
			*off += k
			n -= k
		}
		if b.ChunkSize > 0 {
			buf = append(buf, "\r\n"...)
		}
		if len(buf) >= writePiece {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// size is the piece size of a Drip: Size, or 1 when Size is not positive.
func (d Drip) size() int {
	return max(d.Size, 1)
}

// length is how many bytes a Drip writes in all.
func (d Drip) length() int64 {
	if len(d.Data) > 0 {
		return int64(len(d.Data))
	}
	return max(d.N, 0)
}

// pieces is how many pieces a Drip writes.
func (d Drip) pieces() int64 {
	size := int64(d.size())
	return (d.length() + size - 1) / size
}

// each calls piece for every piece of the Drip in order, with the piece's index.
// Generated bytes start at the pattern offset *off, which advances by N.
func (d Drip) each(off *int64, piece func(i int, b []byte) error) error {
	data := d.Data
	if len(data) == 0 {
		data = Pattern(*off, d.N)
		*off += max(d.N, 0)
	}
	size := d.size()
	for i := 0; len(data) > 0; i++ {
		n := min(size, len(data))
		if err := piece(i, data[:n]); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}
