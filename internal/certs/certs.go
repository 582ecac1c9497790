// Package certs makes the throwaway TLS material of one run: a certificate
// authority that exists only for that run and a server certificate it signs
// for the loopback names. Proxies under test serve the server certificate on
// their HTTP/2-over-TLS listeners (and, later, fake upstreams serve it to the
// proxies); gatecheck's own clients trust the authority and nothing else.
//
// Nothing is written outside the directory the caller gives: the keys live as
// long as the run's work dir.
package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// ServerName is the name the server certificate is for, and the name clients
// verify (it also covers 127.0.0.1 and ::1 by address).
const ServerName = "localhost"

// validity is how long the certificates are valid: a run never lasts a day,
// and a clock that is off by minutes must not fail it.
const validity = 24 * time.Hour

// The files Write puts in its directory.
const (
	CAFile     = "gatecheck-ca.pem"     // the authority's certificate
	CertFile   = "gatecheck-cert.pem"   // the server certificate, then the authority's (a chain)
	KeyFile    = "gatecheck-key.pem"    // the server certificate's private key (PKCS #8)
	BundleFile = "gatecheck-bundle.pem" // the chain and the key in one file (HAProxy's crt)
)

// Set is one run's TLS material.
type Set struct {
	// Dir is where its files are.
	Dir string
	// CA is the authority's certificate; Pool holds only it.
	CA   *x509.Certificate
	Pool *x509.CertPool
	// Server is the server certificate with its key, for Go servers.
	Server tls.Certificate
}

// Path is the absolute path of one of the set's files (CAFile, CertFile...).
func (s *Set) Path(name string) string { return filepath.Join(s.Dir, name) }

// ClientConfig is the TLS config of a client that trusts only the run's
// authority and offers the given ALPN protocols (as "h2").
func (s *Set) ClientConfig(alpn ...string) *tls.Config {
	return &tls.Config{RootCAs: s.Pool, ServerName: ServerName, NextProtos: alpn, MinVersion: tls.VersionTLS12}
}

// ServerConfig is the TLS config of a Go server serving the run's server
// certificate with the given ALPN protocols, in order of preference.
func (s *Set) ServerConfig(alpn ...string) *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{s.Server}, NextProtos: alpn, MinVersion: tls.VersionTLS12}
}

// New makes a fresh authority and server certificate and writes their files
// into dir, which must exist. The private keys are written readable by their
// owner only; the authority's key is never written anywhere.
func New(dir string) (*Set, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("certs: %w", err)
	}
	now := time.Now().Add(-time.Hour)
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "gatecheck run CA"},
		NotBefore:             now,
		NotAfter:              now.Add(validity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("certs: the authority: %w", err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, fmt.Errorf("certs: the authority: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("certs: %w", err)
	}
	leafTmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: ServerName},
		DNSNames:     []string{ServerName},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		NotBefore:    now,
		NotAfter:     now.Add(validity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("certs: the server certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("certs: the server key: %w", err)
	}
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	chainPEM := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leafDER}), caPEM...)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	s := &Set{Dir: dir, CA: ca, Pool: x509.NewCertPool()}
	s.Pool.AddCert(ca)
	if s.Server, err = tls.X509KeyPair(chainPEM, keyPEM); err != nil {
		return nil, fmt.Errorf("certs: %w", err)
	}
	err = errors.Join(
		os.WriteFile(s.Path(CAFile), caPEM, 0o644),
		os.WriteFile(s.Path(CertFile), chainPEM, 0o644),
		os.WriteFile(s.Path(KeyFile), keyPEM, 0o600),
		os.WriteFile(s.Path(BundleFile), append(append([]byte(nil), chainPEM...), keyPEM...), 0o600),
	)
	if err != nil {
		return nil, fmt.Errorf("certs: write into %s: %w", dir, err)
	}
	return s, nil
}

// serial is a random 128-bit serial number.
func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		panic("certs: no randomness: " + err.Error()) // crypto/rand never fails on Linux
	}
	return n
}
