package targets

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/wire"
)

// h2Bound bounds one HTTP/2 or HTTP/1.1 exchange, dial to the end.
const h2Bound = 10 * time.Second

// h1Get sends one GET for path to addr over HTTP/1.1 (Connection: close) and
// reads the response with net/http's parser.
func h1Get(ctx context.Context, addr, path string) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, h2Bound)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return 0, nil, err
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	if _, err := fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path, addr); err != nil {
		return 0, nil, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}

// listenerCheck is the scenario id, status and body of the upstream's answer
// that checkListeners sends through a target on each of its listeners.
const (
	listenerCheckID     = "targets-listeners"
	listenerCheckStatus = 202
	listenerCheckBody   = "through the proxy"
)

// listenerCheckScript answers one request with a 202 whose body the proxy
// cannot have made up, and keeps the connection open.
var listenerCheckScript = fakeupstream.Script{Steps: []fakeupstream.Step{
	fakeupstream.Read{},
	fakeupstream.Write{Data: []byte("HTTP/1.1 202 Accepted\r\nContent-Type: text/plain\r\nX-Gatecheck: listeners\r\nContent-Length: " +
		strconv.Itoa(len(listenerCheckBody)) + "\r\n\r\n" + listenerCheckBody)},
}}

// checkListeners sends one GET through target on each of its listeners: over
// HTTP/1.1 to addr, and over HTTP/2 to each listener HTTP2 names, by prior
// knowledge (h2) and over TLS with ALPN h2 (h2-tls). Each must reach the fake
// upstream once, as its journal shows, and bring back its status and body.
// served lists the HTTP/2 clients the target must have a listener for; for
// the others HTTP2 must give a *harness.NotServed with a reason.
func checkListeners(ctx context.Context, t *testing.T, target harness.Target, addr string, up harness.Upstream, served ...scenarios.Client) {
	t.Helper()
	if err := up.Replace(ctx, listenerCheckID, []fakeupstream.Script{listenerCheckScript}); err != nil {
		t.Fatal(err)
	}
	through := func(client scenarios.Client, send func(path string) (int, []byte, error)) {
		t.Helper()
		token := "via" + strings.ReplaceAll(string(client), "-", "")
		defer up.Forget(token)
		path := fakeupstream.PathPrefix + listenerCheckID + "/" + token + "/0"
		status, body, err := send(path)
		if err != nil {
			t.Errorf("%s %s: %v", target, client, err)
			return
		}
		if status != listenerCheckStatus || string(body) != listenerCheckBody {
			t.Errorf("%s %s: got %d %q; want the upstream's %d %q", target, client, status, body, listenerCheckStatus, listenerCheckBody)
		}
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		rec, err := up.Wait(wctx, token, func(r fakeupstream.Record) bool { return r.Attempts(0) > 0 })
		if err != nil {
			t.Errorf("%s %s: the fake upstream never saw the request: %v", target, client, err)
		} else if n := rec.Attempts(0); n != 1 {
			t.Errorf("%s %s: the fake upstream saw %d attempts; want 1", target, client, n)
		} else if r, ok := rec.First(0); ok {
			t.Logf("%s %s: the fake upstream saw %s %s", target, client, r.Method, r.Target)
		}
	}
	through(scenarios.ClientH1, func(path string) (int, []byte, error) { return h1Get(ctx, addr, path) })
	h2t, ok := target.(harness.HTTP2Target)
	if !ok {
		t.Fatalf("%s is no harness.HTTP2Target", target)
	}
	for _, client := range []scenarios.Client{scenarios.ClientH2, scenarios.ClientH2TLS} {
		l, err := h2t.HTTP2(client)
		want := false
		for _, c := range served {
			want = want || c == client
		}
		var ns *harness.NotServed
		switch {
		case !want:
			if !errors.As(err, &ns) || ns.Reason == "" || ns.Client != client {
				t.Errorf("%s HTTP2(%s) = %+v, %v; want a *harness.NotServed with a reason", target, client, l, err)
			} else {
				t.Logf("%s", ns)
			}
			continue
		case err != nil:
			t.Errorf("%s HTTP2(%s): %v", target, client, err)
			continue
		case (client == scenarios.ClientH2TLS) != (l.TLS != nil):
			t.Errorf("%s HTTP2(%s) = %+v: TLS config set for the wrong client", target, client, l)
			continue
		}
		through(client, func(path string) (int, []byte, error) {
			x, err := wire.GetHTTP2(ctx, l.Addr, l.TLS, path, h2Bound)
			if err == nil && x.H2.Reset != "" {
				err = fmt.Errorf("stream reset (%s), frames %v", x.H2.Reset, x.H2.Frames)
			}
			if err == nil {
				t.Logf("%s %s at %s: %d, %d frames", target, client, l.Addr, x.Response.Final.Status, len(x.H2.Frames))
			}
			return x.Response.Final.Status, x.Response.Body, err
		})
	}
}
