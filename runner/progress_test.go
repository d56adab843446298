package runner

import (
	"strings"
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
