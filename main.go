// Command parx runs jobs in parallel: a GNU-parallel-compatible job runner.
// All behaviour lives in package cmd; main only hands over to it and exits
// with the status it returns.
package main

import (
	"os"

	"github.com/parx-dev/parx/cmd"
)

func main() {
	os.Exit(cmd.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
