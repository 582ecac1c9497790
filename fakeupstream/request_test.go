package fakeupstream

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"
)

var testLimits = limits{maxHead: 1024, maxBody: 1000}

func TestReadRequestBody(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		bodyLen int64
		wantErr bool
		rest    string // what is left for the next request
	}{
		{"no body", "GET / HTTP/1.1\r\nHost: x\r\n\r\nNEXT", 0, false, "NEXT"},
		{"content-length", "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloNEXT", 5, false, "NEXT"},
		{"repeated equal content-length", "POST / HTTP/1.1\r\nContent-Length: 2, 2\r\ncontent-length: 2\r\n\r\nhiNEXT", 2, false, "NEXT"},
		{"chunked", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\nNEXT", 15, false, "NEXT"},
		{"chunked wins over length", "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: gzip, chunked\r\n\r\n1\r\nx\r\n0\r\n\r\nNEXT", 1, false, "NEXT"},
		{"bare LF", "POST / HTTP/1.1\nContent-Length: 1\n\nxNEXT", 1, false, "NEXT"},
		{"leading empty lines", "\r\n\r\nGET / HTTP/1.1\r\n\r\nNEXT", 0, false, "NEXT"},
		{"conflicting content-length", "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx", 0, true, ""},
		{"invalid content-length", "POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\nx", 0, true, ""},
		{"not chunked", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\nx", 0, true, ""},
		{"body too large", "POST / HTTP/1.1\r\nContent-Length: 1001\r\n\r\n", 0, true, ""},
		{"chunked too large", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3E9\r\n", 0, true, ""},
		{"bad chunk size", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 0, true, ""},
		{"short body", "POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc", 3, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			br := bufio.NewReaderSize(strings.NewReader(tt.in), 16)
			req, err := readRequest(br, testLimits)
			if err != nil {
				t.Fatalf("readRequest: %v", err)
			}
			err = readBody(br, req, testLimits)
			if (err != nil) != tt.wantErr {
				t.Fatalf("readBody error = %v; want error %v", err, tt.wantErr)
			}
			if req.bodyLen != tt.bodyLen {
				t.Errorf("body length = %d; want %d", req.bodyLen, tt.bodyLen)
			}
			if !tt.wantErr {
				rest, _ := readToError(br)
				if string(rest) != tt.rest {
					t.Errorf("left %q; want %q", rest, tt.rest)
				}
			}
		})
	}
}

func TestReadRequestHead(t *testing.T) {
	head := "GET /gatecheck/x/tok/2 HTTP/1.1\r\nHost: x\r\n\r\n"
	req, err := readRequest(bufio.NewReaderSize(strings.NewReader("\r\n"+head), 16), testLimits)
	if err != nil {
		t.Fatal(err)
	}
	if string(req.head) != head || req.method != "GET" || req.version != "HTTP/1.1" {
		t.Errorf("got head %q, method %q, version %q; want %q, GET, HTTP/1.1", req.head, req.method, req.version, head)
	}
	if req.route != (route{ID: "x", Token: "tok", Index: 2}) {
		t.Errorf("route = %+v", req.route)
	}

	_, err = readRequest(bufio.NewReader(strings.NewReader("")), testLimits)
	if !errors.Is(err, io.EOF) {
		t.Errorf("empty input: err = %v; want io.EOF", err)
	}
	_, err = readRequest(bufio.NewReader(strings.NewReader("GET / HTTP/1.1\r\nHost")), testLimits)
	if err == nil || errors.Is(err, io.EOF) {
		t.Errorf("truncated head: err = %v; want an unexpected EOF", err)
	}
	big := "GET /gatecheck/x/tok/0 HTTP/1.1\r\nX: " + strings.Repeat("a", 2000) + "\r\n\r\n"
	req, err = readRequest(bufio.NewReaderSize(strings.NewReader(big), 16), testLimits)
	if !errors.Is(err, errHeadTooLarge) {
		t.Fatalf("big head: err = %v; want errHeadTooLarge", err)
	}
	if req == nil || req.route.Token != "tok" {
		t.Errorf("big head: request %+v; want the parsed request line", req)
	}
	if _, err := readRequest(bufio.NewReader(strings.NewReader("GARBAGE\r\n\r\n")), testLimits); err == nil {
		t.Errorf("malformed request line: no error")
	}
}
