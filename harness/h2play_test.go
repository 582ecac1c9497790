package harness

import (
	"context"
	"errors"
	"sync"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/scenarios"
)

// This file is the HTTP/2 fixture's side of a stream: how it plays an
// example's h2 steps, and the request body as the DATA frames bring it.

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
