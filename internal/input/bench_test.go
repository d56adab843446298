package input

import (
	"io"
	"strings"
	"testing"
)

func BenchmarkReaderSource(b *testing.B) {
	input := strings.Repeat("some/path/to/a/file-name.txt\n", 10000)
	b.SetBytes(int64(len(input)))
	b.ReportAllocs()
	for b.Loop() {
		s := NewReaderSource(strings.NewReader(input), "bench", ReaderOptions{})
		for {
			if _, err := s.Next(); err == io.EOF {
				break
			}
		}
	}
}
