package fakeupstream

import (
	"bufio"
	"io"
	"testing"
)

// BenchmarkHealthyPath measures one keep-alive request and response through a raw
// client: routing, journaling and a script that reads the request and writes a
// 1 KiB body.
func BenchmarkHealthyPath(b *testing.B) {
	s := startServer(b, Config{})
	const head = "HTTP/1.1 200 OK\r\nContent-Length: 1024\r\n\r\n"
	if err := s.Add("bench", []Script{{Steps: []Step{Read{}, Write{[]byte(head)}, Body{N: 1024}}}}); err != nil {
		b.Fatal(err)
	}
	token := newToken(b)
	req := []byte(get(requestPath("bench", token, 0)))
	c := dial(b, s.Endpoints().Main)
	br := bufio.NewReader(c)
	resp := make([]byte, len(head)+1024)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Write(req); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(br, resp); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	s.Forget(token)
}
