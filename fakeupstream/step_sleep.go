package fakeupstream

import "time"

// Sleep pauses for D.
type Sleep struct{ D time.Duration }

// sleepKind is the sleep step: sleep: '<duration>'.
var sleepKind = Kind{
	Name:   "sleep",
	Client: true,
	Form: Form{
		Value: &Arg{Field: FieldD},
		Usage: "sleep: 250ms",
	},
	New:   func(a Args) Step { return Sleep{D: a.D} },
	Pause: func(a Args) time.Duration { return max(a.D, 0) },
}

func (Sleep) Name() string { return sleepKind.Name }

func (s Sleep) args() Args { return Args{D: s.D} }

func (s Sleep) play(p *player) error { return p.sleep(s.D) }

func (Sleep) draft(*draft) ScriptEnding { return "" }
