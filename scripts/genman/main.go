// Command genman writes parx's man page, generated from its cobra command
// tree, to doc/parx.1 (or to the file named by its argument):
//
//	go run ./scripts/genman
//
// TestManPage in package cmd fails when doc/parx.1 is out of date.
package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/parx-dev/parx/cmd"
)

func main() {
	out := "doc/parx.1"
	if len(os.Args) > 1 {
		out = os.Args[1]
	}
	var b bytes.Buffer
	if err := cmd.WriteManPage(&b); err != nil {
		fmt.Fprintf(os.Stderr, "genman: %v\n", err)
		os.Exit(1)
	}
	if err := os.WriteFile(out, b.Bytes(), 0o644); err != nil {
		fmt.Fprintf(os.Stderr, "genman: %v\n", err)
		os.Exit(1)
	}
}
