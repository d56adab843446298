package runner

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// callerHooks records what a library caller's own Pool hooks saw.
type callerHooks struct {
	mu                    sync.Mutex
	started, done, halted int
	lastStart             int
}

func (c *callerHooks) install(p *Pool) {
	p.OnStart = func(*Job, int) { c.mu.Lock(); c.started++; c.mu.Unlock() }
	p.OnDone = func(*Result) { c.mu.Lock(); c.done++; c.mu.Unlock() }
	p.OnHalt = func(*HaltError, int) { c.mu.Lock(); c.halted++; c.mu.Unlock() }
	p.OnLastStart = func() { c.mu.Lock(); c.lastStart++; c.mu.Unlock() }
}

// Every stage of a run that watches the pool (the round-robin dealer, -t,
// the progress counts, the joblog, --halt) and a library caller's own hooks
// all see the jobs together: none replaces another. -t used to overwrite the
// dealer's hook, and --pipe --round-robin -t hung.
func TestHooksCompose(t *testing.T) {
	lines := strings.Repeat("x\n", 2000)
	robin := func(cfg *Config) {
		cfg.Pipe = &PipeOptions{Input: strings.NewReader(lines), BlockSize: 100, RoundRobin: true}
		cfg.Command = []string{"wc", "-l"}
		cfg.Pool.Slots = 3
	}
	features := []struct {
		name  string
		apply func(*Config, *bytes.Buffer)
		check func(t *testing.T, stderr string, log *bytes.Buffer, progress []Progress)
	}{
		{"trace", func(cfg *Config, _ *bytes.Buffer) { cfg.Trace = true }, func(t *testing.T, stderr string, _ *bytes.Buffer, _ []Progress) {
			if !strings.Contains(stderr, "wc -l") && !strings.Contains(stderr, "echo") {
				t.Errorf("-t printed no command: %q", stderr)
			}
		}},
		{"progress", func(cfg *Config, _ *bytes.Buffer) {}, func(t *testing.T, _ string, _ *bytes.Buffer, progress []Progress) {
			if len(progress) == 0 || progress[len(progress)-1].Done == 0 {
				t.Errorf("progress counts: %+v", progress)
			}
		}},
		{"joblog", func(cfg *Config, log *bytes.Buffer) {
			jl, err := NewJobLog(log, true)
			if err != nil {
				t.Fatal(err)
			}
			cfg.JobLog = jl
		}, func(t *testing.T, _ string, log *bytes.Buffer, _ []Progress) {
			if n := strings.Count(log.String(), "\n"); n < 2 {
				t.Errorf("joblog has %d lines: %q", n, log.String())
			}
		}},
		{"halt", func(cfg *Config, _ *bytes.Buffer) {
			cfg.Pool.Halt = Halt{When: HaltSoon, Why: HaltOnDone, Count: 1}
		}, func(*testing.T, string, *bytes.Buffer, []Progress) {}},
	}
	for _, withRobin := range []bool{true, false} {
		for _, f := range features {
			name := f.name
			if withRobin {
				name = "round-robin+" + name
			}
			t.Run(name, func(t *testing.T) {
				var caller callerHooks
				var stdout, stderr, log bytes.Buffer
				var progress []Progress
				var pmu sync.Mutex
				cfg := Config{
					Command: []string{"echo"},
					Sources: []SourceSpec{src("1", "2", "3", "4", "5", "6")},
					Stdout:  &stdout, Stderr: &stderr,
					Progress: func(p Progress) { pmu.Lock(); progress = append(progress, p); pmu.Unlock() },
				}
				cfg.Pool.Slots = 2
				if withRobin {
					robin(&cfg)
				}
				caller.install(&cfg.Pool)
				f.apply(&cfg, &log)
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				sum, err := Run(ctx, cfg)
				if ctx.Err() != nil {
					t.Fatal("the run hung")
				}
				if err != nil {
					t.Fatal(err)
				}
				if withRobin && f.name != "halt" {
					total := 0
					for _, l := range strings.Fields(stdout.String()) {
						n, _ := strconv.Atoi(l)
						total += n
					}
					if total != 2000 {
						t.Errorf("round-robin jobs counted %d lines, want 2000", total)
					}
				}
				caller.mu.Lock()
				defer caller.mu.Unlock()
				if caller.started == 0 || caller.done != sum.Jobs || caller.lastStart != 1 {
					t.Errorf("caller's hooks: %d started, %d done, %d last-start; summary %+v", caller.started, caller.done, caller.lastStart, sum)
				}
				if f.name == "halt" && caller.halted != 1 {
					t.Errorf("caller's OnHalt ran %d times, want 1", caller.halted)
				}
				f.check(t, stderr.String(), &log, progress)
			})
		}
	}
}
