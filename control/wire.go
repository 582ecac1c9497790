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

// WireStep is one fakeupstream.Step as plain fields: its name and the arguments
// its kind takes (fakeupstream.Args). Data is hex, present when HasData; D is
// the step's duration, D or Every, whichever it takes, as a Go duration string
// ("250ms"), so a script survives the trip byte for byte and nanosecond for
// nanosecond. The form goes by the registry of steps, so a new step needs
// nothing here.
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
			k := fakeupstream.KindOf(st)
			if k == nil {
				return ScriptsDocument{}, fmt.Errorf("script %d: step %d: cannot encode step %T", i, j+1, st)
			}
			steps = append(steps, encodeStep(k, fakeupstream.ArgsOf(st)))
		}
		doc.Scripts = append(doc.Scripts, steps)
	}
	return doc, nil
}

// encodeStep is the wire form of a step of kind k with arguments a. A step that
// takes a duration always carries it, zero included.
func encodeStep(k *fakeupstream.Kind, a fakeupstream.Args) WireStep {
	w := WireStep{Step: k.Name, What: a.What, N: a.N, Size: a.Size, ChunkSize: a.ChunkSize, Label: a.Label}
	if a.Data != nil {
		w.Data, w.HasData = hex.EncodeToString(a.Data), true
	}
	switch {
	case k.Takes(fakeupstream.FieldD):
		w.D = a.D.String()
	case k.Takes(fakeupstream.FieldEvery):
		w.D = a.Every.String()
	}
	return w
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

// decodeStep reads one step: its fields first, then its kind's name and what
// the kind takes of them.
func decodeStep(w WireStep) (fakeupstream.Step, error) {
	var data []byte
	if w.HasData {
		b, err := hex.DecodeString(w.Data)
		if err != nil {
			return nil, fmt.Errorf("%s: data: %w", w.Step, err)
		}
		data = b
	}
	var d time.Duration
	if w.D != "" {
		var err error
		if d, err = time.ParseDuration(w.D); err != nil || d < 0 {
			return nil, fmt.Errorf("%s: bad duration %q", w.Step, w.D)
		}
	}
	if w.N < 0 || w.Size < 0 || w.ChunkSize < 0 {
		return nil, fmt.Errorf("%s: negative size", w.Step)
	}
	k, err := fakeupstream.KindNamed(w.Step)
	if err != nil {
		return nil, err
	}
	a := fakeupstream.Args{What: w.What, Data: data, N: w.N, Size: w.Size, ChunkSize: w.ChunkSize, Label: w.Label}
	switch {
	case k.Takes(fakeupstream.FieldD):
		a.D = d
	case k.Takes(fakeupstream.FieldEvery):
		a.Every = d
	}
	if err := k.Check(a); err != nil {
		return nil, fmt.Errorf("%s: %w", k.Name, err)
	}
	return k.New(a), nil
}
