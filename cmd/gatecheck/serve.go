package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/gatecheck/gatecheck/control"
	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/scenarios"
)

// serve runs the fake upstream alone, with the chosen scenarios' scripts resolved
// against the declared timeouts, prints its three addresses and a route block for
// nginx, and runs until ctx is done (SIGINT or SIGTERM); then it closes everything
// and returns exitOK.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("serve", "[--listen ADDR] [--control ADDR] [--scenarios PATH]... [--connect-timeout D] [--read-timeout D] [--retries N]")
	listen := fs.String("listen", "127.0.0.1:8081", "where the fake upstream listens, `ADDR`; refused takes the next port, connect-timeout the one after")
	controlAddr := fs.String("control", "", "where the control API listens, `ADDR` (default: the --listen host, port + 3); off to turn it off")
	var sf scenarioFlags
	sf.add(fs)
	var tf timeoutFlags
	tf.add(fs)
	if code := parse(fs, args, stdout, stderr); code >= 0 {
		return code
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "gatecheck serve: %v\n", err)
		return exitUsage
	}
	if fs.NArg() > 0 {
		return fail(fmt.Errorf("unexpected argument %q (scenario files go with --scenarios)", fs.Arg(0)))
	}
	timeouts, err := tf.timeouts()
	if err != nil {
		return fail(err)
	}
	scs, err := sf.load()
	if err != nil {
		return fail(err)
	}
	up, err := fakeupstream.Start(fakeupstream.Config{Addr: *listen})
	if err != nil {
		return fail(fmt.Errorf("listen on %s: %w", *listen, err))
	}
	if err := loadScripts(up, scs, timeouts); err != nil {
		return fail(errors.Join(err, up.Close()))
	}
	var api *control.Server
	if *controlAddr != "off" {
		addr := *controlAddr
		if addr == "" {
			addr = sideAddr(*listen, 3)
		}
		if api, err = control.Start(addr, up, timeouts); err != nil {
			return fail(errors.Join(err, up.Close()))
		}
	}
	controlURL := ""
	if api != nil {
		controlURL = "http://" + api.Addr()
	}
	writeServeBanner(stdout, up.Endpoints(), controlURL, len(scs), timeouts)
	<-ctx.Done()
	fmt.Fprintln(stdout, "gatecheck serve: stopping")
	var errs []error
	if api != nil {
		errs = append(errs, api.Close())
	}
	errs = append(errs, up.Close())
	if err := errors.Join(errs...); err != nil {
		return fail(err)
	}
	return exitOK
}

// sideAddr is port + delta on the host of addr, or port 0 there when addr's port
// is not fixed.
func sideAddr(addr string, delta int) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	p, err := strconv.Atoi(port)
	if err != nil || p == 0 || p+delta > 65535 {
		return net.JoinHostPort(host, "0")
	}
	return net.JoinHostPort(host, strconv.Itoa(p+delta))
}

// loadScripts gives the fake upstream every scenario's scripts, resolved against
// the declared timeouts. Scenarios for the refused and connect-timeout endpoints
// have none.
func loadScripts(up *fakeupstream.Server, scs []*scenarios.Scenario, t scenarios.Timeouts) error {
	for _, sc := range scs {
		if sc.Endpoint != "" && sc.Endpoint != scenarios.EndpointMain {
			continue
		}
		scripts, err := sc.Scripts(t)
		if err != nil {
			return fmt.Errorf("%s: %w", sc.Source, err)
		}
		up.Replace(sc.ID, scripts)
	}
	return nil
}

// writeServeBanner prints the addresses, the nginx route block, the control API
// and what to do next.
func writeServeBanner(w io.Writer, e fakeupstream.Endpoints, controlURL string, n int, t scenarios.Timeouts) {
	fmt.Fprintf(w, "gatecheck serve: fake upstream for %d scenarios (connect timeout %v, read timeout %v, retries %d)\n\n",
		n, t.Connect, t.Read, t.Retries)
	fmt.Fprintf(w, "  %-16s %-22s route %s\n", "main", e.Main, fakeupstream.PathPrefix)
	fmt.Fprintf(w, "  %-16s %-22s route %s\n", "refused", e.Refused, fakeupstream.RefusedPrefix)
	fmt.Fprintf(w, "  %-16s %-22s route %s\n\n", "connect-timeout", e.ConnectTimeout, fakeupstream.ConnectTimeoutPrefix)
	fmt.Fprintln(w, "# nginx: paste into the server { } block of the proxy under test")
	fmt.Fprint(w, nginxRoutes(e, t))
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Check the route: curl -i http://YOUR-PROXY/gatecheck/ready  (answers 200 \"ready\")")
	fmt.Fprintf(w, "Then stop this (Ctrl-C) and judge: gatecheck run --target http://YOUR-PROXY --upstream %s --connect-timeout %v --read-timeout %v --retries %d\n",
		e.Main, t.Connect, t.Read, t.Retries)
	if controlURL != "" {
		fmt.Fprintf(w, "Or keep this running and judge through its control API at %s (GET /healthz, PUT /scenarios/{id}, GET /journal/{token}, POST /close-idle):\n", controlURL)
		fmt.Fprintf(w, "  gatecheck run --target http://YOUR-PROXY --control %s --connect-timeout %v --read-timeout %v --retries %d\n",
			controlURL, t.Connect, t.Read, t.Retries)
	}
	fmt.Fprintln(w, "ready; Ctrl-C stops")
}

// nginxRoutes is an nginx route block sending each prefix to its endpoint, with
// the declared timeouts and upstream keep-alive.
func nginxRoutes(e fakeupstream.Endpoints, t scenarios.Timeouts) string {
	var b strings.Builder
	for _, r := range []struct{ prefix, addr string }{
		{fakeupstream.PathPrefix, e.Main},
		{fakeupstream.RefusedPrefix, e.Refused},
		{fakeupstream.ConnectTimeoutPrefix, e.ConnectTimeout},
	} {
		fmt.Fprintf(&b, "location %s {\n", r.prefix)
		fmt.Fprintf(&b, "    proxy_pass http://%s;\n", r.addr)
		fmt.Fprintf(&b, "    proxy_http_version 1.1;\n")
		fmt.Fprintf(&b, "    proxy_set_header Connection \"\";\n")
		fmt.Fprintf(&b, "    proxy_connect_timeout %s;\n", nginxDuration(t.Connect))
		fmt.Fprintf(&b, "    proxy_read_timeout %s;\n", nginxDuration(t.Read))
		fmt.Fprintf(&b, "}\n")
	}
	return b.String()
}

// nginxDuration writes d in nginx's time units: whole seconds as "1s", else
// milliseconds.
func nginxDuration(d time.Duration) string {
	if d%time.Second == 0 {
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return fmt.Sprintf("%dms", d.Round(time.Millisecond)/time.Millisecond)
}
