package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/parx-dev/parx/subproc"
)

// fakeExecutor runs no process: it answers from a table keyed by the job's
// first argument, so the Pool's side of the Executor seam is tested alone.
type fakeExecutor struct {
	mu       sync.Mutex
	attempts map[string]int
	answer   func(arg string, attempt int, l *Launch) (subproc.Result, error)
}

func (f *fakeExecutor) Run(_ context.Context, l *Launch) (subproc.Result, error) {
	arg := l.Job.Args[0][0]
	f.mu.Lock()
	f.attempts[arg]++
	n := f.attempts[arg]
	f.mu.Unlock()
	return f.answer(arg, n, l)
}

var errHostDown = errors.New("connection refused")

func TestExecutorSeam(t *testing.T) {
	tests := []struct {
		name       string
		retries    int
		answer     func(arg string, attempt int, l *Launch) (subproc.Result, error)
		wantOut    string
		wantFailed int
		wantStderr string // a substring; "" wants none
		wantTries  map[string]int
	}{
		{
			name: "exit statuses and output pass through",
			answer: func(arg string, _ int, l *Launch) (subproc.Result, error) {
				fmt.Fprintf(l.Stdout, "out %s\n", arg)
				if arg == "b" {
					return subproc.Result{ExitCode: 3}, nil
				}
				return subproc.Result{}, nil
			},
			wantOut: "out a\nout b\nout c\n", wantFailed: 1,
			wantTries: map[string]int{"a": 1, "b": 1, "c": 1},
		},
		{
			name: "a transport failure fails that job only, and the run goes on",
			answer: func(arg string, _ int, l *Launch) (subproc.Result, error) {
				if arg == "b" {
					return subproc.Result{}, &TransportError{Where: "host1", Err: errHostDown}
				}
				fmt.Fprintf(l.Stdout, "out %s\n", arg)
				return subproc.Result{}, nil
			},
			wantOut: "out a\nout c\n", wantFailed: 1,
			wantStderr: "parx: job 2 failed: host1: connection refused (its exit status is unknown): echo b",
			wantTries:  map[string]int{"a": 1, "b": 1, "c": 1},
		},
		{
			name:    "a transport failure is retried",
			retries: 3,
			answer: func(arg string, attempt int, l *Launch) (subproc.Result, error) {
				if arg == "b" && attempt < 3 {
					return subproc.Result{}, &TransportError{Where: "host1", Err: errHostDown}
				}
				fmt.Fprintf(l.Stdout, "out %s\n", arg)
				return subproc.Result{}, nil
			},
			wantOut:   "out a\nout b\nout c\n",
			wantTries: map[string]int{"a": 1, "b": 3, "c": 1},
		},
		{
			name: "a start that lacks resources is tried again, not failed",
			answer: func(arg string, attempt int, l *Launch) (subproc.Result, error) {
				if arg == "c" && attempt == 1 {
					return subproc.Result{ExitCode: 126}, &subproc.StartError{Name: "echo", Err: errEAGAIN()}
				}
				fmt.Fprintf(l.Stdout, "out %s\n", arg)
				return subproc.Result{}, nil
			},
			wantOut:   "out a\nout b\nout c\n",
			wantTries: map[string]int{"a": 1, "b": 1, "c": 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex := &fakeExecutor{attempts: map[string]int{}, answer: tt.answer}
			var stdout, stderr bytes.Buffer
			cfg := Config{
				Command: []string{"echo"},
				Sources: []SourceSpec{src("a", "b", "c")},
				Stdout:  &stdout, Stderr: &stderr,
			}
			cfg.Pool.Slots = 1
			cfg.Pool.KeepOrder = true
			cfg.Pool.Retries = tt.retries
			cfg.Pool.Executor = ex
			sum, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if stdout.String() != tt.wantOut {
				t.Errorf("stdout %q, want %q", stdout.String(), tt.wantOut)
			}
			if sum.Failed != tt.wantFailed {
				t.Errorf("%d failed, want %d", sum.Failed, tt.wantFailed)
			}
			if tt.wantStderr == "" && stderr.Len() > 0 || !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr %q, want %q", stderr.String(), tt.wantStderr)
			}
			for arg, n := range tt.wantTries {
				if ex.attempts[arg] != n {
					t.Errorf("job %s ran %d times, want %d", arg, ex.attempts[arg], n)
				}
			}
		})
	}
}

// The Launch carries the job as the Pool resolved it: argv for a direct
// exec, the shell and line otherwise, and the PARALLEL_ variables.
func TestLaunchFields(t *testing.T) {
	var got []*Launch
	var mu sync.Mutex
	ex := &fakeExecutor{attempts: map[string]int{}, answer: func(_ string, _ int, l *Launch) (subproc.Result, error) {
		c := *l
		mu.Lock()
		got = append(got, &c)
		mu.Unlock()
		return subproc.Result{}, nil
	}}
	cfg := Config{Command: []string{"echo", "{}", ">", "/dev/null"}, Sources: []SourceSpec{src("x")}, Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}}
	cfg.Pool.Executor, cfg.Pool.Shell = ex, "/bin/bash"
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("%d launches", len(got))
	}
	l := got[0]
	if len(l.Argv) != 0 || l.Shell != "/bin/bash" || l.Job.Line != "echo x > /dev/null" || l.Slot != 1 {
		t.Errorf("launch %+v", l)
	}
	var seq, slot bool
	for _, kv := range l.Env {
		seq = seq || kv == "PARALLEL_SEQ=1"
		slot = slot || kv == "PARALLEL_JOBSLOT=1"
	}
	if !seq || !slot {
		t.Errorf("env lacks PARALLEL_SEQ/PARALLEL_JOBSLOT")
	}
}

func errEAGAIN() error { return syscall.EAGAIN }
