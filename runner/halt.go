package runner

import (
	"fmt"
	"math"
	"strconv"
)

// HaltWhen says what a halted run does with the jobs still running.
type HaltWhen int

const (
	// HaltNever runs every job whatever happens; the zero value.
	HaltNever HaltWhen = iota
	// HaltSoon starts no new jobs and waits for the running ones.
	HaltSoon
	// HaltNow kills the running jobs (with the Pool's TermSeq).
	HaltNow
)

// HaltWhy says which finished jobs count towards a Halt's threshold.
type HaltWhy int

const (
	// HaltOnFail counts failed jobs; the zero value.
	HaltOnFail HaltWhy = iota
	// HaltOnSuccess counts jobs that succeeded.
	HaltOnSuccess
	// HaltOnDone counts every finished job.
	HaltOnDone
)

// Halt is a --halt policy: stop the run once Count jobs (or Percent per
// cent of all jobs) have failed, succeeded or finished, as Why says. The
// zero value never halts.
type Halt struct {
	When HaltWhen
	Why  HaltWhy
	// Count is the number of jobs that triggers the halt; used when
	// Percent is zero.
	Count int
	// Percent, when above zero, is the share of all jobs (0-100] that
	// triggers the halt.
	Percent float64
}

// String gives the policy in --halt syntax.
func (h Halt) String() string {
	if h.When == HaltNever {
		return "never"
	}
	when := map[HaltWhen]string{HaltSoon: "soon", HaltNow: "now"}[h.When]
	why := map[HaltWhy]string{HaltOnFail: "fail", HaltOnSuccess: "success", HaltOnDone: "done"}[h.Why]
	if h.Percent > 0 {
		return fmt.Sprintf("%s,%s=%s%%", when, why, strconv.FormatFloat(h.Percent, 'f', -1, 64))
	}
	return fmt.Sprintf("%s,%s=%d", when, why, h.Count)
}

// reached reports whether the policy halts the run, given how many jobs have
// failed and succeeded so far and how many there are in all (0 when not
// known; percentages are then of the finished jobs).
func (h Halt) reached(failed, succeeded, total int) bool {
	if h.When == HaltNever {
		return false
	}
	n := failed
	switch h.Why {
	case HaltOnSuccess:
		n = succeeded
	case HaltOnDone:
		n = failed + succeeded
	}
	if h.Percent > 0 {
		if total <= 0 {
			total = failed + succeeded
		}
		return total > 0 && float64(n)*100 >= h.Percent*float64(total)
	}
	return n >= h.Count
}

// HaltError is returned by Pool.Run when its Halt policy stopped the run.
// The zero value describes no halt.
type HaltError struct {
	Policy Halt
	// Trigger is the job whose end reached the threshold.
	Seq      int64
	Line     string
	ExitCode int
	Signal   int
	// Failed is how many jobs had failed when the threshold was reached,
	// not counting those that fail while the running ones finish: a
	// percentage policy's exit status is of it.
	Failed int
}

func (e *HaltError) Error() string {
	return fmt.Sprintf("halted by the halt policy %s after job %d", e.Policy, e.Seq)
}

// percentFailed is the share of failed jobs, rounded up, as GNU parallel's
// exit status with a percentage halt policy.
func percentFailed(failed, total int) int {
	if total <= 0 || failed <= 0 {
		return 0
	}
	return int(math.Ceil(float64(failed) * 100 / float64(total)))
}
