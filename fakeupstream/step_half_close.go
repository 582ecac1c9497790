package fakeupstream

import "fmt"

// HalfClose shuts down the write side (FIN) and keeps reading.
type HalfClose struct{}

// halfCloseKind is the half_close step, a bare word.
var halfCloseKind = Kind{
	Name:       "half_close",
	ShutsWrite: true,
	Form:       Form{Bare: true},
	New:        func(Args) Step { return HalfClose{} },
}

func (HalfClose) Name() string { return halfCloseKind.Name }

func (HalfClose) args() Args { return Args{} }

// play sends a FIN and keeps the read side open.
func (HalfClose) play(p *player) error {
	cw, ok := p.nc.(interface{ CloseWrite() error })
	if !ok {
		return fmt.Errorf("half_close: %T cannot close its write side alone", p.nc)
	}
	p.closedBy(ClosedByUpstream)
	if err := cw.CloseWrite(); err != nil {
		return fmt.Errorf("half_close: %w", err)
	}
	return nil
}

func (HalfClose) draft(*draft) ScriptEnding { return EndingHalfClose }
