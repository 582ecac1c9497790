package scenarios

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/fakeupstream"
)

// describeSteps writes steps compactly: name(arguments) ..., durations as written.
func describeSteps(steps []StepSpec) string {
	var out []string
	for _, s := range steps {
		var args []string
		if s.What != "" {
			args = append(args, s.What)
		}
		if s.Data != nil {
			args = append(args, fmt.Sprintf("%q", s.Data))
		}
		if s.N != 0 {
			args = append(args, fmt.Sprint(s.N))
		}
		if s.ChunkSize != 0 {
			args = append(args, fmt.Sprintf("chunks of %d", s.ChunkSize))
		}
		if s.Size != 0 {
			args = append(args, fmt.Sprintf("size %d", s.Size))
		}
		if !s.D.IsZero() {
			args = append(args, s.D.String())
		}
		if !s.Every.IsZero() {
			args = append(args, "every "+s.Every.String())
		}
		if s.Mark != "" {
			args = append(args, s.Mark)
		}
		if len(args) == 0 {
			out = append(out, s.Name)
		} else {
			out = append(out, s.Name+"("+strings.Join(args, ", ")+")")
		}
	}
	return strings.Join(out, " ")
}

// TestStepForms checks every YAML form of every step.
func TestStepForms(t *testing.T) {
	tests := []struct {
		yaml string
		want string
	}{
		{"read", "read(request)"},
		{"read: request", "read(request)"},
		{"read: head", "read(head)"},
		{"read: body", "read(body)"},
		{`write: 'HTTP/1.1 200 OK\r\n'`, `write("HTTP/1.1 200 OK\r\n")`},
		{`write: "HTTP/1.1 200 OK\r\n"`, `write("HTTP/1.1 200 OK\r\n")`},
		{`write: "\\x00\\xff"`, `write("\x00\xff")`},
		{"write: |-\n      a\\r\n      b", `write("a\r\nb")`},
		{"body: 100", "body(100)"},
		{"body: 16MiB", "body(16777216)"},
		{"body: '1 KiB'", "body(1024)"},
		{"body: '100'", "body(100)"},
		{"body: {bytes: 100, chunk_size: 10}", "body(100, chunks of 10)"},
		{"body: {bytes: 2MiB}", "body(2097152)"},
		{"body: {bytes: 1MiB, chunk_size: 8KiB}", "body(1048576, chunks of 8192)"},
		{"chunk: 'abc'", `chunk("abc")`},
		{"chunk: ''", `chunk("")`},
		{"sleep: 250ms", "sleep(250ms)"},
		{"sleep: read_timeout + 500ms", "sleep(read_timeout + 500ms)"},
		{"drip: {data: 'abc', every: 100ms}", `drip("abc", size 1, every 100ms)`},
		{"drip: {data: 'abcd', every: 10ms, size: 2}", `drip("abcd", size 2, every 10ms)`},
		{"drip: {bytes: 1KiB, every: read_timeout / 4, size: 100}", "drip(1024, size 100, every read_timeout / 4)"},
		{"mark: first-event", "mark(first-event)"},
		{"half_close", "half_close"},
		{"close", "close"},
		{"reset", "reset"},
		{"hang", "hang"},
		{"hang: 2s", "hang(2s)"},
	}
	for _, tt := range tests {
		t.Run(tt.yaml, func(t *testing.T) {
			s := parseOne(t, doc("upstream", "upstream:\n  - "+tt.yaml))
			if got := describeSteps(s.Upstream); got != tt.want {
				t.Errorf("got %s; want %s", got, tt.want)
			}
			if got := s.Upstream[0].Line; got != 8 {
				t.Errorf("got line %d; want 8", got)
			}
		})
	}
}

func TestResolveSteps(t *testing.T) {
	s := parseOne(t, doc("upstream", `upstream:
  - read: head
  - write: 'ab'
  - body: {bytes: 10, chunk_size: 4}
  - chunk: 'c'
  - sleep: read_timeout + 500ms
  - drip: {data: 'xyz', every: read_timeout / 4, size: 2}
  - drip: {bytes: 5, every: 1ms}
  - mark: m
  - half_close
  - hang: connect_timeout * 2`))
	to := Timeouts{Connect: 3 * time.Second, Read: 2 * time.Second}
	want := []fakeupstream.Step{
		fakeupstream.Read{What: fakeupstream.ReadHead},
		fakeupstream.Write{Data: []byte("ab")},
		fakeupstream.Body{N: 10, ChunkSize: 4},
		fakeupstream.Chunk{Data: []byte("c")},
		fakeupstream.Sleep{D: 2500 * time.Millisecond},
		fakeupstream.Drip{Data: []byte("xyz"), Size: 2, Every: 500 * time.Millisecond},
		fakeupstream.Drip{N: 5, Size: 1, Every: time.Millisecond},
		fakeupstream.Mark{Label: "m"},
		fakeupstream.HalfClose{},
		fakeupstream.Hang{Max: 6 * time.Second},
	}
	if got := ResolveSteps(s.Upstream, to); !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%#v\nwant\n%#v", got, want)
	}
	got := ResolveSteps([]StepSpec{{Name: "close"}, {Name: "reset"}, {Name: "nonsense"}}, to)
	if want := []fakeupstream.Step{fakeupstream.Close{}, fakeupstream.Reset{}}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v; want %#v (unknown steps left out)", got, want)
	}
}

func TestScripts(t *testing.T) {
	s := parseOne(t, doc(
		"upstream", "upstream: [read, sleep: 1s, hang]",
		"follow_ups", "follow_ups: [{}, {upstream: [read, {write: 'x'}, reset]}]"))
	to := DefaultTimeouts()
	scripts, err := s.Scripts(to)
	if err != nil {
		t.Fatal(err)
	}
	if len(scripts) != 3 {
		t.Fatalf("got %d scripts; want 3", len(scripts))
	}
	// 1s of sleep + (1s + 1s) x 1 + 2s.
	deadline := 5 * time.Second
	want0 := []fakeupstream.Step{fakeupstream.Read{What: "request"}, fakeupstream.Sleep{D: time.Second}, fakeupstream.Hang{Max: deadline + HangMargin}}
	if !reflect.DeepEqual(scripts[0].Steps, want0) {
		t.Errorf("script 0: got %#v; want %#v (a bare hang outlasts the client by HangMargin)", scripts[0].Steps, want0)
	}
	if got := scripts[1].Steps[1].(fakeupstream.Write).Data; string(got) != followUpAnswer {
		t.Errorf("script 1: got %q; want the default follow-up answer", got)
	}
	if got := scripts[2].Steps[2]; got != (fakeupstream.Reset{}) {
		t.Errorf("script 2: got %#v; want reset", got)
	}

	refused := parseOne(t, doc("upstream", "", "endpoint", "endpoint: connect-timeout"))
	scripts, err = refused.Scripts(to)
	if err != nil || len(scripts) != 1 || len(scripts[0].Steps) != 0 {
		t.Errorf("connect-timeout: got %v, %v; want one empty script", scripts, err)
	}

	bad := &Scenario{Source: "x.yaml:3", Upstream: []StepSpec{{Name: "read"}, {Name: "wirte"}}}
	if _, err := bad.Scripts(to); !errors.Is(err, fakeupstream.ErrUnknownStep) || err.Error() != `x.yaml:3: script 0: step 2: unknown step "wirte"` {
		t.Errorf("got %v; want the unknown step named", err)
	}
}

func TestDeadline(t *testing.T) {
	tests := []struct {
		name     string
		upstream string
		follow   string
		to       Timeouts
		want     time.Duration
	}{
		{"no pauses", "upstream: [read, {write: 'x'}]", "", DefaultTimeouts(), 4 * time.Second},
		{"sleeps", "upstream: [read, sleep: read_timeout + 500ms, sleep: 1s]", "", DefaultTimeouts(), 2500*time.Millisecond + 4*time.Second},
		// 5 bytes in pieces of 2: 3 pieces, 2 pauses.
		{"drip data", "upstream: [read, drip: {data: 'abcde', every: 100ms, size: 2}]", "", DefaultTimeouts(), 200*time.Millisecond + 4*time.Second},
		{"drip bytes", "upstream: [read, drip: {bytes: 10, every: 10ms}]", "", DefaultTimeouts(), 90*time.Millisecond + 4*time.Second},
		{"hang does not count", "upstream: [read, hang: 10s]", "", DefaultTimeouts(), 4 * time.Second},
		{"retries", "upstream: [read]", "", Timeouts{Connect: time.Second, Read: 3 * time.Second, Retries: 2}, 12*time.Second + 2*time.Second},
		{"follow-ups", "upstream: [read, sleep: 1s]", "follow_ups: [{upstream: [read, sleep: 2s]}]", DefaultTimeouts(), 3*time.Second + 4*time.Second},
		{"saturates", "upstream: [read, sleep: 2562047h, sleep: 2562047h]", "", Timeouts{Connect: 1 << 62, Read: 1 << 62, Retries: 1 << 62}, 1<<63 - 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pairs := []string{"upstream", tt.upstream}
			if tt.follow != "" {
				pairs = append(pairs, "follow_ups", tt.follow)
			}
			s := parseOne(t, doc(pairs...))
			if got := s.Deadline(tt.to); got != tt.want {
				t.Errorf("got %v; want %v", got, tt.want)
			}
		})
	}
}

// TestStepLists checks the step lists messages quote, which come from the
// registry: every step in its order, and a client answer's steps as an answer
// is written.
func TestStepLists(t *testing.T) {
	if got, want := strings.Join(stepNames, " "), "read write body chunk sleep drip half_close close reset hang mark"; got != want {
		t.Errorf("stepNames = %s; want %s", got, want)
	}
	if got, want := strings.Join(clientSteps, " "), "write body chunk drip sleep close reset hang"; got != want {
		t.Errorf("clientSteps = %s; want %s", got, want)
	}
}

// TestEveryStepForm checks each kind of step against the parser: its usage
// reads as a step where it is allowed, as does its bare word when it may stand
// bare.
func TestEveryStepForm(t *testing.T) {
	for _, k := range fakeupstream.Kinds() {
		var forms []string
		if k.Form.Usage != "" {
			forms = append(forms, k.Form.Usage)
		}
		if k.Form.Bare {
			forms = append(forms, k.Name)
		}
		for _, form := range forms {
			s := parseOne(t, doc("upstream", upstream2(form)))
			if got := s.Upstream[1]; got.Name != k.Name || got.Line != 9 {
				t.Errorf("%s: read %q as %+v", k.Name, form, got)
			}
			if k.Client {
				e := parseOne(t, doc("examples", examples("name: a, verdict: pass, client: ["+form+"]")))
				if got := e.Examples[0].Client[0].Name; got != k.Name {
					t.Errorf("%s: read client %q as %s", k.Name, form, got)
				}
			}
		}
	}
}

// TestStepsDocumented checks that the README's table of steps lists every step.
func TestStepsDocumented(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, _ := strings.Cut(string(readme), "\n## Steps\n")
	table, _, _ = strings.Cut(table, "\n## ")
	for _, name := range stepNames {
		if !strings.Contains(table, "\n| `"+name+"` |") {
			t.Errorf("README.md: the table of steps has no row for %s", name)
		}
	}
}
