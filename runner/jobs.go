package runner

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
)

// MaxSlots is what -j 0 ("as many as possible") means.
const MaxSlots = 1024

// ParseJobs reads a -j value: N, +N (cores plus N), -N (cores minus N), N%
// (of cores) or 0 (as many as possible, MaxSlots). The result is at least 1.
func ParseJobs(spec string, cores int) (int, error) {
	s := strings.TrimSpace(spec)
	bad := fmt.Errorf("invalid number of jobs %q: want N, +N, -N, N%% or 0", spec)
	if s == "" {
		return 0, bad
	}
	if strings.HasSuffix(s, "%") {
		f, err := strconv.ParseFloat(s[:len(s)-1], 64)
		if err != nil || f < 0 {
			return 0, bad
		}
		return max(1, int(float64(cores)*f/100)), nil
	}
	if s[0] == '+' || s[0] == '-' {
		n, err := strconv.Atoi(s[1:])
		if err != nil || n < 0 {
			return 0, bad
		}
		if s[0] == '+' {
			return cores + n, nil
		}
		if cores-n < 1 {
			return 0, fmt.Errorf("cannot run any jobs: -j %s leaves none of %d CPU cores", s, cores)
		}
		return cores - n, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, bad
	}
	if n == 0 {
		return MaxSlots, nil
	}
	return n, nil
}

// JobsFile returns a function that re-reads a -j FILE each time it is
// called, so the number of jobs can be changed while parx runs. A file that
// cannot be read or parsed keeps the last good number.
func JobsFile(path string, cores int) (func() int, error) {
	read := func() (int, error) {
		b, err := os.ReadFile(path)
		if err != nil {
			return 0, err
		}
		return ParseJobs(string(b), cores)
	}
	first, err := read()
	if err != nil {
		return nil, fmt.Errorf("-j %s: %w", path, err)
	}
	var mu sync.Mutex
	last := first
	return func() int {
		mu.Lock()
		defer mu.Unlock()
		if n, err := read(); err == nil {
			last = n
		}
		return last
	}, nil
}
