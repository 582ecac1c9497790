package fakeupstream

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

// every are arguments with every field set, each to a value some step takes.
var every = Args{What: string(ReadHead), Data: []byte("ab"), N: 3, ChunkSize: 2, Size: 1,
	D: time.Millisecond, Every: time.Millisecond, Label: "m"}

// TestRegistry checks each kind against its own file: the step it makes has its
// name and kind, keeps exactly the arguments its Form names, and gives them back.
func TestRegistry(t *testing.T) {
	fields := map[Field]func(Args) bool{
		FieldWhat:      func(a Args) bool { return a.What != "" },
		FieldData:      func(a Args) bool { return a.Data != nil },
		FieldN:         func(a Args) bool { return a.N != 0 },
		FieldChunkSize: func(a Args) bool { return a.ChunkSize != 0 },
		FieldSize:      func(a Args) bool { return a.Size != 0 },
		FieldD:         func(a Args) bool { return a.D != 0 },
		FieldEvery:     func(a Args) bool { return a.Every != 0 },
		FieldLabel:     func(a Args) bool { return a.Label != "" },
	}
	if len(Kinds()) != len(kindByName) {
		t.Fatalf("%d kinds, %d names", len(Kinds()), len(kindByName))
	}
	for _, k := range Kinds() {
		st := k.New(every)
		if st.Name() != k.Name || KindOf(st) != k {
			t.Errorf("%s: made %T named %q, of kind %v", k.Name, st, st.Name(), KindOf(st))
		}
		if got, err := KindNamed(k.Name); got != k || err != nil {
			t.Errorf("%s: KindNamed = %v, %v", k.Name, got, err)
		}
		a := ArgsOf(st)
		for f, set := range fields {
			if set(a) != k.Takes(f) {
				t.Errorf("%s: field %d set %v, but Takes says %v", k.Name, f, set(a), k.Takes(f))
			}
		}
		if again := k.New(a); !reflect.DeepEqual(again, st) {
			t.Errorf("%s: New(ArgsOf(%#v)) = %#v", k.Name, st, again)
		}
		if (k.Form.Value == nil && k.Form.Fields == nil) != reflect.DeepEqual(a, Args{}) {
			t.Errorf("%s: takes no value, but has arguments %+v", k.Name, a)
		}
		if k.Form.Usage == "" && !k.Form.Bare {
			t.Errorf("%s: a step that cannot stand bare needs its usage shown", k.Name)
		}
		if err := k.Check(a); err != nil {
			t.Errorf("%s: Check(%+v) = %v", k.Name, a, err)
		}
	}
	if _, err := KindNamed("wirte"); !errors.Is(err, ErrUnknownStep) || err.Error() != `unknown step "wirte"` {
		t.Errorf("KindNamed(wirte) = %v; want ErrUnknownStep", err)
	}
	if KindOf(nil) != nil {
		t.Error("KindOf(nil) is a kind")
	}
	if err := readKind.Check(Args{What: "trailers"}); err == nil || err.Error() != `unknown what "trailers"` {
		t.Errorf("Check of read trailers = %v", err)
	}
}

// TestClassification checks each kind's classes against what its step does on
// paper and on the wire: a step that Writes writes, one that Ends or ShutsWrite
// ends the output, one that Ends stops the player.
func TestClassification(t *testing.T) {
	for _, k := range Kinds() {
		st := k.New(every)
		var d draft
		ending := st.draft(&d)
		if writes := len(d.out) > 0; writes != k.Writes {
			t.Errorf("%s: wrote %q on paper; Writes is %v", k.Name, d.out, k.Writes)
		}
		if ends := ending != ""; ends != (k.Ends || k.ShutsWrite) {
			t.Errorf("%s: ending %q on paper; Ends %v, ShutsWrite %v", k.Name, ending, k.Ends, k.ShutsWrite)
		}
		if k.Ends && k.ShutsWrite {
			t.Errorf("%s: both ends and shuts the write side", k.Name)
		}
		if k.Pause != nil && k.Pause(every) <= 0 {
			t.Errorf("%s: has a Pause, but pauses %v", k.Name, k.Pause(every))
		}
		if !k.Ends {
			continue
		}
		client, server := pair(t)
		done := make(chan error, 1)
		go func() {
			done <- Play(context.Background(), server, []Step{Write{[]byte("x")}, st, Write{[]byte("never")}})
		}()
		got, _ := readToError(client)
		_ = client.Close()
		if err := <-done; err != nil || !bytes.Equal(got, []byte("x")) {
			t.Errorf("%s: the client got %q, Play %v; want only the byte before it", k.Name, got, err)
		}
	}
	var d draft
	if (Read{}).draft(&d) != "" || (Read{}).draft(&d) != EndingOpen {
		t.Error("a second read does not end the output for the selecting request")
	}
}

// TestPlayUnregistered checks that the player refuses a step type with no row in
// the registry rather than playing it.
func TestPlayUnregistered(t *testing.T) {
	_, server := pair(t)
	err := Play(context.Background(), server, []Step{unregistered{}})
	if err == nil || err.Error() != "play: step 1 (unregistered): unknown step type fakeupstream.unregistered" {
		t.Errorf("Play = %v", err)
	}
}

// unregistered is a step with no row in the registry.
type unregistered struct{ Close }

func (unregistered) Name() string { return "unregistered" }
