package fakeupstream

import "strconv"

// Body writes N generated body bytes (see Pattern), so that integrity can be
// checked. With ChunkSize > 0 the bytes are written as chunks of at most ChunkSize
// (size line, data, CRLF each), without the last-chunk.
type Body struct {
	N         int64
	ChunkSize int
}

// bodyKind is the body step: body: 100, body: 16MiB, or
// body: {bytes: 100, chunk_size: 10}.
var bodyKind = Kind{
	Name:   "body",
	Writes: true,
	Client: true,
	Form: Form{
		Value: &Arg{Field: FieldN},
		Fields: []Arg{
			{Key: "bytes", Field: FieldN, Required: true},
			{Key: "chunk_size", Field: FieldChunkSize},
		},
		Usage: "body: 100",
	},
	New: func(a Args) Step { return Body{N: a.N, ChunkSize: a.ChunkSize} },
}

func (Body) Name() string { return bodyKind.Name }

func (b Body) args() Args { return Args{N: b.N, ChunkSize: b.ChunkSize} }

func (b Body) play(p *player) error { return emitBody(b, &p.off, p.write) }

func (b Body) draft(d *draft) ScriptEnding {
	d.body(b)
	return ""
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
