package main

import (
	"bytes"
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite doc/parx.1 from the command tree")

// TestManPage keeps doc/parx.1 in sync with the flags: regenerate it with
// go run ./scripts/genman (or go test ./scripts/genman -update).
func TestManPage(t *testing.T) {
	var b bytes.Buffer
	if err := writeManPage(&b); err != nil {
		t.Fatal(err)
	}
	const file = "../../doc/parx.1"
	if *update {
		if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, b.Bytes()) {
		t.Errorf("%s is out of date: run go run ./scripts/genman", file)
	}
	for _, s := range []string{".TH \"PARX\" \"1\"", "--line-buffer", "--results", "--bar"} {
		if !bytes.Contains(b.Bytes(), []byte(s)) {
			t.Errorf("man page lacks %q", s)
		}
	}
}
