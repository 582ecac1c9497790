package fakeupstream

import "slices"

// writePiece is the most bytes one generated write hands to the connection at once.
const writePiece = 32 << 10

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
	for tail > 0 {
		if _, ok := asBody(steps[tail-1]); !ok {
			break
		}
		tail--
	}
	if tail > 0 && isWrite(steps[tail-1]) {
		tail--
	}
	if tail == len(steps) {
		return p
	}
	// The pattern continues from the steps played before the run.
	before := draft{tally: true}
	for _, st := range steps[:tail] {
		if st != nil {
			st.draft(&before)
		}
	}
	run := draft{off: before.off}
	ends := make([]int, 0, len(steps)-tail)
	for _, st := range steps[tail:] {
		if b, ok := asBody(st); ok && b.N > writePiece {
			return p
		}
		st.draft(&run)
		if len(run.out) > writePiece {
			return p
		}
		ends = append(ends, len(run.out))
	}
	p.tail, p.out, p.ends = tail, run.out, ends
	return p
}

// asBody returns st as a Body step, if it is one.
func asBody(st Step) (Body, bool) {
	switch b := st.(type) {
	case Body:
		return b, true
	case *Body:
		return *b, true
	}
	return Body{}, false
}

// isWrite reports whether st is a Write or a Chunk step.
func isWrite(st Step) bool {
	switch st.(type) {
	case Write, *Write, Chunk, *Chunk:
		return true
	}
	return false
}
