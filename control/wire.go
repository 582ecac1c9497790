package control

import (
	"encoding/hex"
	"fmt"
	"time"

	"github.com/gatecheck/gatecheck/fakeupstream"
)

// ScriptsDocument is the YAML document PUT /scenarios/{id} takes when the scripts
// are already resolved (what the harness sends): one list of steps per request
// index, in fakeupstream's own vocabulary.
type ScriptsDocument struct {
	Scripts [][]WireStep `yaml:"scripts" json:"scripts"`
}

// WireStep is one fakeupstream.Step as plain fields. Data is hex, durations are
// Go duration strings ("250ms"), so a script survives the trip byte for byte and
// nanosecond for nanosecond.
type WireStep struct {
	Step      string `yaml:"step" json:"step"`
	What      string `yaml:"what,omitempty" json:"what,omitempty"`
	Data      string `yaml:"data,omitempty" json:"data,omitempty"`
	HasData   bool   `yaml:"has_data,omitempty" json:"has_data,omitempty"`
	N         int64  `yaml:"n,omitempty" json:"n,omitempty"`
	Size      int    `yaml:"size,omitempty" json:"size,omitempty"`
	ChunkSize int    `yaml:"chunk_size,omitempty" json:"chunk_size,omitempty"`
	D         string `yaml:"d,omitempty" json:"d,omitempty"`
	Label     string `yaml:"label,omitempty" json:"label,omitempty"`
}

// EncodeScripts turns resolved scripts into their wire form.
func EncodeScripts(scripts []fakeupstream.Script) (ScriptsDocument, error) {
	doc := ScriptsDocument{Scripts: make([][]WireStep, 0, len(scripts))}
	for i, sc := range scripts {
		steps := make([]WireStep, 0, len(sc.Steps))
		for j, st := range sc.Steps {
			w := WireStep{Step: st.Name()}
			switch s := st.(type) {
			case fakeupstream.Read:
				w.What = string(s.What)
			case fakeupstream.Write:
				w.Data, w.HasData = hex.EncodeToString(s.Data), true
			case fakeupstream.Body:
				w.N, w.ChunkSize = s.N, s.ChunkSize
			case fakeupstream.Chunk:
				w.Data, w.HasData = hex.EncodeToString(s.Data), true
			case fakeupstream.Sleep:
				w.D = s.D.String()
			case fakeupstream.Drip:
				w.Data, w.HasData = hex.EncodeToString(s.Data), s.Data != nil
				w.N, w.Size, w.D = s.N, s.Size, s.Every.String()
			case fakeupstream.HalfClose, fakeupstream.Close, fakeupstream.Reset:
			case fakeupstream.Hang:
				w.D = s.Max.String()
			case fakeupstream.Mark:
				w.Label = s.Label
			default:
				return ScriptsDocument{}, fmt.Errorf("script %d: step %d: cannot encode step %T", i, j+1, st)
			}
			steps = append(steps, w)
		}
		doc.Scripts = append(doc.Scripts, steps)
	}
	return doc, nil
}

// DecodeScripts turns the wire form back into scripts.
func DecodeScripts(doc ScriptsDocument) ([]fakeupstream.Script, error) {
	out := make([]fakeupstream.Script, 0, len(doc.Scripts))
	for i, steps := range doc.Scripts {
		sc := fakeupstream.Script{Steps: make([]fakeupstream.Step, 0, len(steps))}
		for j, w := range steps {
			st, err := decodeStep(w)
			if err != nil {
				return nil, fmt.Errorf("script %d: step %d: %w", i, j+1, err)
			}
			sc.Steps = append(sc.Steps, st)
		}
		out = append(out, sc)
	}
	return out, nil
}

func decodeStep(w WireStep) (fakeupstream.Step, error) {
	var data []byte
	if w.HasData {
		b, err := hex.DecodeString(w.Data)
		if err != nil {
			return nil, fmt.Errorf("%s: data: %w", w.Step, err)
		}
		data = b
	}
	dur := func() (time.Duration, error) {
		if w.D == "" {
			return 0, nil
		}
		d, err := time.ParseDuration(w.D)
		if err != nil || d < 0 {
			return 0, fmt.Errorf("%s: bad duration %q", w.Step, w.D)
		}
		return d, nil
	}
	d, err := dur()
	if err != nil {
		return nil, err
	}
	if w.N < 0 || w.Size < 0 || w.ChunkSize < 0 {
		return nil, fmt.Errorf("%s: negative size", w.Step)
	}
	switch w.Step {
	case "read":
		switch what := fakeupstream.ReadWhat(w.What); what {
		case "", fakeupstream.ReadRequest, fakeupstream.ReadHead, fakeupstream.ReadBody:
			return fakeupstream.Read{What: what}, nil
		}
		return nil, fmt.Errorf("read: unknown what %q", w.What)
	case "write":
		return fakeupstream.Write{Data: data}, nil
	case "body":
		return fakeupstream.Body{N: w.N, ChunkSize: w.ChunkSize}, nil
	case "chunk":
		return fakeupstream.Chunk{Data: data}, nil
	case "sleep":
		return fakeupstream.Sleep{D: d}, nil
	case "drip":
		return fakeupstream.Drip{Data: data, N: w.N, Size: w.Size, Every: d}, nil
	case "half_close":
		return fakeupstream.HalfClose{}, nil
	case "close":
		return fakeupstream.Close{}, nil
	case "reset":
		return fakeupstream.Reset{}, nil
	case "hang":
		return fakeupstream.Hang{Max: d}, nil
	case "mark":
		return fakeupstream.Mark{Label: w.Label}, nil
	}
	return nil, fmt.Errorf("unknown step %q", w.Step)
}
