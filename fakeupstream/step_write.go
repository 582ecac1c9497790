package fakeupstream

// Write writes exact bytes; every byte 0x00-0xFF may appear.
type Write struct{ Data []byte }

// writeKind is the write step: write: '<bytes>', at least one byte.
var writeKind = Kind{
	Name:   "write",
	Writes: true,
	Client: true,
	Form: Form{
		Value: &Arg{Field: FieldData, Empty: "no bytes to write"},
		Usage: `write: 'HTTP/1.1 200 OK\r\n'`,
	},
	New: func(a Args) Step { return Write{Data: a.Data} },
}

func (Write) Name() string { return writeKind.Name }

// args always has Data, as the wire has always carried a write's bytes.
func (w Write) args() Args { return Args{Data: nonNil(w.Data)} }

func (w Write) play(p *player) error { return p.write(w.Data) }

func (w Write) draft(d *draft) ScriptEnding {
	d.write(w.Data)
	return ""
}
