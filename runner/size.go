package runner

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ParseSize reads a size in bytes as GNU parallel does for --memfree and
// --block: a number, possibly fractional, with an optional suffix k, m, g,
// t, p (powers of 1000) or K, M, G, T, P (powers of 1024).
func ParseSize(s string) (int64, error) {
	num, mult := s, 1.0
	if n := len(s); n > 0 {
		i := strings.IndexByte("kmgtpKMGTP", s[n-1])
		if i >= 0 {
			num = s[:n-1]
			base := 1000.0
			if i >= 5 {
				base, i = 1024, i-5
			}
			mult = math.Pow(base, float64(i+1))
		}
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f*mult >= math.MaxInt64 {
		return 0, fmt.Errorf("invalid size %q: want a number of bytes with an optional k, K, M, G, T or P suffix", s)
	}
	return int64(f * mult), nil
}
