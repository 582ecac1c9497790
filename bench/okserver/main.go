// Command okserver is the baseline of bench/compare.sh's comparison (a): a minimal
// net/http server whose one handler answers every request with the bytes the fake
// upstream's pass/ok script writes — the same status, the same four fields, the
// same 64 pattern bytes. net/http adds nothing else (its Date field is turned
// off), so both servers put the same response on the wire and wrk measures the
// servers, not the payloads.
//
// Usage:
//
//	okserver [--listen 127.0.0.1:8090]
//
// It prints "okserver: listening on ADDR" once it accepts connections, and stops
// on SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/gatecheck/gatecheck/fakeupstream"
)

// The response: pass/ok's head fields and body (scenarios/catalogue/pass.yaml).
var (
	body          = fakeupstream.Pattern(0, 64)
	contentType   = []string{"text/plain"}
	cacheControl  = []string{"no-transform"}
	marker        = []string{"pass-ok"}
	contentLength = []string{strconv.Itoa(len(body))}
)

// ok writes the response. The field values are shared slices, as a tuned handler
// would keep them; a nil Date value keeps net/http from adding one.
func ok(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h["Content-Type"] = contentType
	h["Cache-Control"] = cacheControl
	h["X-Gatecheck"] = marker
	h["Content-Length"] = contentLength
	h["Date"] = nil
	_, _ = w.Write(body)
}

func main() {
	listen := flag.String("listen", "127.0.0.1:8090", "where to listen, `ADDR`")
	flag.Parse()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(os.Stderr, "okserver: %v\n", err)
		os.Exit(1)
	}
	srv := &http.Server{
		Handler:           http.HandlerFunc(ok),
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       5 * time.Minute,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	fmt.Printf("okserver: listening on %s\n", ln.Addr())
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(os.Stderr, "okserver: %v\n", err)
		os.Exit(1)
	}
}
