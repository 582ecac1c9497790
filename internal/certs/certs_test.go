package certs

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net"
	"os"
	"testing"
)

// TestHandshake proves the set works end to end on a real socket: a server
// with the server certificate, a client trusting only the authority, ALPN h2
// agreed, and a client with another run's authority refused.
func TestHandshake(t *testing.T) {
	s, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", s.ServerConfig("h2", "http/1.1"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.(*tls.Conn).Handshake()
			c.Close()
		}
	}()
	c, err := tls.Dial("tcp", ln.Addr().String(), s.ClientConfig("h2"))
	if err != nil {
		t.Fatalf("handshake with the run's authority: %v", err)
	}
	if p := c.ConnectionState().NegotiatedProtocol; p != "h2" {
		t.Errorf("ALPN: got %q, want h2", p)
	}
	c.Close()

	other, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if c, err := tls.Dial("tcp", ln.Addr().String(), other.ClientConfig("h2")); err == nil {
		c.Close()
		t.Fatal("a client trusting another run's authority completed the handshake")
	}
}

// TestFiles checks what proxies read: the chain verifies to the authority for
// localhost and 127.0.0.1, and the key file is its owner's only.
func TestFiles(t *testing.T) {
	dir := t.TempDir()
	s, err := New(dir)
	if err != nil {
		t.Fatal(err)
	}
	chain, err := os.ReadFile(s.Path(CertFile))
	if err != nil {
		t.Fatal(err)
	}
	block, rest := pem.Decode(chain)
	leaf, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := pem.Decode(rest); b == nil {
		t.Error("the chain file holds no authority certificate after the server's")
	}
	for _, name := range []string{"localhost", "127.0.0.1"} {
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: s.Pool, DNSName: name}); err != nil {
			t.Errorf("verify for %s: %v", name, err)
		}
	}
	if !net.ParseIP("::1").Equal(leaf.IPAddresses[1]) {
		t.Errorf("the certificate's addresses: %v", leaf.IPAddresses)
	}
	for _, f := range []string{KeyFile, BundleFile} {
		fi, err := os.Stat(s.Path(f))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", f, fi.Mode().Perm())
		}
	}
}
