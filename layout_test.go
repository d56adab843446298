package main

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportDirection keeps the layout's rule: imports go cmd → runner →
// its internal packages → subproc, never back, and nothing below cmd knows
// about flags or terminals.
func TestImportDirection(t *testing.T) {
	const mod = "github.com/parx-dev/parx/"
	forbidden := map[string][]string{
		// package directory: import path prefixes it must not use
		"runner":   {mod + "cmd", "github.com/spf13/", "github.com/schollz/progressbar", "golang.org/x/term"},
		"internal": {mod + "cmd", mod + "runner", "github.com/spf13/", "github.com/schollz/progressbar", "golang.org/x/term"},
		"subproc":  {mod + "cmd", mod + "runner", mod + "internal", "github.com/spf13/", "github.com/schollz/progressbar", "golang.org/x/term"},
	}
	checked := 0
	for dir, bad := range forbidden {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
				return err
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
			if err != nil {
				return err
			}
			checked++
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				for _, b := range bad {
					if strings.HasPrefix(p, b) {
						t.Errorf("%s imports %s, against the layout (%s must not import %s)", path, p, dir, b)
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if checked < 20 {
		t.Fatalf("only %d Go files checked: the test is not looking where the packages are", checked)
	}
}
