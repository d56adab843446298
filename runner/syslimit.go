package runner

import "fmt"

// Per-job costs the system limits are divided by. A job holds two pipes'
// read ends and two pidfds (os/exec's and subproc's) and may spill each
// stream to a temp file; a shell job is the shell plus the program it
// starts, and the shell's own fork must not be the one that fails.
const (
	fdsPerJob   = 6
	fdsReserved = 16 // joblog, results files, a starting job's pipes
	procsPerJob = 2
)

// slotLimit is how many jobs a system limit leaves room for.
type slotLimit struct {
	slots int    // 0: no limit applies
	what  string // "available processes", "file handles"
	hint  string // how to raise it
}

// warning is the one line said when the limit lowers the requested slots.
func (l slotLimit) warning() string {
	return fmt.Sprintf("parx: warning: only enough %s to run %d jobs in parallel; %s", l.what, l.slots, l.hint)
}

// tighter returns the smaller of two limits, no limit being the largest.
func (l slotLimit) tighter(o slotLimit) slotLimit {
	switch {
	case l.slots == 0:
		return o
	case o.slots == 0 || l.slots <= o.slots:
		return l
	}
	return o
}
