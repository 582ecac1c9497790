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

// play plays an answer's steps on the stream. A step that cannot be written
// (the client has gone, or reset the stream) ends the answer.
func (c *h2Served) play(ctx context.Context, st *h2ServedStream, steps []scenarios.H2Step) {
	var off int64
	for _, s := range steps {
		if ctx.Err() != nil || c.streamGone(st) {
			return
		}
		var err error
		switch s.Op {
		case scenarios.H2Headers:
			err = c.writeHeaders(st.id, s.Fields, s.EndStream)
		case scenarios.H2Data:
			data := s.Data
			if s.N > 0 {
				data = fakeupstream.Pattern(off, s.N)
				off += s.N
			}
			err = c.writeData(ctx, st, data, s.EndStream)
		case scenarios.H2RSTStream:
			err = c.write(func() error { return c.fr.WriteRSTStream(st.id, errCode(s.Code)) })
		case scenarios.H2GoAway:
			last := st.id
			if s.LastStreamID != nil {
				last = *s.LastStreamID
			}
			err = c.write(func() error { return c.fr.WriteGoAway(last, errCode(s.Code), nil) })
		case scenarios.H2Frame:
			stream := st.id
			if s.Stream != nil {
				stream = *s.Stream
			}
			err = c.write(func() error { return c.fr.WriteRawFrame(http2.FrameType(s.Type), http2.Flags(s.Flags), stream, s.Data) })
		case scenarios.H2Sleep:
			select {
			case <-time.After(s.D.Resolve(c.f.timeouts)):
			case <-ctx.Done():
				return
			}
		case scenarios.H2Close, scenarios.H2Reset, scenarios.H2Hang:
			c.end(ctx, s)
			return
		}
		if err != nil {
			return
		}
	}
}

// streamGone reports whether the stream can take no more frames: the client
// reset it, or the connection is over.
func (c *h2Served) streamGone(st *h2ServedStream) bool {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return st.reset || c.over || c.ended
}

// writeHeaders writes one field block as given: HEADERS, then CONTINUATION
// frames as the client's SETTINGS_MAX_FRAME_SIZE needs.
func (c *h2Served) writeHeaders(id uint32, fields []scenarios.H2Field, endStream bool) error {
	return c.write(func() error {
		c.encBuf.Reset()
		for _, hf := range fields {
			if err := c.enc.WriteField(hpack.HeaderField{Name: hf.Name, Value: hf.Value}); err != nil {
				return err
			}
		}
		block := c.encBuf.Bytes()
		max := int(c.maxFrame)
		first := block[:min(len(block), max)]
		rest := block[len(first):]
		if err := c.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: first, EndStream: endStream, EndHeaders: len(rest) == 0}); err != nil {
			return err
		}
		for len(rest) > 0 {
			n := min(len(rest), max)
			if err := c.fr.WriteContinuation(id, n == len(rest), rest[:n]); err != nil {
				return err
			}
			rest = rest[n:]
		}
		return nil
	})
}

// writeData writes data as DATA frames within the client's frame size and
// windows, waiting for WINDOW_UPDATE as needed; END_STREAM goes on the last.
func (c *h2Served) writeData(ctx context.Context, st *h2ServedStream, data []byte, endStream bool) error {
	stop := context.AfterFunc(ctx, func() {
		c.wmu.Lock()
		c.cond.Broadcast()
		c.wmu.Unlock()
	})
	defer stop()
	c.wmu.Lock()
	defer c.wmu.Unlock()
	for first := true; first || len(data) > 0; first = false {
		for len(data) > 0 && (c.window <= 0 || st.window <= 0) && !c.ended && !c.over && !st.reset && ctx.Err() == nil {
			c.cond.Wait()
		}
		switch {
		case c.ended || c.over || st.reset:
			return errors.New("the stream has ended")
		case ctx.Err() != nil:
			return ctx.Err()
		}
		n := min(int64(len(data)), int64(c.maxFrame), c.window, st.window)
		if err := c.fr.WriteData(st.id, endStream && n == int64(len(data)), data[:n]); err != nil {
			return err
		}
		c.window -= n
		st.window -= n
		data = data[n:]
	}
	return nil
}

// end plays an ending step: close sends a FIN and waits (bounded) for the
// client's, reset aborts with a TCP RST after what was sent has left, hang
// sends nothing more until the client closes (at most the step's bound, or
// the scenario's deadline and HangMargin).
func (c *h2Served) end(ctx context.Context, s scenarios.H2Step) {
	c.wmu.Lock()
	c.ended = true
	c.cond.Broadcast()
	c.wmu.Unlock()
	bound := s.D.Resolve(c.f.timeouts)
	if bound <= 0 {
		bound = c.f.sc.Deadline(c.f.timeouts) + scenarios.HangMargin
	}
	switch s.Op {
	case scenarios.H2Reset:
		_ = fakeupstream.Play(ctx, c.nc, []fakeupstream.Step{fakeupstream.Reset{}})
		return
	case scenarios.H2Close:
		if cw, ok := c.nc.(interface{ CloseWrite() error }); ok {
			_ = cw.CloseWrite()
		}
		bound = 2 * time.Second
	}
	select {
	case <-c.done:
	case <-time.After(bound):
	case <-ctx.Done():
	}
	_ = c.nc.Close()
}

// errCode is the error code an RFC 9113 §7 name names.
func errCode(name string) http2.ErrCode {
	for i := range len(scenarios.H2ErrorCodes) {
		if http2.ErrCode(i).String() == name {
			return http2.ErrCode(i)
		}
	}
	return http2.ErrCodeInternal
}

// streamBody is a request body as DATA frames bring it: the reader never
// blocks the connection's reader, however slowly the body is read.
type streamBody struct {
	mu   sync.Mutex
	cond *sync.Cond
	buf  []byte
	err  error
}

func newStreamBody() *streamBody {
	b := &streamBody{}
	b.cond = sync.NewCond(&b.mu)
	return b
}

func (b *streamBody) add(p []byte) {
	b.mu.Lock()
	if b.err == nil {
		b.buf = append(b.buf, p...)
	}
	b.cond.Broadcast()
	b.mu.Unlock()
}

// fail ends the body with err (io.EOF: END_STREAM); the first end stays.
func (b *streamBody) fail(err error) {
	b.mu.Lock()
	if b.err == nil {
		b.err = err
	}
	b.cond.Broadcast()
	b.mu.Unlock()
}

func (b *streamBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for len(b.buf) == 0 && b.err == nil {
		b.cond.Wait()
	}
	if len(b.buf) == 0 {
		return 0, b.err
	}
	n := copy(p, b.buf)
	b.buf = b.buf[n:]
	return n, nil
}

func (b *streamBody) Close() error {
	b.fail(errors.New("body closed"))
	return nil
}
