package fakeupstream

import (
	"errors"
	"fmt"
)

// ReadWhat says what a Read step consumes.
type ReadWhat string

// What a Read step consumes.
const (
	ReadRequest ReadWhat = "request" // the head and then the body, per its framing
	ReadHead    ReadWhat = "head"    // the head only
	ReadBody    ReadWhat = "body"    // the body of the request whose head was read
)

// errNoBody says a read: body step found no request head whose body is unread.
var errNoBody = errors.New("no request head with an unread body")

// Read reads the request head, its body, or both. The first Read of a Script consumes
// the request that selected it (already parsed by the router); a later Read waits for
// the next request on the same connection, which a script may answer itself. An
// empty What reads a request, like ReadRequest.
type Read struct{ What ReadWhat }

// readKind is the read step: read, or read: request, head or body.
var readKind = Kind{
	Name: "read",
	Form: Form{
		Bare:    true,
		Colon:   "missing value; write read, or read: request, head or body",
		Value:   &Arg{Field: FieldWhat, Words: []string{string(ReadRequest), string(ReadHead), string(ReadBody)}},
		Default: Args{What: string(ReadRequest)},
	},
	New: func(a Args) Step { return Read{What: ReadWhat(a.What)} },
}

func (Read) Name() string { return readKind.Name }

func (r Read) args() Args { return Args{What: string(r.What)} }

// play takes the request that selected the script with the first Read; a later
// Read of a request or a head reads the next request.
func (r Read) play(p *player) error {
	switch r.What {
	case ReadRequest, "", ReadHead, ReadBody:
	default:
		return fmt.Errorf("unknown read %q (want request, head or body)", r.What)
	}
	if !p.claimed && p.cur != nil {
		p.claimed = true
		if r.What == ReadHead {
			return nil
		}
		return p.readBody()
	}
	if r.What == ReadBody {
		if p.cur == nil || p.cur.bodyRead {
			return fmt.Errorf("read body: %w", errNoBody)
		}
		return p.readBody()
	}
	if err := p.nextHead(); err != nil {
		return err
	}
	if r.What == ReadHead {
		return nil
	}
	return p.readBody()
}

// draft ends the output for the selecting request where the script turns to the
// next request: at a Read of a request or a head after the first Read.
func (r Read) draft(d *draft) ScriptEnding {
	if d.claimed && r.What != ReadBody {
		return EndingOpen
	}
	d.claimed = true
	return ""
}

// nextHead finishes the current request (reading its body if still unread) and
// reads the next request head on the connection.
func (p *player) nextHead() error {
	if p.cur != nil && !p.cur.bodyRead {
		if err := p.readBody(); err != nil {
			return err
		}
	}
	p.finish("")
	if err := p.setReadDeadline(); err != nil {
		return err
	}
	done, err := p.awaitProxy()
	if err != nil {
		return err
	}
	defer done()
	req, err := readRequest(p.br, p.lim)
	if req != nil && p.c != nil {
		p.c.journalRequest(req, p.token)
	}
	if err != nil {
		return err
	}
	p.cur, p.claimed = req, true
	return nil
}
