package runner

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"
)

func TestNULEscaper(t *testing.T) {
	tests := []struct {
		name string
		in   [][]string
		want [][]string
		warn bool
	}{
		{"none", [][]string{{"a", "b c"}}, [][]string{{"a", "b c"}}, false},
		{"inside", [][]string{{"a\x00b"}}, [][]string{{`a\0b`}}, true},
		{"at position 0", [][]string{{"\x00x"}}, [][]string{{`\0x`}}, true},
		{"at the end", [][]string{{"x\x00"}}, [][]string{{`x\0`}}, true},
		{"only NULs", [][]string{{"\x00\x00"}}, [][]string{{`\0\0`}}, true},
		{"one column of several", [][]string{{"a", "b\x00"}}, [][]string{{"a", `b\0`}}, true},
		{"warned once", [][]string{{"\x00"}, {"ok"}, {"\x00", "\x00"}}, [][]string{{`\0`}, {"ok"}, {`\0`, `\0`}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			n := &nulEscaper{in: &sliceRecords{recs: tt.in}, w: &stderr}
			got, err := readAll(n)
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
			want := ""
			if tt.warn {
				want = NULWarning + "\n"
			}
			if stderr.String() != want {
				t.Errorf("stderr %q, want %q", stderr.String(), want)
			}
		})
	}
}

// TestRunNUL: a NUL in stdin input no longer fails the job; it runs with
// \0 in its place, with one warning for the run.
func TestRunNUL(t *testing.T) {
	var stdout, stderr bytes.Buffer
	cfg := Config{
		Command: []string{"echo"},
		Sources: []SourceSpec{{Source: NewReaderSource(strings.NewReader("a\x00b\nc\n\x00\n"), "stdin", ReaderOptions{})}},
		Pool:    Pool{Slots: 1, KeepOrder: true},
		Stdout:  &stdout, Stderr: &stderr,
	}
	sum, err := Run(context.Background(), cfg)
	if err != nil || sum.Failed != 0 || sum.Jobs != 3 {
		t.Fatalf("Run: %+v, %v", sum, err)
	}
	if got, want := stdout.String(), "a\\0b\nc\n\\0\n"; got != want {
		t.Errorf("stdout %q, want %q", got, want)
	}
	if got := stderr.String(); got != NULWarning+"\n" {
		t.Errorf("stderr %q, want the warning once", got)
	}
}
