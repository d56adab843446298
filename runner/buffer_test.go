package runner

import (
	"strings"
	"testing"
)

// TestBufferSpillError: a spill that cannot be made is an error, never
// silently lost output.
func TestBufferSpillError(t *testing.T) {
	b := &Buffer{Threshold: 4, Dir: "/nonexistent"}
	if _, err := b.Write([]byte("abc")); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Write([]byte("defg")); err == nil || !strings.Contains(err.Error(), "saving job output") {
		t.Errorf("Write past the threshold into a missing dir: %v", err)
	}
}
