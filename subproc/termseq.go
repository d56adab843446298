package subproc

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// TermStep is one step of a termination sequence: Signal is sent to the
// job's whole process group, then Run waits up to Wait for the job to exit
// before taking the next step. The zero value sends signal 0, which kills
// nothing, and does not wait.
type TermStep struct {
	Signal syscall.Signal
	Wait   time.Duration
}

// maxSignal is the highest signal number Linux accepts (_NSIG-1); anything
// above would make kill(2) fail with EINVAL on every step.
const maxSignal = 64

// DefaultTermSeq returns GNU parallel's default termination sequence,
// TERM,200,TERM,100,TERM,50,KILL,25 (milliseconds). Each call returns a new
// slice, so callers may modify it.
func DefaultTermSeq() []TermStep {
	return []TermStep{
		{syscall.SIGTERM, 200 * time.Millisecond},
		{syscall.SIGTERM, 100 * time.Millisecond},
		{syscall.SIGTERM, 50 * time.Millisecond},
		{syscall.SIGKILL, 25 * time.Millisecond},
	}
}

// ParseTermSeq parses GNU parallel's --termseq syntax, "SIG,MS,SIG,MS,...".
// SIG is a signal name with or without the SIG prefix, in any case (TERM,
// SIGTERM, int, KILL, HUP, ...), or a signal number from 1 to 64; MS is a
// non-negative integer number of milliseconds. A trailing signal without MS
// gets Wait 0. Spaces around elements are ignored. The empty string is an
// error: a sequence that never signals must be asked for explicitly with an
// empty, non-nil Cmd.TermSeq.
func ParseTermSeq(s string) ([]TermStep, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("invalid termseq %q: empty", s)
	}
	elems := strings.Split(s, ",")
	steps := make([]TermStep, 0, (len(elems)+1)/2)
	for i := 0; i < len(elems); i += 2 {
		sig, err := parseSignal(strings.TrimSpace(elems[i]))
		if err != nil {
			return nil, fmt.Errorf("invalid termseq %q: %w", s, err)
		}
		step := TermStep{Signal: sig}
		if i+1 < len(elems) {
			ms := strings.TrimSpace(elems[i+1])
			n, err := strconv.ParseUint(ms, 10, 63)
			// The bound keeps ms*time.Millisecond from overflowing.
			if err != nil || n > math.MaxInt64/uint64(time.Millisecond) {
				return nil, fmt.Errorf("invalid termseq %q: %q is not a number of milliseconds", s, ms)
			}
			step.Wait = time.Duration(n) * time.Millisecond
		}
		steps = append(steps, step)
	}
	return steps, nil
}

// parseSignal accepts what GNU parallel (Perl's kill) accepts, plus the SIG
// prefix and lower case, which users type out of habit from kill(1).
func parseSignal(s string) (syscall.Signal, error) {
	if s != "" && s[0] >= '0' && s[0] <= '9' {
		n, err := strconv.ParseUint(s, 10, 8)
		if err != nil || n < 1 || n > maxSignal {
			return 0, fmt.Errorf("%q is not a signal number (1-%d)", s, maxSignal)
		}
		return syscall.Signal(n), nil
	}
	name := strings.ToUpper(s)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	if sig := unix.SignalNum(name); sig != 0 {
		return sig, nil
	}
	return 0, fmt.Errorf("%q is not a signal", s)
}
