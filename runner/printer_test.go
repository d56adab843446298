package runner

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"unicode/utf8"
)

// TestUTF8Checker feeds text in every split into two writes.
func TestUTF8Checker(t *testing.T) {
	for _, s := range []string{"", "plain", "é€𝄞 mixed", "bad \xff byte", "cut \xe2\x82", "\xe2\x82\xac"} {
		for i := 0; i <= len(s); i++ {
			u := &utf8Checker{valid: true}
			u.Write([]byte(s[:i]))
			u.Write([]byte(s[i:]))
			if got := u.valid && len(u.carry) == 0; got != utf8.ValidString(s) {
				t.Errorf("%q split at %d: valid = %v", s, i, got)
			}
		}
	}
}

// TestLineWriter: whole lines only, from concurrent writers, with tags;
// a partial line is printed at the end as it is.
func TestLineWriter(t *testing.T) {
	var out, errb bytes.Buffer
	p := NewPrinter(&out, &errb)
	var wg sync.WaitGroup
	for _, tag := range []string{"x", "y"} {
		jo, err := p.Live(&Job{Seq: 1, Tag: tag}, LineBuffer)
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				jo.Stdout.Write([]byte("ab"))
				jo.Stdout.Write([]byte("c\nde"))
				jo.Stdout.Write([]byte("f\n"))
			}
			if err := jo.Close(); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	jo, _ := p.Live(&Job{Seq: 2, Tag: "z"}, LineBuffer)
	jo.Stdout.Write([]byte("ta"))
	jo.Stdout.Write([]byte("il"))
	jo.Close()
	lines := strings.Split(out.String(), "\n")
	counts := map[string]int{}
	for _, l := range lines {
		counts[l]++
	}
	for _, tag := range []string{"x", "y"} {
		if counts[tag+"\tabc"] != 500 || counts[tag+"\tdef"] != 500 {
			t.Errorf("tag %s: counts %v", tag, counts)
		}
	}
	if !strings.HasSuffix(out.String(), "\nz\ttail") || len(lines) != 2001 {
		t.Errorf("%d lines; partial lines: %q", len(lines), lines[len(lines)-1])
	}
}

// TestLineWriterOrdered: with Ordered, a later job's output waits for Done.
func TestLineWriterOrdered(t *testing.T) {
	var out bytes.Buffer
	p := NewPrinter(&out, &out)
	p.Ordered = true
	j1, _ := p.Live(&Job{Seq: 1}, LineBuffer)
	j2, _ := p.Live(&Job{Seq: 2}, LineBuffer)
	j2.Stdout.Write([]byte("two\npart"))
	j2.Close()
	j1.Stdout.Write([]byte("one\n"))
	if out.String() != "one\n" {
		t.Fatalf("before Done: %q", out.String())
	}
	j1.Close()
	if err := p.Done(1); err != nil {
		t.Fatal(err)
	}
	if out.String() != "one\ntwo\npart" {
		t.Errorf("after Done: %q", out.String())
	}
}

// TestLineWriterDrop: a cancelled job's held output is never printed, and
// the next job goes live.
func TestLineWriterDrop(t *testing.T) {
	var out bytes.Buffer
	p := NewPrinter(&out, &out)
	p.Ordered = true
	j1, _ := p.Live(&Job{Seq: 1}, LineBuffer)
	j2, _ := p.Live(&Job{Seq: 2}, LineBuffer)
	j3, _ := p.Live(&Job{Seq: 3}, LineBuffer)
	j2.Stdout.Write([]byte("two\n"))
	j3.Stdout.Write([]byte("three\n"))
	j1.Close()
	p.Done(1)
	p.Drop(3) // cancelled while waiting: never printed
	j2.Stdout.Write([]byte("more\n"))
	j2.Close()
	p.Done(2)
	if out.String() != "two\nmore\n" {
		t.Errorf("output %q", out.String())
	}
}

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
