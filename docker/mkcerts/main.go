// Command mkcerts writes the TLS material docker-compose.yml mounts into the
// proxies and the runner: a throwaway authority and a server certificate for
// localhost, 127.0.0.1 and ::1 (package internal/certs, as every gatecheck run
// makes its own), valid for a day. Run it before docker-compose up:
//
//	go run ./docker/mkcerts gatecheck-out/certs
//
// The directory is created if needed; files already there are replaced.
package main

import (
	"fmt"
	"os"

	"github.com/gatecheck/gatecheck/internal/certs"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: mkcerts DIR")
		os.Exit(2)
	}
	dir := os.Args[1]
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "mkcerts:", err)
		os.Exit(1)
	}
	if _, err := certs.New(dir); err != nil {
		fmt.Fprintln(os.Stderr, "mkcerts:", err)
		os.Exit(1)
	}
	fmt.Println("mkcerts: wrote", certs.CAFile, certs.CertFile, certs.KeyFile, certs.BundleFile, "into", dir)
}
