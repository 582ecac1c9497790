package fakeupstream

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// errDraining says a connection was half-closed by CloseIdle.
var errDraining = errors.New("connection closed while idle")

// conn is one accepted connection of the main endpoint. One goroutine serves it:
// it reads a request, routes it by path, plays the script, and starts over while
// the connection stays open.
type conn struct {
	s    *Server
	nc   *net.TCPConn
	br   *bufio.Reader
	info *connInfo
	done chan struct{}

	mu sync.Mutex
	// idle says the connection waits for the first byte of a next request.
	idle bool
	// draining says CloseIdle sent a FIN and waits for the peer to close.
	draining bool
	// reason says why the server closed the connection, if it did.
	reason string
	// script is the token of the request whose script waits for bytes from the
	// proxy (a next request, or the rest of a body); "" otherwise.
	script string

	// The serving goroutine's own state, reused from request to request: the
	// request the router read, the buffer its head was read into, and the player
	// of its script.
	req  request
	head []byte
	pl   player
	// rdl says a read deadline may be set on nc: waiting for a next request, which
	// only the connection's lifetime bounds, clears it first.
	rdl bool
}

// maxKeptHead bounds the head buffer a connection keeps for its next request.
const maxKeptHead = 4 << 10

// playing reports whether a script that a request with token selected waits on
// the connection for bytes from the proxy.
func (c *conn) playing(token string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return token != "" && c.script == token
}

// setScript notes the token of the script that waits for bytes from the proxy
// or, with "", that it no longer does.
func (c *conn) setScript(token string) {
	c.mu.Lock()
	c.script = token
	c.mu.Unlock()
}

func newConn(s *Server, nc *net.TCPConn, id int64) *conn {
	return &conn{
		s:    s,
		nc:   nc,
		br:   bufio.NewReaderSize(nc, readerSize),
		info: &connInfo{id: id, opened: time.Now()},
		done: make(chan struct{}),
	}
}

// serve serves the connection until it ends.
func (c *conn) serve() {
	defer c.s.wg.Done()
	defer c.finish()
	lifetime := c.s.cfg.MaxConnLifetime
	timer := time.AfterFunc(lifetime, func() {
		c.abort(fmt.Sprintf("connection lifetime %v exceeded", lifetime))
	})
	defer timer.Stop()
	for {
		req, err := c.next()
		if err != nil {
			return
		}
		if !c.dispatch(req) {
			return
		}
	}
}

// finish closes the connection and unregisters it.
func (c *conn) finish() {
	_ = c.nc.Close()
	c.s.journal.connEnded(c.info, ClosedByUpstream)
	c.s.forgetConn(c)
	close(c.done)
}

// abort closes the connection from another goroutine, noting why.
func (c *conn) abort(reason string) {
	c.mu.Lock()
	if c.reason == "" {
		c.reason = reason
	}
	c.mu.Unlock()
	c.s.journal.connEnded(c.info, ClosedByUpstream)
	_ = c.nc.Close()
}

// beginDrain half-closes the connection when it is idle, for CloseIdle, and reports
// whether the connection is draining.
func (c *conn) beginDrain() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.draining {
		return true
	}
	if !c.idle {
		return false
	}
	c.draining = true
	c.s.journal.connEnded(c.info, ClosedByUpstream)
	_ = c.nc.CloseWrite()
	return true
}

// next waits for the next request on the connection and reads its head.
func (c *conn) next() (*request, error) {
	if c.br.Buffered() == 0 {
		c.mu.Lock()
		c.idle = !c.draining
		c.mu.Unlock()
		// Waiting for a next request is bounded by the connection's lifetime.
		if c.rdl {
			_ = c.nc.SetReadDeadline(time.Time{})
			c.rdl = false
		}
		_, err := c.br.Peek(1)
		c.mu.Lock()
		c.idle = false
		draining := c.draining
		c.mu.Unlock()
		if draining {
			_ = c.nc.SetReadDeadline(time.Now().Add(c.s.cfg.DefaultHang))
			c.rdl = true
			_ = c.discardLate(c.br)
			return nil, errDraining
		}
		if err != nil {
			c.ended(err)
			return nil, err
		}
	}
	// Reading a head that is all buffered takes no read, so needs no deadline.
	if !headBuffered(c.br) {
		_ = c.nc.SetReadDeadline(time.Now().Add(c.s.cfg.DefaultHang))
		c.rdl = true
	}
	req := &c.req
	head, err := req.read(c.br, c.s.limits(), c.head)
	c.head = nil
	if cap(head) <= maxKeptHead {
		c.head = head[:0]
	}
	if req.head != nil {
		c.journalRequest(req, "")
	}
	switch {
	case err == nil:
		return req, nil
	case errors.Is(err, errHeadTooLarge):
		c.refuse(req, "431 Request Header Fields Too Large", err)
	case req.head != nil:
		c.refuse(req, "400 Bad Request", err)
	default:
		c.ended(err)
	}
	return nil, err
}

// discardLate reads and discards what the peer sends on a connection the
// upstream has already closed, or whose script only waits for the peer to close
// (Hang), until the peer closes or the read deadline passes. A request among
// those bytes reached no script — the proxy reused a connection it should have
// left, or had not yet noticed the FIN — and is journaled as late under its
// token, so that the harness can tell such a run from the proxy's own answer.
// It returns how the reading ended: nil when the peer closed, else the error.
func (c *conn) discardLate(br *bufio.Reader) error {
	lim := c.s.limits()
	for {
		req, err := readRequest(br, lim)
		if req != nil && req.routeErr == nil && req.route.Token != "" {
			c.s.journal.addLate(req.route.Token, SeenRequest{
				Index:      req.route.Index,
				ScenarioID: req.route.ID,
				Method:     req.method,
				Target:     req.target,
				Head:       req.head,
				At:         time.Now(),
			}, c.info)
		}
		if err != nil || readBody(br, req, lim) != nil {
			break
		}
	}
	_, err := io.Copy(io.Discard, br)
	return err
}

// journalRequest journals req under the token of its path, or under fallback when
// its path carries none (with index -1).
func (c *conn) journalRequest(req *request, fallback string) {
	r := SeenRequest{
		Index:  -1,
		Method: req.method,
		Target: req.target,
		Head:   req.head,
		At:     time.Now(),
	}
	token := fallback
	if req.routeErr == nil && req.route.ID != "" {
		r.ScenarioID = req.route.ID
		if req.route.Token != "" {
			token, r.Index = req.route.Token, req.route.Index
		}
	}
	req.ref = c.s.journal.add(token, r, c.info)
}

// dispatch answers one routed request: the readiness probe, a 404, or the script.
// It reports whether the connection stays open for a next request.
func (c *conn) dispatch(req *request) bool {
	if req.routeErr != nil {
		return c.answer(req, notFound(req.routeErr.Error()), req.routeErr.Error())
	}
	if req.route.ID == readyID {
		return c.answer(req, readyResponse, "")
	}
	script, err := c.s.script(req.route.ID, req.route.Index)
	if err != nil {
		return c.answer(req, notFound(err.Error()), err.Error())
	}
	p := c.player(req)
	return c.after(p, p.play(script))
}

// answer reads the body of req and writes a canned response; note goes to the
// journal's Err.
func (c *conn) answer(req *request, resp, note string) bool {
	p := c.player(req)
	p.claimed = true
	err := p.readBody()
	if err == nil {
		err = p.write([]byte(resp))
	}
	if err == nil && note != "" {
		p.finish(note)
	}
	return c.after(p, err)
}

// player returns a player for the script that req selected: the connection's
// own, reset, as only one plays at a time.
func (c *conn) player(req *request) *player {
	c.pl = player{
		ctx:   c.s.ctx,
		nc:    c.nc,
		br:    c.br,
		lim:   c.s.limits(),
		hang:  c.s.cfg.DefaultHang,
		c:     c,
		cur:   req,
		token: req.route.Token,
	}
	return &c.pl
}

// after journals how a script ended and reports whether the connection stays open
// for a next request. The body of a request the script left unread is read first,
// so that the next request starts where it should.
func (c *conn) after(p *player, err error) bool {
	if err != nil {
		p.finish(c.errText(err))
		c.ended(err)
		return false
	}
	p.finish("")
	if p.ended {
		return false
	}
	if p.cur != nil && !p.cur.bodyRead {
		if err := p.readBody(); err != nil {
			text := "after the script: " + c.errText(err)
			c.s.journal.update(p.cur.ref, func(r *SeenRequest) {
				if r.Err == "" {
					r.Err = text
				}
			})
			c.ended(err)
			return false
		}
	}
	return true
}

// errText is the journal's text for err: the server's reason when it closed the
// connection, else the error.
func (c *conn) errText(err error) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.reason != "" {
		return c.reason + ": " + err.Error()
	}
	return err.Error()
}

// ended journals who ended the connection, judging from the error that stopped it,
// and closes it.
func (c *conn) ended(err error) {
	by := ClosedByUpstream
	if peerGone(err) {
		by = ClosedByProxy
	}
	c.s.journal.connEnded(c.info, by)
	_ = c.nc.Close()
}

// refuse answers a request head the server cannot take with status, notes err in
// the journal and closes the connection.
func (c *conn) refuse(req *request, status string, err error) {
	c.s.journal.update(req.ref, func(r *SeenRequest) {
		r.Err = err.Error()
		r.Done = time.Now()
	})
	body := "fakeupstream: " + err.Error() + "\n"
	resp := "HTTP/1.1 " + status + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\nConnection: close\r\n\r\n" + body
	p := c.player(req)
	if p.write([]byte(resp)) == nil {
		_ = p.close()
		return
	}
	c.ended(err)
}

// notFound is the response to a request no script answers.
func notFound(reason string) string {
	body := "fakeupstream: " + reason + "\n"
	return "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\n\r\n" + body
}

// peerGone reports whether err means the peer closed or reset the connection.
func peerGone(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}
