package runner

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestMapEmptyCommand: an empty argv is an error before anything runs, not
// a job that runs nothing and passes for a success.
func TestMapEmptyCommand(t *testing.T) {
	for _, cmds := range [][][]string{{{"true"}, {}}, {{""}}} {
		got, err := Map(context.Background(), &Pool{Slots: 1}, cmds)
		if err == nil || !strings.Contains(err.Error(), "empty") || got != nil {
			t.Errorf("Map(%q) = %v, %v; want no results and an error naming the empty command", cmds, got, err)
		}
	}
}

// TestMapTimedOut: a job killed by the Pool's Timeout says so.
func TestMapTimedOut(t *testing.T) {
	got, err := Map(context.Background(), &Pool{Slots: 2, Timeout: 200 * time.Millisecond},
		[][]string{{"sleep", "10"}, {"true"}})
	if err != nil || len(got) != 2 {
		t.Fatalf("Map = %v, %v", got, err)
	}
	if !got[0].TimedOut || got[0].ExitCode == 0 || got[1].TimedOut {
		t.Errorf("results %+v, %+v: want the first timed out (and failed), the second not", got[0], got[1])
	}
}
