package fakeupstream

import "strconv"

// Chunk writes one chunk: the size in hex, CRLF, the data, CRLF.
type Chunk struct{ Data []byte }

// chunkKind is the chunk step: chunk: '<bytes>'; an empty one is the last-chunk.
var chunkKind = Kind{
	Name:   "chunk",
	Writes: true,
	Client: true,
	Form: Form{
		Value: &Arg{Field: FieldData},
		Usage: "chunk: 'data'",
	},
	New: func(a Args) Step { return Chunk{Data: a.Data} },
}

func (Chunk) Name() string { return chunkKind.Name }

// args always has Data, as the wire has always carried a chunk's bytes.
func (c Chunk) args() Args { return Args{Data: nonNil(c.Data)} }

func (c Chunk) play(p *player) error { return p.write(appendChunk(nil, c.Data)) }

func (c Chunk) draft(d *draft) ScriptEnding {
	d.write(appendChunk(nil, c.Data))
	return ""
}

// appendChunk appends one chunk holding data to b: the size in lowercase hex, CRLF,
// the data, CRLF.
func appendChunk(b, data []byte) []byte {
	b = strconv.AppendInt(b, int64(len(data)), 16)
	b = append(b, "\r\n"...)
	b = append(b, data...)
	return append(b, "\r\n"...)
}
