// Command genman writes parx's man page, generated from its cobra command
// tree, to doc/parx.1 (or to the file named by its argument):
//
//	go run ./scripts/genman
//
// Its test fails when doc/parx.1 is out of date. It is a separate program
// so that the man page generator's dependencies (a Markdown renderer and
// more) are not linked into parx, where they would slow every start.
package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra/doc"

	"github.com/parx-dev/parx/cmd"
)

func main() {
	out := "doc/parx.1"
	if len(os.Args) > 1 {
		out = os.Args[1]
	}
	var b bytes.Buffer
	if err := writeManPage(&b); err != nil {
		fmt.Fprintf(os.Stderr, "genman: %v\n", err)
		os.Exit(1)
	}
	if err := os.WriteFile(out, b.Bytes(), 0o644); err != nil {
		fmt.Fprintf(os.Stderr, "genman: %v\n", err)
		os.Exit(1)
	}
}

// manDate is the date the man page carries, fixed so that the page is the
// same whenever it is generated.
var manDate = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

// writeManPage writes the man page (troff) made from parx's command tree.
func writeManPage(w io.Writer) error {
	date := manDate
	return doc.GenMan(cmd.CommandTree(), &doc.GenManHeader{
		Title: "PARX", Section: "1", Date: &date, Source: "parx " + cmd.Version, Manual: "parx manual",
	}, w)
}
