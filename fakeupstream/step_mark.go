package fakeupstream

import "time"

// Mark records the current time in the journal under Label, as an anchor for timing
// checks ("the first event reached the client within 300ms of mark first-event").
type Mark struct{ Label string }

// markKind is the mark step: mark: <name>.
var markKind = Kind{
	Name: "mark",
	Form: Form{
		Value: &Arg{Field: FieldLabel},
		Usage: "mark: first-event",
	},
	New: func(a Args) Step { return Mark{Label: a.Label} },
}

func (Mark) Name() string { return markKind.Name }

func (m Mark) args() Args { return Args{Label: m.Label} }

// play journals the current time under the label; Play has no journal.
func (m Mark) play(p *player) error {
	if p.c == nil || p.cur == nil || p.cur.ref.e == nil {
		return nil
	}
	now := time.Now()
	p.c.s.journal.update(p.cur.ref, func(r *SeenRequest) {
		if r.Marks == nil {
			r.Marks = map[string]time.Time{}
		}
		r.Marks[m.Label] = now
	})
	return nil
}

func (Mark) draft(*draft) ScriptEnding { return "" }
