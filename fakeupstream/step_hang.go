package fakeupstream

import (
	"errors"
	"io"
	"net"
	"time"
)

// Hang waits until the peer closes the connection, or Max has passed (a bounded
// default when zero), and then closes.
type Hang struct{ Max time.Duration }

// hangKind is the hang step: hang, or hang: '<duration>'.
var hangKind = Kind{
	Name:   "hang",
	Ends:   true,
	Client: true,
	Form: Form{
		Bare:  true,
		Value: &Arg{Field: FieldD},
	},
	New: func(a Args) Step { return Hang{Max: a.D} },
}

func (Hang) Name() string { return hangKind.Name }

func (h Hang) args() Args { return Args{D: h.Max} }

// play reads and discards until the peer closes or fails, or Max has passed
// (the hang bound when Max is 0), then closes.
func (h Hang) play(p *player) error {
	bound := h.Max
	if bound <= 0 {
		bound = p.hang
	}
	// The script is over for the journal: from here on it only waits.
	p.finish("")
	p.readDeadlineSet()
	if err := p.nc.SetReadDeadline(time.Now().Add(bound)); err != nil {
		return err
	}
	if err := p.ctx.Err(); err != nil {
		return err
	}
	var err error
	if p.c != nil {
		// A request the proxy sends here anyway reaches no script: journal it.
		err = p.c.discardLate(p.br)
	} else {
		_, err = io.Copy(io.Discard, p.br)
	}
	switch {
	case p.ctx.Err() != nil:
		_ = p.nc.Close()
		return p.ctx.Err()
	case errors.Is(err, net.ErrClosed):
		// Closed on our side: the server is closing or the lifetime is over.
	case isTimeout(err):
		p.closedBy(ClosedByUpstream)
	default:
		p.closedBy(ClosedByProxy)
	}
	return p.nc.Close()
}

func (Hang) draft(*draft) ScriptEnding { return EndingHang }
