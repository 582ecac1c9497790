package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/scenarios"
)

// h2Fixture is the fixture as an HTTP/2 proxy: beside the HTTP/1.1 listener
// of the fixture it carries, an h2c listener (prior knowledge) on loopback,
// written on x/net/http2's Framer and hpack, never net/http's HTTP/2 server.
// It reads each request stream, relays the request to the fake upstream as
// the HTTP/1.1 fixture does (its relay: the attempts, the reused connection,
// the after_upstream wait), then plays the example's h2 steps on that stream.
type h2Fixture struct {
	*fixture
	h2ln net.Listener
	h2wg sync.WaitGroup
}

var (
	_ HTTP2Target = (*h2Fixture)(nil)
	_ Retimable   = (*h2Fixture)(nil)
)

func newH2Fixture(t testing.TB, up *fakeupstream.Server, sc *scenarios.Scenario, ex scenarios.Example) *h2Fixture {
	return &h2Fixture{fixture: newFixture(t, up, sc, ex)}
}

func (f *h2Fixture) Start(ctx context.Context, eps fakeupstream.Endpoints) (string, error) {
	addr, err := f.fixture.Start(ctx, eps)
	if err != nil {
		return "", err
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		_ = f.fixture.Stop(ctx)
		return "", err
	}
	f.h2ln = ln
	f.h2wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			f.track(c)
			f.h2wg.Go(func() { f.serveH2(c) })
		}
	})
	return addr, nil
}

// Stop closes the h2c listener, then everything the fixture tracks (the
// HTTP/2 connections among them), and waits for the streams' goroutines.
func (f *h2Fixture) Stop(ctx context.Context) error {
	err := f.h2ln.Close()
	err = errors.Join(err, f.fixture.Stop(ctx))
	f.h2wg.Wait()
	return err
}

func (f *h2Fixture) HTTP2(c scenarios.Client) (Listener, error) {
	if c != scenarios.ClientH2 {
		return Listener{}, &NotServed{Target: f.String(), Client: c, Reason: "the HTTP/2 fixture speaks h2c only"}
	}
	return Listener{Addr: f.h2ln.Addr().String()}, nil
}

func (f *h2Fixture) String() string { return "h2 fixture " + f.sc.ID + " / " + f.ex.Name }

// WithTimeouts makes another HTTP/2 fixture for the same scenario and example.
func (f *h2Fixture) WithTimeouts(t scenarios.Timeouts) (Target, error) {
	g := newH2Fixture(f.t, f.up, f.sc, f.ex)
	g.timeouts = t
	return g, nil
}

// h2Served is one HTTP/2 connection the fixture serves. wmu guards the
// Framer's writes, the HPACK encoder and every window; cond (on wmu) wakes
// the streams waiting for window, or for the connection's end.
type h2Served struct {
	f      *h2Fixture
	nc     net.Conn
	fr     *http2.Framer
	ctx    context.Context
	cancel context.CancelFunc
	// done is closed when the reader has met the connection's end.
	done chan struct{}

	wmu    sync.Mutex
	cond   *sync.Cond
	enc    *hpack.Encoder
	encBuf bytes.Buffer
	// maxFrame and initialWindow are the client's SETTINGS; window the
	// connection's flow-control window for what the fixture sends.
	maxFrame      uint32
	initialWindow int64
	window        int64
	// ended: an ending step (close, reset, hang) was played; nothing more is
	// written. over: the read side ended.
	ended, over bool
	streams     map[uint32]*h2ServedStream
}

// h2ServedStream is one request stream: its window for what the fixture
// sends, and its request body as the DATA frames bring it.
type h2ServedStream struct {
	id     uint32
	window int64
	reset  bool
	body   *streamBody
}

// serveH2 serves one connection: the client's preface, the fixture's
// SETTINGS, then the reader loop, which acknowledges SETTINGS and PING,
// keeps the windows, hands request bodies to their streams and starts a
// goroutine per request stream.
func (f *h2Fixture) serveH2(nc net.Conn) {
	ctx, cancel := context.WithCancel(context.Background())
	c := &h2Served{f: f, nc: nc, ctx: ctx, cancel: cancel, done: make(chan struct{}),
		maxFrame: 16384, initialWindow: 65535, window: 65535, streams: map[uint32]*h2ServedStream{}}
	c.cond = sync.NewCond(&c.wmu)
	c.enc = hpack.NewEncoder(&c.encBuf)
	defer func() {
		cancel()
		c.wmu.Lock()
		c.over = true
		for _, st := range c.streams {
			st.body.fail(io.ErrUnexpectedEOF)
		}
		ended := c.ended
		c.cond.Broadcast()
		c.wmu.Unlock()
		close(c.done)
		if !ended {
			_ = nc.Close()
		}
	}()
	preface := make([]byte, len(http2.ClientPreface))
	if _, err := io.ReadFull(nc, preface); err != nil || string(preface) != http2.ClientPreface {
		return
	}
	c.fr = http2.NewFramer(nc, nc)
	c.fr.AllowIllegalWrites = true
	c.fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	c.fr.MaxHeaderListSize = 1 << 24
	if c.write(func() error { return c.fr.WriteSettings() }) != nil {
		return
	}
	for {
		fr, err := c.fr.ReadFrame()
		if err != nil {
			return
		}
		c.read(fr)
	}
}

// read handles one frame of the client's.
func (c *h2Served) read(fr http2.Frame) {
	switch fr := fr.(type) {
	case *http2.SettingsFrame:
		if fr.IsAck() {
			return
		}
		c.wmu.Lock()
		_ = fr.ForeachSetting(func(s http2.Setting) error {
			switch s.ID {
			case http2.SettingInitialWindowSize:
				delta := int64(s.Val) - c.initialWindow
				c.initialWindow = int64(s.Val)
				for _, st := range c.streams {
					st.window += delta
				}
			case http2.SettingMaxFrameSize:
				c.maxFrame = s.Val
			case http2.SettingHeaderTableSize:
				c.enc.SetMaxDynamicTableSizeLimit(s.Val)
			}
			return nil
		})
		c.cond.Broadcast()
		c.wmu.Unlock()
		_ = c.write(func() error { return c.fr.WriteSettingsAck() })
	case *http2.PingFrame:
		if !fr.IsAck() {
			data := fr.Data
			_ = c.write(func() error { return c.fr.WritePing(true, data) })
		}
	case *http2.WindowUpdateFrame:
		c.wmu.Lock()
		if fr.StreamID == 0 {
			c.window += int64(fr.Increment)
		} else if st := c.streams[fr.StreamID]; st != nil {
			st.window += int64(fr.Increment)
		}
		c.cond.Broadcast()
		c.wmu.Unlock()
	case *http2.MetaHeadersFrame:
		c.wmu.Lock()
		st := &h2ServedStream{id: fr.StreamID, window: c.initialWindow, body: newStreamBody()}
		c.streams[st.id] = st
		c.wmu.Unlock()
		if fr.StreamEnded() {
			st.body.fail(io.EOF)
		}
		fields := fr.Fields
		c.f.h2wg.Go(func() { c.stream(st, fields, fr.StreamEnded()) })
	case *http2.DataFrame:
		c.wmu.Lock()
		st := c.streams[fr.StreamID]
		c.wmu.Unlock()
		if st == nil {
			return
		}
		st.body.add(fr.Data())
		end := fr.StreamEnded()
		if end {
			st.body.fail(io.EOF)
		}
		if n := fr.Length; n > 0 {
			// Give the window back at once, so the client's body never waits.
			_ = c.write(func() error {
				if !end && !st.reset {
					if err := c.fr.WriteWindowUpdate(st.id, n); err != nil {
						return err
					}
				}
				return c.fr.WriteWindowUpdate(0, n)
			})
		}
	case *http2.RSTStreamFrame:
		c.wmu.Lock()
		if st := c.streams[fr.StreamID]; st != nil {
			st.reset = true
			st.body.fail(fmt.Errorf("the client reset the stream (%v)", fr.ErrCode))
		}
		c.cond.Broadcast()
		c.wmu.Unlock()
	}
}

// write runs one frame write under the write lock, unless an ending step has
// ended the connection.
func (c *h2Served) write(w func() error) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.ended {
		return errors.New("the connection has ended")
	}
	return w()
}

// stream answers one request stream: it relays the request as the HTTP/1.1
// fixture's answer does, then plays the example's h2 steps on the stream.
func (c *h2Served) stream(st *h2ServedStream, fields []hpack.HeaderField, noBody bool) {
	f := c.f
	ctx, cancel := context.WithTimeout(c.ctx, f.sc.Deadline(f.timeouts)+5*time.Second)
	defer cancel()
	req := requestOf(fields, st.body, noBody)
	id, token, index, err := splitPath(req.URL.Path)
	if err != nil {
		f.t.Logf("h2 fixture %s: %v", f.sc.ID, err)
		_ = c.write(func() error { return c.fr.WriteRSTStream(st.id, http2.ErrCodeProtocol) })
		return
	}
	if id == "ready" {
		if err := f.relay(ctx, req, nil, token, 0, 1, nil); err != nil {
			f.t.Logf("h2 fixture: ready: %v", err)
		}
		c.play(ctx, st, []scenarios.H2Step{
			{Op: scenarios.H2Headers, Fields: []scenarios.H2Field{{Name: ":status", Value: "200"}, {Name: "content-length", Value: "5"}}},
			{Op: scenarios.H2Data, Data: []byte("ready"), EndStream: true},
		})
		return
	}
	steps, attempts, reused := f.ex.H2, f.ex.Attempts, false
	if index > 0 {
		if index > len(f.ex.FollowUps) {
			f.t.Logf("h2 fixture %s: example %q has no answer for follow-up %d", f.sc.ID, f.ex.Name, index)
			_ = c.write(func() error { return c.fr.WriteRSTStream(st.id, http2.ErrCodeInternal) })
			return
		}
		fu := f.ex.FollowUps[index-1]
		steps, attempts, reused = fu.H2, fu.Attempts, fu.Reused
	}
	var body []byte
	if attempts > 1 || !strings.EqualFold(req.Header.Get("Expect"), "100-continue") {
		if body, err = io.ReadAll(io.LimitReader(req.Body, 64<<20)); err != nil {
			f.t.Logf("h2 fixture %s: request body: %v", f.sc.ID, err)
			return
		}
	}
	if strings.HasPrefix(req.URL.Path, fakeupstream.PathPrefix) && attempts > 0 {
		var via net.Conn
		if reused {
			f.mu.Lock()
			via = f.main[token]
			f.mu.Unlock()
		}
		if err := f.relay(ctx, req, body, token, index, attempts, via); err != nil {
			f.t.Logf("h2 fixture %s: %v", f.sc.ID, err)
			return
		}
	}
	if f.ex.AfterUpstream > 0 && index == 0 {
		if err := f.waitAnchor(ctx, token); err != nil {
			f.t.Logf("h2 fixture %s: %v", f.sc.ID, err)
			return
		}
	}
	c.play(ctx, st, steps)
}

// requestOf is the HTTP/1.1 request a request stream's field block says, its
// body the stream's DATA (none when the HEADERS frame ended the stream).
func requestOf(fields []hpack.HeaderField, body *streamBody, noBody bool) *http.Request {
	req := &http.Request{Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: http.Header{}, URL: &url.URL{}, Body: body, ContentLength: -1}
	for _, hf := range fields {
		switch hf.Name {
		case ":method":
			req.Method = hf.Value
		case ":path":
			if u, err := url.ParseRequestURI(hf.Value); err == nil {
				req.URL = u
			}
			req.RequestURI = hf.Value
		case ":authority":
			req.Host = hf.Value
		case ":scheme":
		default:
			req.Header.Add(hf.Name, hf.Value)
			if hf.Name == "content-length" {
				if n, err := strconv.ParseInt(hf.Value, 10, 64); err == nil {
					req.ContentLength = n
				}
			}
		}
	}
	if noBody {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	return req
}
