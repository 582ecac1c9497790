package main

import (
	"context"
	"fmt"
	"io"
	"runtime"

	"github.com/gatecheck/gatecheck/harness"
)

// version prints gatecheck's version and the Go toolchain it was built with.
func version(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("version", "")
	if code := parse(fs, args, stdout, stderr); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "gatecheck version: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	fmt.Fprintf(stdout, "gatecheck %s (%s)\n", harness.Version, runtime.Version())
	return exitOK
}
