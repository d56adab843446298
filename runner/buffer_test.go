package runner

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"sync/atomic"
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

// chunkReader gives its data a few bytes per Read, then err (io.EOF when
// nil), as a pipe gives what the job has written so far.
type chunkReader struct {
	data  []byte
	chunk int
	err   error
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		if c.err != nil {
			return 0, c.err
		}
		return 0, io.EOF
	}
	n := copy(p, c.data[:min(c.chunk, len(c.data))])
	c.data = c.data[n:]
	return n, nil
}

// TestBufferReadFrom: reading a stream straight into the buffer keeps every
// byte in order whether it stays in memory, reaches the threshold exactly,
// spills to a file, or passes the limit shared with other buffers part way.
func TestBufferReadFrom(t *testing.T) {
	data := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('a' + i%26)
		}
		return b
	}
	tests := []struct {
		name        string
		size, chunk int
		threshold   int
		sharedLimit int64 // 0: no shared limit
		wantSpill   bool
	}{
		{"empty", 0, 1, 0, 0, false},
		{"one byte", 1, 1, 0, 0, false},
		{"short, in one read", 300, 4096, 0, 0, false},
		{"grows past the first read", 5000, 700, 0, 0, false},
		{"exactly the threshold", 4096, 1000, 4096, 0, false},
		{"spills past the threshold", 10000, 999, 4096, 0, true},
		{"spills past the shared limit", 3000, 512, 0, 2000, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := data(tt.size)
			b := &Buffer{Threshold: tt.threshold, Dir: t.TempDir()}
			var shared atomic.Int64
			if tt.sharedLimit > 0 {
				b.Shared, b.SharedLimit = &shared, tt.sharedLimit
			}
			n, err := b.ReadFrom(&chunkReader{data: slices.Clone(want), chunk: tt.chunk})
			if err != nil || n != int64(tt.size) || b.Len() != int64(tt.size) {
				t.Fatalf("ReadFrom = %d, %v; Len %d; want %d bytes", n, err, b.Len(), tt.size)
			}
			if spilled := b.file != nil; spilled != tt.wantSpill {
				t.Errorf("spilled to a file: %v, want %v", spilled, tt.wantSpill)
			}
			got, err := b.Bytes()
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("Bytes = %d bytes, %v; want the %d bytes read, in order", len(got), err, len(want))
			}
			if b.Shared != nil && shared.Load() != int64(len(b.mem)) {
				t.Errorf("shared count %d, but %d bytes are in memory", shared.Load(), len(b.mem))
			}
			b.Close()
		})
	}
}

// TestBufferReadFromError: a read error other than end of file is
// returned, with what came before it kept.
func TestBufferReadFromError(t *testing.T) {
	b := &Buffer{}
	boom := errors.New("boom")
	n, err := b.ReadFrom(&chunkReader{data: []byte("abc"), chunk: 2, err: boom})
	if !errors.Is(err, boom) || n != 3 {
		t.Errorf("ReadFrom = %d, %v; want 3, boom", n, err)
	}
	if got, _ := b.Bytes(); string(got) != "abc" {
		t.Errorf("kept %q, want abc", got)
	}
}
