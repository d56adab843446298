package runner

import (
	"fmt"
	"math"
	"strconv"
	"strings"
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

// ParseHalt reads a --halt value as GNU parallel does: never, or
// WHEN,WHY=N or WHEN,WHY=N% with WHEN soon or now and WHY fail, success or
// done; and the legacy numbers 0 (never), 1 (soon,fail=1), 2 (now,fail=1),
// -1 (soon,success=1), -2 (now,success=1).
func ParseHalt(s string) (Halt, error) {
	switch s {
	case "never", "0":
		return Halt{}, nil
	case "1":
		return Halt{When: HaltSoon, Count: 1}, nil
	case "2":
		return Halt{When: HaltNow, Count: 1}, nil
	case "-1":
		return Halt{When: HaltSoon, Why: HaltOnSuccess, Count: 1}, nil
	case "-2":
		return Halt{When: HaltNow, Why: HaltOnSuccess, Count: 1}, nil
	}
	bad := func(why string) (Halt, error) {
		return Halt{}, fmt.Errorf("invalid --halt %q: %s", s, why)
	}
	when, rest, ok := strings.Cut(s, ",")
	var h Halt
	switch when {
	case "soon":
		h.When = HaltSoon
	case "now":
		h.When = HaltNow
	default:
		return bad("want never, soon,… or now,…")
	}
	if !ok {
		return bad("want " + when + ",fail=N, success=N or done=N (N may be a percentage)")
	}
	why, num, ok := strings.Cut(rest, "=")
	switch why {
	case "fail":
		h.Why = HaltOnFail
	case "success":
		h.Why = HaltOnSuccess
	case "done":
		h.Why = HaltOnDone
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
}

func (e *HaltError) Error() string {
	return fmt.Sprintf("halted by --halt %s after job %d", e.Policy, e.Seq)
}

// percentFailed is the share of failed jobs, rounded up, as GNU parallel's
// exit status with a percentage halt policy.
func percentFailed(failed, total int) int {
	if total <= 0 || failed <= 0 {
		return 0
	}
	return int(math.Ceil(float64(failed) * 100 / float64(total)))
}
