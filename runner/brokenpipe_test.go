package runner

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestCheckStdout: in Ungroup mode jobs write to parx's own stdout, so a
// reader that went away is seen only by polling that file.
func TestCheckStdout(t *testing.T) {
	pipe := func(closeReader bool) *os.File {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close(); w.Close() })
		if closeReader {
			r.Close()
		}
		return w
	}
	file, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	tests := []struct {
		name   string
		stdout io.Writer
		tag    string
		epipe  bool
	}{
		{"reader gone", pipe(true), "", true},
		{"reader there", pipe(false), "", false},
		{"regular file", file, "", false},
		{"not a file", io.Discard, "", false},
		{"tagged: parx writes itself", pipe(true), "t", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewPrinter(tt.stdout, os.Stderr)
			if _, err := p.Live(&Job{Seq: 1, Tag: tt.tag}, Ungroup); err != nil {
				t.Fatal(err)
			}
			err := p.CheckStdout()
			if got := errors.Is(err, syscall.EPIPE); got != tt.epipe {
				t.Errorf("CheckStdout() = %v, want EPIPE: %v", err, tt.epipe)
			}
		})
	}
}
