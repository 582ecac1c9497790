package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/gatecheck/gatecheck/scenarios"
)

// lint checks scenario files and folders strictly, as run loads them. It prints
// "ok: N scenarios in M files" and returns exitOK, or prints every problem as
// "file:line: what is wrong", one per line, on stderr and returns exitUsage.
func lint(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("lint", "PATH...")
	if code := parse(fs, args, stdout, stderr); code >= 0 {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "gatecheck lint: no files: give scenario files or folders (gatecheck lint -h)")
		return exitUsage
	}
	scs, err := scenarios.Load(fs.Args()...)
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintln(stderr, line)
		}
		return exitUsage
	}
	files := map[string]bool{}
	for _, sc := range scs {
		files[sourceFile(sc.Source)] = true
	}
	fmt.Fprintf(stdout, "ok: %d %s in %d %s\n", len(scs), plural(len(scs), "scenario"), len(files), plural(len(files), "file"))
	return exitOK
}

// sourceFile is the file of a "file:line" source.
func sourceFile(source string) string {
	if i := strings.LastIndexByte(source, ':'); i >= 0 {
		return source[:i]
	}
	return source
}

// plural is noun, with an "s" unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}
