package control

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gatecheck/gatecheck/fakeupstream"
)

// TestWireEveryKind sends a step of every kind, with every argument it takes,
// through the wire form as the client and the server do (YAML, known fields
// only) and checks that the same step comes back.
func TestWireEveryKind(t *testing.T) {
	every := fakeupstream.Args{What: "head", Data: []byte("a\x00\xff"), N: 3, ChunkSize: 2, Size: 2,
		D: 1500 * time.Millisecond, Every: 7 * time.Nanosecond, Label: "m"}
	for _, k := range fakeupstream.Kinds() {
		st := k.New(every)
		doc, err := EncodeScripts([]fakeupstream.Script{{Steps: []fakeupstream.Step{st}}})
		if err != nil {
			t.Fatalf("%s: %v", k.Name, err)
		}
		body, err := yaml.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		var back ScriptsDocument
		dec := yaml.NewDecoder(bytes.NewReader(body))
		dec.KnownFields(true)
		if err := dec.Decode(&back); err != nil {
			t.Fatalf("%s: %v\n%s", k.Name, err, body)
		}
		out, err := DecodeScripts(back)
		if err != nil || !reflect.DeepEqual(out[0].Steps[0], st) {
			t.Errorf("%s: sent %#v, got %#v, %v\n%s", k.Name, st, out, err, body)
		}
	}
}

// TestWireBytes pins the wire form gatecheck serve and its clients share:
// every kind, with and without its arguments, byte for byte in YAML and JSON.
func TestWireBytes(t *testing.T) {
	steps := []fakeupstream.Step{
		fakeupstream.Read{}, fakeupstream.Read{What: fakeupstream.ReadHead},
		fakeupstream.Write{}, fakeupstream.Write{Data: []byte("a\x00\xff")},
		fakeupstream.Body{}, fakeupstream.Body{N: 10, ChunkSize: 3},
		fakeupstream.Chunk{}, fakeupstream.Chunk{Data: []byte("xy")},
		fakeupstream.Sleep{}, fakeupstream.Sleep{D: 1500 * time.Millisecond},
		fakeupstream.Drip{}, fakeupstream.Drip{Data: []byte{}}, fakeupstream.Drip{Data: []byte("x"), N: 3, Size: 2, Every: 7},
		fakeupstream.HalfClose{}, fakeupstream.Close{}, fakeupstream.Reset{},
		fakeupstream.Hang{}, fakeupstream.Hang{Max: 3 * time.Second},
		fakeupstream.Mark{}, fakeupstream.Mark{Label: "m"},
	}
	doc, err := EncodeScripts([]fakeupstream.Script{{Steps: steps}, {}})
	if err != nil {
		t.Fatal(err)
	}
	wantYAML := `scripts:
    - - step: read
      - step: read
        what: head
      - step: write
        has_data: true
      - step: write
        data: 6100ff
        has_data: true
      - step: body
      - step: body
        "n": 10
        chunk_size: 3
      - step: chunk
        has_data: true
      - step: chunk
        data: "7879"
        has_data: true
      - step: sleep
        d: 0s
      - step: sleep
        d: 1.5s
      - step: drip
        d: 0s
      - step: drip
        has_data: true
        d: 0s
      - step: drip
        data: "78"
        has_data: true
        "n": 3
        size: 2
        d: 7ns
      - step: half_close
      - step: close
      - step: reset
      - step: hang
        d: 0s
      - step: hang
        d: 3s
      - step: mark
      - step: mark
        label: m
    - []
`
	if got, _ := yaml.Marshal(doc); string(got) != wantYAML {
		t.Errorf("YAML:\n%s\nwant\n%s", got, wantYAML)
	}
	wantJSON := `{"scripts":[[{"step":"read"},{"step":"read","what":"head"},{"step":"write","has_data":true},` +
		`{"step":"write","data":"6100ff","has_data":true},{"step":"body"},{"step":"body","n":10,"chunk_size":3},` +
		`{"step":"chunk","has_data":true},{"step":"chunk","data":"7879","has_data":true},{"step":"sleep","d":"0s"},` +
		`{"step":"sleep","d":"1.5s"},{"step":"drip","d":"0s"},{"step":"drip","has_data":true,"d":"0s"},` +
		`{"step":"drip","data":"78","has_data":true,"n":3,"size":2,"d":"7ns"},{"step":"half_close"},{"step":"close"},` +
		`{"step":"reset"},{"step":"hang","d":"0s"},{"step":"hang","d":"3s"},{"step":"mark"},{"step":"mark","label":"m"}],[]]}`
	if got, _ := json.Marshal(doc); string(got) != wantJSON {
		t.Errorf("JSON:\n%s\nwant\n%s", got, wantJSON)
	}
}

// TestWireRejects checks what the wire form refuses, and that it says why in
// the words the control API has always answered with.
func TestWireRejects(t *testing.T) {
	for _, tt := range []struct {
		w    WireStep
		want string
	}{
		{WireStep{Step: "wirte"}, `script 0: step 1: unknown step "wirte"`},
		{WireStep{Step: "wirte", D: "soon"}, `script 0: step 1: wirte: bad duration "soon"`},
		{WireStep{Step: "sleep", D: "-1s"}, `script 0: step 1: sleep: bad duration "-1s"`},
		{WireStep{Step: "write", Data: "zz", HasData: true}, "script 0: step 1: write: data: " + hex.InvalidByteError('z').Error()},
		{WireStep{Step: "body", N: -1}, `script 0: step 1: body: negative size`},
		{WireStep{Step: "read", What: "trailers"}, `script 0: step 1: read: unknown what "trailers"`},
	} {
		_, err := DecodeScripts(ScriptsDocument{Scripts: [][]WireStep{{tt.w}}})
		if err == nil || err.Error() != tt.want {
			t.Errorf("%+v: got %v; want %s", tt.w, err, tt.want)
		}
	}
	if _, err := DecodeScripts(ScriptsDocument{Scripts: [][]WireStep{{{Step: "wirte"}}}}); !errors.Is(err, fakeupstream.ErrUnknownStep) {
		t.Errorf("unknown step: got %v; want fakeupstream.ErrUnknownStep", err)
	}
	if _, err := EncodeScripts([]fakeupstream.Script{{Steps: []fakeupstream.Step{nil}}}); err == nil {
		t.Error("encoded a nil step")
	}
}
