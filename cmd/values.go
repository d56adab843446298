package cmd

// Parsers for the values of GNU parallel's options (-j, --halt, sizes, -d,
// --trim). They live here, not in runner, because they are command-line
// syntax: runner takes the values they produce.

import (
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/parx-dev/parx/internal/pipe"
	"github.com/parx-dev/parx/runner"
)

// maxSlots is what -j 0 ("as many as possible") means.
const maxSlots = 1024

// parseJobs reads a -j value: N, +N (cores plus N), -N (cores minus N), N%
// (of cores) or 0 (as many as possible, maxSlots). The result is at least 1.
func parseJobs(spec string, cores int) (int, error) {
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
		return maxSlots, nil
	}
	return n, nil
}

// jobsFile returns a function that re-reads a -j FILE each time it is
// called, so the number of jobs can be changed while parx runs. A file that
// cannot be read or parsed keeps the last good number.
func jobsFile(path string, cores int) (func() int, error) {
	read := func() (int, error) {
		b, err := os.ReadFile(path)
		if err != nil {
			return 0, err
		}
		return parseJobs(string(b), cores)
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

// parseHalt reads a --halt value as GNU parallel does: never, or
// WHEN,WHY=N or WHEN,WHY=N% with WHEN soon or now and WHY fail, success or
// done; and the legacy numbers 0 (never), 1 (soon,fail=1), 2 (now,fail=1),
// -1 (soon,success=1), -2 (now,success=1).
func parseHalt(s string) (runner.Halt, error) {
	switch s {
	case "never", "0":
		return runner.Halt{}, nil
	case "1":
		return runner.Halt{When: runner.HaltSoon, Count: 1}, nil
	case "2":
		return runner.Halt{When: runner.HaltNow, Count: 1}, nil
	case "-1":
		return runner.Halt{When: runner.HaltSoon, Why: runner.HaltOnSuccess, Count: 1}, nil
	case "-2":
		return runner.Halt{When: runner.HaltNow, Why: runner.HaltOnSuccess, Count: 1}, nil
	}
	bad := func(why string) (runner.Halt, error) {
		return runner.Halt{}, fmt.Errorf("invalid --halt %q: %s", s, why)
	}
	when, rest, ok := strings.Cut(s, ",")
	var h runner.Halt
	switch when {
	case "soon":
		h.When = runner.HaltSoon
	case "now":
		h.When = runner.HaltNow
	default:
		return bad("want never, soon,… or now,…")
	}
	if !ok {
		return bad("want " + when + ",fail=N, success=N or done=N (N may be a percentage)")
	}
	why, num, ok := strings.Cut(rest, "=")
	switch why {
	case "fail":
		h.Why = runner.HaltOnFail
	case "success":
		h.Why = runner.HaltOnSuccess
	case "done":
		h.Why = runner.HaltOnDone
	default:
		return bad("want fail=, success= or done= after " + when + ",")
	}
	if !ok || num == "" {
		return bad("want a number after " + why + "=")
	}
	if p, isPct := strings.CutSuffix(num, "%"); isPct {
		f, err := strconv.ParseFloat(p, 64)
		if err != nil || math.IsNaN(f) || f <= 0 || f > 100 {
			return bad("the percentage must be above 0 and at most 100")
		}
		h.Percent = f
		return h, nil
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 {
		return bad("the count must be a whole number of at least 1")
	}
	h.Count = n
	return h, nil
}

// parseSize reads a size in bytes for --memfree as ParseBlockSize reads
// --block (k=1000, K=1024, M, G, T, P; fractions), and refuses a negative
// one.
func parseSize(s string) (int64, error) {
	n, err := pipe.ParseBlockSize(s)
	if err == nil && n < 0 {
		err = fmt.Errorf("invalid size %q: must not be negative", s)
	}
	return n, err
}

// parseDelimiter turns a -d argument into bytes, understanding the escapes
// \n \t \r \0 \\ and \xHH.
func parseDelimiter(s string) (string, error) {
	if s == "" {
		return "", errors.New("delimiter is empty")
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '0':
			b.WriteByte(0)
		case '\\':
			b.WriteByte('\\')
		case 'x':
			if i+2 < len(s)+0 && isHex(s[i+1]) && isHex(s[i+2]) {
				b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
				i += 2
			} else {
				return "", fmt.Errorf("bad escape in delimiter %q", s)
			}
		default:
			b.WriteByte('\\')
			b.WriteByte(s[i])
		}
	}
	return b.String(), nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// parseTrim reads GNU's --trim argument: n, l, r, lr or rl.
func parseTrim(s string) (runner.Trim, error) {
	switch s {
	case "n", "":
		return runner.Trim{}, nil
	case "l":
		return runner.Trim{Left: true}, nil
	case "r":
		return runner.Trim{Right: true}, nil
	case "lr", "rl":
		return runner.Trim{Left: true, Right: true}, nil
	}
	return runner.Trim{}, fmt.Errorf("--trim must be one of n, l, r, lr, rl; not %q", s)
}
