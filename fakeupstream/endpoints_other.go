//go:build !unix

package fakeupstream

import "errors"

// errNoSideEndpoints says this platform has no refused and connect-timeout endpoints.
var errNoSideEndpoints = errors.New("not supported on this platform")

type refusedEndpoint struct{ addr string }

func newRefusedEndpoint(string) (*refusedEndpoint, error) { return nil, errNoSideEndpoints }

func (*refusedEndpoint) close() error { return nil }

type connectTimeoutEndpoint struct{ addr string }

func newConnectTimeoutEndpoint(string) (*connectTimeoutEndpoint, error) {
	return nil, errNoSideEndpoints
}

func (*connectTimeoutEndpoint) close() error { return nil }
