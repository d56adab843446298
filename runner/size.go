package runner

import (
	"fmt"

	"github.com/parx-dev/parx/internal/pipe"
)

// ParseSize reads a size in bytes for --memfree as ParseBlockSize reads
// --block (k=1000, K=1024, M, G, T, P; fractions), and refuses a negative
// one.
func ParseSize(s string) (int64, error) {
	n, err := pipe.ParseBlockSize(s)
	if err == nil && n < 0 {
		err = fmt.Errorf("invalid size %q: must not be negative", s)
	}
	return n, err
}
