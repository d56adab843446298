package runner

import (
	"context"
	"io"
	"strings"
	"testing"
)

func BenchmarkTemplateArgv(b *testing.B) {
	t, err := ParseTemplate([]string{"convert", "{}", "-resize", "50%", "out/{/.}.png"}, TemplateOptions{})
	if err != nil {
		b.Fatal(err)
	}
	a := &Args{Records: [][]string{{"photos/2024/img_0001.jpg"}}, Seq: 1, Slot: 1}
	b.ReportAllocs()
	for b.Loop() {
		t.Argv(a)
	}
}

func BenchmarkTemplateLine(b *testing.B) {
	t, err := ParseTemplate([]string{"convert {} -resize 50% out/{/.}.png | cat"}, TemplateOptions{})
	if err != nil {
		b.Fatal(err)
	}
	a := &Args{Records: [][]string{{"photos/my 2024/img_0001.jpg"}}, Seq: 1, Slot: 1}
	b.ReportAllocs()
	for b.Loop() {
		t.Line(a)
	}
}

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

// BenchmarkPoolTrue measures the whole per-job cost of the pool: expand
// nothing, start /bin/true, collect, emit in order.
func BenchmarkPoolTrue(b *testing.B) {
	p := &Pool{Slots: 2, KeepOrder: true}
	n := 0
	src := JobSourceFunc(func(int) (*Job, error) {
		if n >= b.N {
			return nil, io.EOF
		}
		n++
		return &Job{Argv: []string{"true"}}, nil
	})
	b.ResetTimer()
	if err := p.Run(context.Background(), src, func(*Result) error { return nil }); err != nil {
		b.Fatal(err)
	}
}
