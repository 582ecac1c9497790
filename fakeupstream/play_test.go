package fakeupstream

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// pair returns both ends of a loopback TCP connection.
func pair(t testing.TB) (client, server net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client = dial(t, ln.Addr().String())
	server, err = ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = server.Close() })
	return client, server
}

func TestPlay(t *testing.T) {
	t.Parallel()
	client, server := pair(t)
	steps := []Step{
		Read{What: ReadRequest},
		Write{[]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")},
		Body{N: 5, ChunkSize: 2},
		Chunk{},
		Mark{Label: "ignored"},
		Close{},
		Write{[]byte("never")},
	}
	done := make(chan error, 1)
	go func() { done <- Play(context.Background(), server, steps) }()
	send(t, client, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n")
	got, err := readToError(client)
	want := "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nAB\r\n2\r\nCD\r\n1\r\nE\r\n0\r\n\r\n"
	if string(got) != want || err != io.EOF {
		t.Errorf("got %q, %v; want %q, io.EOF", got, err, want)
	}
	_ = client.Close()
	if err := <-done; err != nil {
		t.Errorf("Play: %v", err)
	}
}

func TestPlayReset(t *testing.T) {
	t.Parallel()
	client, server := pair(t)
	done := make(chan error, 1)
	go func() { done <- Play(context.Background(), server, []Step{Write{allBytes}, Reset{}}) }()
	got, err := readToError(client)
	if string(got) != string(allBytes) || !isReset(err) {
		t.Errorf("got %d bytes, %v; want the 256 written, ECONNRESET", len(got), err)
	}
	if err := <-done; err != nil {
		t.Errorf("Play: %v", err)
	}
}

func TestPlayStopsWithTheContext(t *testing.T) {
	t.Parallel()
	for _, step := range []Step{Sleep{D: time.Hour}, Read{}, Hang{}} {
		client, server := pair(t)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- Play(ctx, server, []Step{Write{[]byte("x")}, step}) }()
		if _, err := io.ReadFull(client, make([]byte, 1)); err != nil {
			t.Fatal(err)
		}
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("%s: Play = %v; want context.Canceled", step.Name(), err)
			}
		case <-time.After(testTimeout):
			t.Fatalf("%s: Play did not return after cancel", step.Name())
		}
	}
}

func TestPlayRejectsBadSteps(t *testing.T) {
	t.Parallel()
	_, server := pair(t)
	for _, steps := range [][]Step{{Read{What: "trailers"}}, {nil}, {Read{What: ReadBody}}} {
		if err := Play(context.Background(), server, steps); err == nil {
			t.Errorf("Play(%v) succeeded; want an error", steps)
		}
	}
}
