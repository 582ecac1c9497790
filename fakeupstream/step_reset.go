package fakeupstream

import (
	"fmt"
	"net"
	"time"
)

// Reset aborts the connection with a TCP RST (SO_LINGER 0). It first waits, bounded,
// until the kernel's send queue is empty, so "N bytes, then RST" delivers exactly N
// bytes to the peer.
type Reset struct{}

// resetKind is the reset step, a bare word.
var resetKind = Kind{
	Name:   "reset",
	Ends:   true,
	Client: true,
	Form:   Form{Bare: true},
	New:    func(Args) Step { return Reset{} },
}

// resetDrainMax bounds how long Reset waits for the kernel's send queue to empty.
const resetDrainMax = 2 * time.Second

func (Reset) Name() string { return resetKind.Name }

func (Reset) args() Args { return Args{} }

// play waits (bounded) until the kernel's send queue is empty, then closes with
// SO_LINGER 0, which sends a RST.
func (Reset) play(p *player) error {
	p.closedBy(ClosedByUpstream)
	tc, ok := p.nc.(*net.TCPConn)
	if !ok {
		return p.nc.Close()
	}
	waitSendQueueEmpty(p.ctx, tc, resetDrainMax)
	if err := tc.SetLinger(0); err != nil {
		_ = tc.Close()
		return fmt.Errorf("reset: %w", err)
	}
	if err := tc.Close(); err != nil {
		return fmt.Errorf("reset: %w", err)
	}
	return nil
}

func (Reset) draft(*draft) ScriptEnding { return EndingReset }
