package control

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/scenarios"
)

// start runs a fake upstream with its control API on loopback for one test.
func start(t testing.TB) (*fakeupstream.Server, *Server) {
	t.Helper()
	up, err := fakeupstream.Start(fakeupstream.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = up.Close() })
	api, err := Start("127.0.0.1:0", up, scenarios.DefaultTimeouts())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = api.Close() })
	return up, api
}

func TestScriptsRoundTrip(t *testing.T) {
	in := []fakeupstream.Script{{Steps: []fakeupstream.Step{
		fakeupstream.Read{What: fakeupstream.ReadHead}, fakeupstream.Write{Data: []byte("HTTP/1.1 200 OK\r\n\x00\xff")},
		fakeupstream.Body{N: 10, ChunkSize: 3}, fakeupstream.Chunk{Data: []byte("ab")},
		fakeupstream.Sleep{D: 1500 * time.Millisecond}, fakeupstream.Drip{N: 5, Size: 2, Every: 7 * time.Nanosecond},
		fakeupstream.Drip{Data: []byte("x"), Every: time.Second}, fakeupstream.HalfClose{}, fakeupstream.Mark{Label: "m"},
		fakeupstream.Hang{Max: 3 * time.Second}, fakeupstream.Close{}, fakeupstream.Reset{},
	}}, {}}
	doc, err := EncodeScripts(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := DecodeScripts(doc)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprintf("%v", out), fmt.Sprintf("%v", in); got != want {
		t.Errorf("got %s; want %s", got, want)
	}
}

// TestClientJournal loads a scenario through the API, plays it with a raw client
// straight at the fake upstream, and reads the journal back through a Wait.
func TestClientJournal(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	up, api := start(t)
	c, err := Dial(ctx, "http://"+api.Addr(), fakeupstream.Endpoints{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Endpoints(), up.Endpoints(); got != want {
		t.Errorf("endpoints: got %+v; want %+v", got, want)
	}
	script := fakeupstream.Script{Steps: []fakeupstream.Step{fakeupstream.Read{}, fakeupstream.Sleep{D: 300 * time.Millisecond},
		fakeupstream.Write{Data: []byte("HTTP/1.1 204 No Content\r\n\r\n")}, fakeupstream.Mark{Label: "sent"}}}
	if err := c.Replace(ctx, "x/one", []fakeupstream.Script{script}); err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", up.Endpoints().Main)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /gatecheck/x/one/tok1/0 HTTP/1.1\r\nHost: x\r\n\r\n")
	rec, err := c.Wait(ctx, "tok1", func(r fakeupstream.Record) bool {
		q, ok := r.First(0)
		return ok && !q.Done.IsZero()
	})
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	line, _ := br.ReadString('\n')
	if line != "HTTP/1.1 204 No Content\r\n" {
		t.Errorf("client got %q", line)
	}
	go func() { _, _ = io.Copy(io.Discard, br); conn.Close() }() // a proxy closing after the FIN
	if rec.Attempts(0) != 1 || rec.Requests[0].Marks["sent"].IsZero() || !bytes.HasPrefix(rec.Requests[0].Head, []byte("GET /gatecheck/x/one/tok1/0")) {
		t.Errorf("journal: got %+v", rec)
	}
	if err := c.CloseIdle(ctx); err != nil {
		t.Errorf("close idle: %v", err)
	}
	c.Forget("tok1")
	if rec, err := c.Journal(ctx, "tok1"); err != nil || len(rec.Requests) != 0 {
		t.Errorf("after Forget: got %+v, %v; want an empty record", rec, err)
	}
}

// TestErrors checks that bad requests get a 4xx with a JSON error naming the
// problem.
func TestErrors(t *testing.T) {
	_, api := start(t)
	base := "http://" + api.Addr()
	big := bytes.Repeat([]byte("#"), MaxBodyBytes+1)
	for _, tc := range []struct {
		method, path string
		body         []byte
		code         int
		want         string
	}{
		{"GET", "/nope", nil, 404, "no endpoint GET /nope"},
		{"PUT", "/scenarios/x", []byte("scripts: [[{step: wirte}]]"), 400, `unknown step "wirte"`},
		{"PUT", "/scenarios/x", []byte("- a list"), 400, "not a YAML mapping"},
		{"PUT", "/scenarios/ready", []byte("scripts: [[{step: close}]]"), 400, "reserved"},
		{"PUT", "/scenarios/x", []byte("scripts: [[{step: sleep, d: forever}]]"), 400, "bad duration"},
		{"PUT", "/scenarios/x", []byte("id: y\n"), 400, ""},
		{"PUT", "/scenarios/x", big, 413, "larger than"},
		{"GET", "/journal/t?wait=soon", nil, 200, ""}, // no If-None-Match: wait is ignored
		{"POST", "/close-idle?timeout=-1s", nil, 400, "timeout"},
	} {
		req, _ := http.NewRequest(tc.method, base+tc.path, bytes.NewReader(tc.body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var e struct{ Error string }
		_ = json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		if resp.StatusCode != tc.code || !strings.Contains(e.Error, tc.want) || (tc.code >= 400 && e.Error == "") {
			t.Errorf("%s %s: got %d %q; want %d containing %q", tc.method, tc.path, resp.StatusCode, e.Error, tc.code, tc.want)
		}
	}
}

// TestWaitBounded checks that Wait gives up when its context ends, with the last
// Record, even while the server long-polls.
func TestWaitBounded(t *testing.T) {
	_, api := start(t)
	c, err := Dial(context.Background(), "http://"+api.Addr(), fakeupstream.Endpoints{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = c.Wait(ctx, "never", func(fakeupstream.Record) bool { return false })
	if err == nil || time.Since(start) > 3*time.Second {
		t.Errorf("got %v after %v; want an error within 3s", err, time.Since(start))
	}
}
