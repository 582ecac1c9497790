package harness

import (
	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/wire"
)

// references parses what the upstream scripts write for the main request and
// each follow-up: the reference a client's answer is compared with.
func references(sc *scenarios.Scenario, scripts []fakeupstream.Script) []wire.Response {
	refs := make([]wire.Response, 0, len(scripts))
	for index := 0; index <= len(sc.FollowUps); index++ {
		req := sc.Request
		if index > 0 {
			req = sc.FollowUps[index-1].Request
		}
		if (sc.Endpoint != scenarios.EndpointMain && index == 0) || index >= len(scripts) {
			refs = append(refs, reference(nil, fakeupstream.EndingClose, methodOf(req)))
			continue
		}
		refs = append(refs, reference(scripts[index].Output(), scripts[index].Ending(), methodOf(req)))
	}
	return refs
}

// reference parses the bytes an upstream script writes for one request — the
// reference a client's answer is judged against — the same way a client's bytes
// are parsed. scriptEnding is how the script leaves the connection (see
// fakeupstream.Script.Ending): "close" and "half_close" send a FIN, "reset" a RST,
// and "hang" or "open" leave it open, so a close-delimited body is then incomplete.
func reference(output []byte, scriptEnding fakeupstream.ScriptEnding, method string) wire.Response {
	ending := wire.EndTimeout
	switch scriptEnding {
	case fakeupstream.EndingClose, fakeupstream.EndingHalfClose:
		ending = wire.EndTruncated
	case fakeupstream.EndingReset:
		ending = wire.EndReset
	}
	return wire.ParseHTTP1Response(output, method, ending)
}

// wireRequest is a scenario's request as the client sends it, to path on host.
func wireRequest(r scenarios.Request, path, host string) wire.Request {
	return wire.Request{Method: r.Method, Path: path, Version: r.Version, Host: host, Headers: r.Headers,
		Body: r.Body, BodyBytes: r.BodyBytes, Chunked: r.Chunked, ExpectContinue: r.ExpectContinue}
}

// methodOf is the method a request is sent with.
func methodOf(r scenarios.Request) string {
	if r.Method == "" {
		return "GET"
	}
	return r.Method
}
