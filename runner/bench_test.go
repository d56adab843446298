package runner

import (
	"context"
	"io"
	"testing"
)

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
