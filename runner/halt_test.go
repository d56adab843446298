package runner

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestHaltReached(t *testing.T) {
	tests := []struct {
		h                        Halt
		failed, succeeded, total int
		want                     bool
	}{
		{Halt{}, 100, 0, 0, false},
		{Halt{When: HaltNow, Count: 1}, 0, 5, 0, false},
		{Halt{When: HaltNow, Count: 1}, 1, 0, 0, true},
		{Halt{When: HaltSoon, Count: 2}, 1, 9, 0, false},
		{Halt{When: HaltSoon, Count: 2}, 2, 9, 0, true},
		{Halt{When: HaltNow, Why: HaltOnSuccess, Count: 1}, 3, 1, 0, true},
		{Halt{When: HaltNow, Why: HaltOnDone, Count: 3}, 1, 1, 0, false},
		{Halt{When: HaltNow, Why: HaltOnDone, Count: 3}, 1, 2, 0, true},
		{Halt{When: HaltNow, Percent: 20}, 1, 0, 10, false},
		{Halt{When: HaltNow, Percent: 20}, 2, 0, 10, true},
		{Halt{When: HaltNow, Percent: 50}, 1, 0, 0, true}, // unknown total: of the finished jobs
		{Halt{When: HaltNow, Percent: 50}, 1, 2, 0, false},
		{Halt{When: HaltSoon, Why: HaltOnDone, Percent: 50}, 1, 1, 5, false},
		{Halt{When: HaltSoon, Why: HaltOnDone, Percent: 50}, 2, 1, 5, true},
	}
	for _, tt := range tests {
		if got := tt.h.reached(tt.failed, tt.succeeded, tt.total); got != tt.want {
			t.Errorf("%s: reached(failed %d, succeeded %d, total %d) = %v, want %v", tt.h, tt.failed, tt.succeeded, tt.total, got, tt.want)
		}
	}
}

func TestExitStatus(t *testing.T) {
	halted := func(h Halt, exit, sig int) *HaltError {
		return &HaltError{Policy: h, ExitCode: exit, Signal: sig}
	}
	failedAt := func(h Halt, failed int) *HaltError {
		return &HaltError{Policy: h, ExitCode: 1, Failed: failed}
	}
	tests := []struct {
		name string
		sum  Summary
		want int
	}{
		{"all ok", Summary{Jobs: 5}, 0},
		{"some failed", Summary{Jobs: 5, Failed: 3}, 3},
		{"100 failed", Summary{Jobs: 500, Failed: 100}, 100},
		{"over 100 failed", Summary{Jobs: 500, Failed: 101}, 101},
		{"fail=1: the job's status", Summary{Failed: 1, Halted: halted(Halt{When: HaltNow, Count: 1}, 4, 0)}, 4},
		{"fail=1: the job's signal", Summary{Failed: 1, Halted: halted(Halt{When: HaltNow, Count: 1}, -1, 9)}, 137},
		{"fail=1: status past 255", Summary{Failed: 1, Halted: halted(Halt{When: HaltNow, Count: 1}, 300, 0)}, 44},
		{"done=1 by a success", Summary{Halted: halted(Halt{When: HaltSoon, Why: HaltOnDone, Count: 1}, 0, 0)}, 0},
		{"fail=3: the count", Summary{Failed: 3, Halted: halted(Halt{When: HaltSoon, Count: 3}, 8, 0)}, 3},
		{"success halts exit 0", Summary{Failed: 7, Halted: halted(Halt{When: HaltNow, Why: HaltOnSuccess, Count: 1}, 0, 0)}, 0},
		{"percent, halted", Summary{Jobs: 3, Failed: 3, KnownJobs: 10, Policy: Halt{When: HaltNow, Percent: 30}, Halted: failedAt(Halt{When: HaltNow, Percent: 30}, 3)}, 30},
		{"soon percent: as it triggered", Summary{Jobs: 8, Failed: 5, KnownJobs: 10, Policy: Halt{When: HaltSoon, Percent: 20}, Halted: failedAt(Halt{When: HaltSoon, Percent: 20}, 2)}, 20},
		{"success percent, never reached", Summary{Jobs: 6, Failed: 5, KnownJobs: 6, Policy: Halt{When: HaltSoon, Why: HaltOnSuccess, Percent: 90}}, 84},
		{"done percent, halted", Summary{Jobs: 4, Failed: 1, KnownJobs: 4, Policy: Halt{When: HaltNow, Why: HaltOnDone, Percent: 50}, Halted: failedAt(Halt{When: HaltNow, Why: HaltOnDone, Percent: 50}, 1)}, 25},
		{"percent, rounded up", Summary{Jobs: 3, Failed: 1, KnownJobs: 3, Policy: Halt{When: HaltSoon, Percent: 90}}, 34},
		{"percent, not halted", Summary{Jobs: 10, Failed: 2, KnownJobs: 10, Policy: Halt{When: HaltNow, Percent: 50}}, 20},
		{"percent, none failed", Summary{Jobs: 10, KnownJobs: 10, Policy: Halt{When: HaltNow, Percent: 50}}, 0},
	}
	for _, tt := range tests {
		if got := tt.sum.ExitStatus(); got != tt.want {
			t.Errorf("%s: ExitStatus() = %d, want %d", tt.name, got, tt.want)
		}
	}
}

// A halt (or SIGHUP) while the next job waits out --delay: that job does not
// start, and the run ends without waiting for the rest of the delay.
func TestPoolHaltDuringDelay(t *testing.T) {
	p := &Pool{Slots: 2, Delay: 10 * time.Second, Halt: Halt{When: HaltSoon, Count: 1}}
	start := time.Now()
	res, err := runLines(t, context.Background(), p, "exit 3", "echo never")
	var he *HaltError
	if !errors.As(err, &he) || len(res) != 1 || res[0].ExitCode != 3 {
		t.Errorf("Run = %v with %d results; want a halt after the failed job only", err, len(res))
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the run took %v: it waited out the --delay after the halt", d)
	}
}

func TestPoolHaltNowCancelsRunning(t *testing.T) {
	p := &Pool{Slots: 2, Halt: Halt{When: HaltNow, Count: 1}}
	var done []int64
	p.OnDone = func(r *Result) { done = append(done, r.Job.Seq) }
	res, err := runLines(t, context.Background(), p, "sleep 0.2; exit 3", "sleep 30", "echo never")
	var he *HaltError
	if !errors.As(err, &he) || he.Seq != 1 || he.ExitCode != 3 {
		t.Fatalf("Run error = %v, want a halt by job 1", err)
	}
	if len(res) != 2 || !res[1].Cancelled || res[0].Cancelled {
		t.Fatalf("want job 1 finished and job 2 cancelled, got %d results", len(res))
	}
	if len(done) != 1 || done[0] != 1 {
		t.Errorf("OnDone saw %v, want only job 1", done)
	}
}

// TestHaltErrorText: the library's error speaks of the policy, not of the
// command line's flags.
func TestHaltErrorText(t *testing.T) {
	e := &HaltError{Policy: Halt{When: HaltNow, Count: 1}, Seq: 3}
	if got, want := e.Error(), "halted by the halt policy now,fail=1 after job 3"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
