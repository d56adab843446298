package runner

import (
	"bytes"
	"context"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestKnownTotal(t *testing.T) {
	vals := func(v ...string) SourceSpec { return SourceSpec{Source: &SliceSource{Values: v}} }
	tests := []struct {
		cfg  Config
		want int64
	}{
		{Config{Command: []string{"echo"}, Sources: []SourceSpec{vals("a", "b", "c")}}, 3},
		{Config{Command: []string{"echo"}, Sources: []SourceSpec{vals("a", "b"), vals("1", "2", "3")}}, 6},
		{Config{Command: []string{"echo"}, Sources: []SourceSpec{vals("a", "b"), {Source: &SliceSource{Values: []string{"1", "2", "3"}}, Pair: true}}}, 2},
		{Config{Command: []string{"echo"}, Sources: []SourceSpec{{Source: &SliceSource{Values: []string{"a", "STOP", "b"}, EOF: "STOP", HasEOF: true}}}}, 1},
		{Config{Command: []string{"echo"}, Sources: []SourceSpec{vals("a", "b", "c")}, Batch: BatchOptions{MaxArgs: 2, MaxArgsSet: true}}, 0},
		{Config{Command: []string{"echo"}, Sources: []SourceSpec{{Source: NewReaderSource(strings.NewReader("a\n"), "stdin", ReaderOptions{})}}}, 0},
		{Config{Sources: []SourceSpec{vals("echo a")}}, 0},
	}
	for i, tt := range tests {
		if got := knownTotal(&tt.cfg); got != tt.want {
			t.Errorf("case %d: knownTotal = %d, want %d", i, got, tt.want)
		}
	}
}

// lockedBuffer is a bytes.Buffer safe for a writer and a reader in two
// goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestProgressCountsDelivered: a job is done for the progress counts when
// its output is out. Under -k the quick second job ends first but waits
// for the slow first one, so when the count first reaches one, the first
// job's output must already be printed.
func TestProgressCountsDelivered(t *testing.T) {
	var stdout lockedBuffer
	var mu sync.Mutex
	var printedAtDone []string // stdout as it was each time Done grew
	lastDone := int64(0)
	cfg := Config{
		Command: []string{"sleep {}; echo job{}"},
		Sources: []SourceSpec{src("0.5", "0")},
		Stdout:  &stdout, Stderr: io.Discard,
		Progress: func(p Progress) {
			mu.Lock()
			defer mu.Unlock()
			if p.Done > lastDone {
				lastDone = p.Done
				printedAtDone = append(printedAtDone, stdout.String())
			}
		},
	}
	cfg.Pool.Slots = 2
	cfg.Pool.KeepOrder = true
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	want := []string{"job0.5\n", "job0.5\njob0\n"}
	if !slices.Equal(printedAtDone, want) {
		t.Errorf("stdout when Done grew: %q, want %q", printedAtDone, want)
	}
}
