package fakeupstream

import (
	"fmt"
	"strconv"
	"strings"
)

// Route prefixes. A proxy under test routes every request whose path starts with
// PathPrefix to the main endpoint, RefusedPrefix to the refused endpoint and
// ConnectTimeoutPrefix to the connect-timeout endpoint, with the path unchanged.
//
// A request path has the form PREFIX + scenario id + "/" + token + "/" + index, for
// example /gatecheck/body/truncated-chunked/3f9a1c0b7e2d/0. The token is chosen per
// run (and per repetition); a proxy's retries carry the same token, so the journal
// counts attempts. Index 0 is the scenario's main request, 1.. its follow-ups.
const (
	PathPrefix           = "/gatecheck/"
	RefusedPrefix        = "/gatecheck-refused/"
	ConnectTimeoutPrefix = "/gatecheck-connect-timeout/"
)

// readyID is the built-in scenario id of the readiness probe: a request to
// PathPrefix + "ready" (optionally followed by "/" + token + "/" + index) gets a
// keep-alive 200 with the body "ready".
const readyID = "ready"

// readyResponse is the answer to a readiness probe.
const readyResponse = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nready"

// maxIndexDigits bounds the index segment of a path.
const maxIndexDigits = 9

// route is what a request path selects: a scenario id, a token and an index.
type route struct {
	ID    string
	Token string
	Index int
}

// parseRoute reads the route from a request target of the form PREFIX + id + "/" +
// token + "/" + index, where PREFIX is PathPrefix, RefusedPrefix or
// ConnectTimeoutPrefix. The target may be in absolute form; a query is ignored. The
// readiness probe may leave out token and index.
func parseRoute(target string) (route, error) {
	path := target
	if i := strings.Index(path, "://"); i > 0 && !strings.HasPrefix(path, "/") {
		rest := path[i+3:]
		j := strings.IndexByte(rest, '/')
		if j < 0 {
			return route{}, fmt.Errorf("target %q has no path", target)
		}
		path = rest[j:]
	}
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	var rest string
	found := false
	for _, prefix := range []string{PathPrefix, RefusedPrefix, ConnectTimeoutPrefix} {
		if r, ok := strings.CutPrefix(path, prefix); ok {
			rest, found = r, true
			break
		}
	}
	if !found {
		return route{}, fmt.Errorf("path %q does not start with %q", path, PathPrefix)
	}
	if rest == readyID || rest == readyID+"/" {
		return route{ID: readyID, Index: -1}, nil
	}
	i := strings.LastIndexByte(rest, '/')
	if i < 0 {
		return route{}, fmt.Errorf("path %q: want <id>/<token>/<index> after %q", path, PathPrefix)
	}
	idx := rest[i+1:]
	j := strings.LastIndexByte(rest[:i], '/')
	if j <= 0 || j+1 == i {
		return route{}, fmt.Errorf("path %q: want <id>/<token>/<index> after %q", path, PathPrefix)
	}
	r := route{ID: rest[:j], Token: rest[j+1 : i]}
	if idx == "" || len(idx) > maxIndexDigits || strings.Trim(idx, "0123456789") != "" {
		return route{}, fmt.Errorf("path %q: index %q is not a decimal number", path, idx)
	}
	n, err := strconv.Atoi(idx)
	if err != nil {
		return route{}, fmt.Errorf("path %q: index %q: %w", path, idx, err)
	}
	r.Index = n
	return r, nil
}
