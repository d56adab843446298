package main

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/parx-dev/parx/cmd"
)

// TestMain lets the test binary double as the parx command, so that the
// testscript scripts and the differential tests run the real main() with
// "parx" found in $PATH.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"parx": func() { os.Exit(cmd.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: false,
	})
}
