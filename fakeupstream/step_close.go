package fakeupstream

import (
	"fmt"
	"io"
	"time"
)

// Close closes the connection: FIN.
type Close struct{}

// closeKind is the close step, a bare word.
var closeKind = Kind{
	Name:   "close",
	Ends:   true,
	Client: true,
	Form:   Form{Bare: true},
	New:    func(Args) Step { return Close{} },
}

// lingerMax bounds how long Close keeps reading after its FIN until the peer
// closes too, so that unread bytes never turn the FIN into a RST.
const lingerMax = 2 * time.Second

func (Close) Name() string { return closeKind.Name }

func (Close) args() Args { return Args{} }

func (Close) play(p *player) error { return p.close() }

func (Close) draft(*draft) ScriptEnding { return EndingClose }

// close sends a FIN after everything written, then reads and discards until the
// peer closes too (at most lingerMax), so that bytes the peer sent and the script
// never read do not turn the close into a RST.
func (p *player) close() error {
	p.closedBy(ClosedByUpstream)
	cw, ok := p.nc.(interface{ CloseWrite() error })
	if !ok {
		return p.nc.Close()
	}
	if err := cw.CloseWrite(); err != nil {
		_ = p.nc.Close()
		return fmt.Errorf("close: %w", err)
	}
	// The script is over for the journal; lingering is the server's business.
	p.finish("")
	p.readDeadlineSet()
	_ = p.nc.SetReadDeadline(time.Now().Add(min(lingerMax, p.hang)))
	if p.c != nil {
		_ = p.c.discardLate(p.br)
	} else {
		_, _ = io.Copy(io.Discard, p.br)
	}
	return p.nc.Close()
}
