package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/parx-dev/parx/subproc"
)

// Job is one command for a Pool to run.
type Job struct {
	// Seq numbers jobs from 1 in input order; results are ordered by it.
	// Zero means the Pool numbers the job itself.
	Seq int64
	// Argv, when non-empty, is run directly, with no shell.
	Argv []string
	// Line is the shell command line: run with the Pool's shell when Argv
	// is empty, and shown by --dry-run, -t and the joblog.
	Line string
	// Args are the input records the job was made from, if any.
	Args [][]string
	// Stdin is the job's standard input; nil means /dev/null.
	Stdin io.Reader
	// Tag prefixes each line of the job's output when non-empty.
	Tag string
}

// Result is what became of a Job.
type Result struct {
	Job  *Job
	Slot int // the job slot it ran in, from 1
	// ExitCode is the exit status; -1 if a signal killed the job, 127 if
	// its program was not found, 126 if it could not be executed.
	ExitCode int
	Signal   syscall.Signal
	Start    time.Time
	Runtime  time.Duration
	// UserTime and SysTime are the job's CPU times and MaxRSS its peak
	// resident set size in bytes, from rusage (zero if it never ran).
	UserTime, SysTime time.Duration
	MaxRSS            int64
	// Stdout and Stderr hold the job's output; Close them when done (the
	// Pool does so after the emit function returns). They stay empty for a
	// stream that Pool.Output sent elsewhere.
	Stdout, Stderr *Buffer
	// Err is set when the job could not be run at all, or its output could
	// not be saved.
	Err error
}

// Failed reports whether the job counts as failed: a non-zero exit, a
// signal, or an error.
func (r *Result) Failed() bool {
	return r.ExitCode != 0 || r.Signal != 0 || r.Err != nil
}

// JobSource hands a Pool its jobs. Next is called with the job slot the job
// will run in (so that {%} can be filled in); it returns io.EOF when there
// are no more jobs.
type JobSource interface {
	Next(slot int) (*Job, error)
}

// JobSourceFunc adapts a function to JobSource.
type JobSourceFunc func(slot int) (*Job, error)

// Next calls f.
func (f JobSourceFunc) Next(slot int) (*Job, error) { return f(slot) }

// Pool runs jobs on a bounded number of job slots, like a process pool's
// map: jobs in, results out. The zero value runs one job per CPU core,
// without ordering, with /bin/sh for shell lines.
type Pool struct {
	// Slots is how many jobs run at once; zero means runtime.NumCPU().
	Slots int
	// SlotsFunc, if set, is asked for the number of slots before each job
	// starts (-j FILE), overriding Slots.
	SlotsFunc func() int
	// KeepOrder delivers results in Seq order (-k); otherwise as jobs finish.
	KeepOrder bool
	// Shell runs jobs that have no Argv; empty means /bin/sh.
	Shell string
	// Env is the environment given to every job, to which PARALLEL_SEQ,
	// PARALLEL_JOBSLOT and PARALLEL_PID are added; nil means os.Environ().
	Env []string
	// TmpDir is where big outputs spill; empty means os.TempDir().
	TmpDir string
	// SpillThreshold is how much output per stream stays in memory; zero
	// means DefaultSpillThreshold.
	SpillThreshold int
	// MemoryLimit bounds the output held in memory by all jobs together,
	// running or waiting to be emitted; beyond it output spills to
	// TmpDir. Zero means DefaultMemoryLimit.
	MemoryLimit int64
	// Delay is the pause between starting two jobs.
	Delay time.Duration
	// Nice is the niceness jobs run at; zero leaves it alone.
	Nice int
	// TermSeq is how running jobs are stopped when the context is
	// cancelled; nil means subproc.DefaultTermSeq().
	TermSeq []subproc.TermStep
	// OnStart, if set, is called just before each job starts.
	OnStart func(*Job, int)
	// OnDone, if set, is called as each job ends, before its result waits
	// for its turn to be emitted; it may be called from several goroutines
	// at once.
	OnDone func(*Result)
	// Output, if set, is called just before each job starts, from one
	// goroutine at a time, to send the job's output somewhere while it runs
	// (-u, --line-buffer, --files) instead of to the Result's Buffers. An
	// error fails the job without running it (Result.Err).
	Output func(*Job) (JobOutput, error)
}

// JobOutput is where a job's output goes while it runs (Pool.Output). The
// zero value keeps both streams in the Result's Buffers.
type JobOutput struct {
	// Stdout and Stderr receive the job's streams; nil keeps that stream
	// in the Result's Buffer. An *os.File is handed to the job itself.
	Stdout, Stderr io.Writer
	// Close, if set, is called once the job has ended, before its result
	// is emitted; an error fails the job (Result.Err).
	Close func() error
}

// DefaultMemoryLimit is the Pool's default MemoryLimit.
const DefaultMemoryLimit = 32 << 20

func (p *Pool) slots() int {
	if p.SlotsFunc != nil {
		if n := p.SlotsFunc(); n > 0 {
			return n
		}
	}
	if p.Slots > 0 {
		return p.Slots
	}
	return runtime.NumCPU()
}

// Run takes jobs from src until it returns io.EOF or ctx is done, runs them,
// and calls emit with each result (in Seq order with KeepOrder), from one
// goroutine at a time. A job source error stops new jobs; jobs already
// running finish and are emitted, then Run returns the error. When ctx is
// done, running jobs are stopped with TermSeq and still emitted. An error
// from emit stops everything and is returned.
func (p *Pool) Run(ctx context.Context, src JobSource, emit func(*Result) error) error {
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		return err
	}
	defer devnull.Close()

	env := p.Env
	if env == nil {
		env = os.Environ()
	}
	env = withoutVars(env, "PARALLEL_SEQ", "PARALLEL_JOBSLOT", "PARALLEL_PID")
	pid := "PARALLEL_PID=" + strconv.Itoa(os.Getpid())
	shell := p.Shell
	if shell == "" {
		shell = "/bin/sh"
	}

	inMemory := new(atomic.Int64) // output bytes held in memory by this run
	runCtx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()

	results := make(chan *Result, 64)
	var emitErr error
	collected := make(chan struct{})
	go func() {
		defer close(collected)
		emitErr = p.collect(results, emit, cancelRun)
	}()

	// free holds the free slot numbers; the lowest is taken first, as
	// GNU gives {%}.
	var mu sync.Mutex
	free := []int{}
	nextSlot := 1
	running := 0
	cond := sync.NewCond(&mu)
	var wg sync.WaitGroup
	paths := map[string]string{}
	var seq int64
	var srcErr error
	var lastStart time.Time

	for runCtx.Err() == nil {
		limit := p.slots()
		mu.Lock()
		for running >= limit && runCtx.Err() == nil {
			cond.Wait()
			limit = p.slots()
		}
		if runCtx.Err() != nil {
			mu.Unlock()
			break
		}
		slot := 0
		if len(free) > 0 {
			minI := 0
			for i, s := range free {
				if s < free[minI] {
					minI = i
				}
			}
			slot = free[minI]
			free = append(free[:minI], free[minI+1:]...)
		} else {
			slot = nextSlot
			nextSlot++
		}
		running++
		mu.Unlock()
		release := func() {
			mu.Lock()
			running--
			free = append(free, slot)
			cond.Broadcast()
			mu.Unlock()
		}

		job, err := src.Next(slot)
		if err != nil {
			release()
			if err != io.EOF {
				srcErr = err
			}
			break
		}
		seq++
		if job.Seq == 0 {
			job.Seq = seq
		}
		if p.Delay > 0 && !lastStart.IsZero() {
			if d := p.Delay - time.Since(lastStart); d > 0 {
				select {
				case <-time.After(d):
				case <-runCtx.Done():
				}
			}
		}
		if runCtx.Err() != nil {
			release()
			break
		}
		lastStart = time.Now()

		cmd := &subproc.Cmd{
			Env:     append(env[:len(env):len(env)], "PARALLEL_SEQ="+strconv.FormatInt(job.Seq, 10), "PARALLEL_JOBSLOT="+strconv.Itoa(slot), pid),
			Nice:    p.Nice,
			TermSeq: p.TermSeq,
			Stdin:   job.Stdin,
		}
		if cmd.Stdin == nil {
			cmd.Stdin = devnull
		}
		if len(job.Argv) > 0 {
			cmd.Path = lookPath(paths, job.Argv[0])
			cmd.Args = job.Argv
		} else {
			cmd.Path = shell
			cmd.Args = []string{shell, "-c", job.Line}
		}
		if p.OnStart != nil {
			p.OnStart(job, slot)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := p.runOne(runCtx, cmd, job, slot, inMemory)
			release()
			results <- res
		}()
	}
	wg.Wait()
	close(results)
	<-collected
	if emitErr != nil {
		return emitErr
	}
	return srcErr
}

func (p *Pool) runOne(ctx context.Context, cmd *subproc.Cmd, job *Job, slot int, inMemory *atomic.Int64) *Result {
	limit := p.MemoryLimit
	if limit <= 0 {
		limit = DefaultMemoryLimit
	}
	newBuf := func() *Buffer {
		return &Buffer{Threshold: p.SpillThreshold, Dir: p.TmpDir, Shared: inMemory, SharedLimit: limit}
	}
	res := &Result{Job: job, Slot: slot, Stdout: newBuf(), Stderr: newBuf()}
	var stdout, stderr io.Writer = res.Stdout, res.Stderr
	var out JobOutput
	if p.Output != nil {
		var err error
		if out, err = p.Output(job); err != nil {
			res.Err = err
			return res
		}
		if out.Stdout != nil {
			stdout = out.Stdout
		}
		if out.Stderr != nil {
			stderr = out.Stderr
		}
	}
	cmd.Stdout = stdout
	cmd.Stderr = stderr
	r, err := subproc.Run(ctx, cmd)
	res.ExitCode = r.ExitCode
	res.Signal = r.Signal
	res.Start = r.Start
	res.Runtime = r.Runtime
	res.UserTime, res.SysTime, res.MaxRSS = r.UserTime, r.SysTime, r.MaxRSS
	if err != nil {
		var se *subproc.StartError
		if errors.As(err, &se) {
			// A shell would say this on the job's stderr; so do we.
			fmt.Fprintf(stderr, "parx: %v\n", se)
		} else {
			res.Err = err
		}
	}
	if out.Close != nil {
		if cerr := out.Close(); cerr != nil && res.Err == nil {
			res.Err = cerr
		}
	}
	if p.OnDone != nil {
		p.OnDone(res)
	}
	return res
}

// collect receives results and emits them, in Seq order with KeepOrder.
func (p *Pool) collect(results <-chan *Result, emit func(*Result) error, stop func()) error {
	var err error
	send := func(r *Result) {
		if err == nil {
			if err = emit(r); err != nil {
				stop()
			}
		}
		r.Stdout.Close()
		r.Stderr.Close()
	}
	if !p.KeepOrder {
		for r := range results {
			send(r)
		}
		return err
	}
	waiting := map[int64]*Result{}
	var next int64 = 1
	for r := range results {
		waiting[r.Job.Seq] = r
		for {
			w, ok := waiting[next]
			if !ok {
				break
			}
			delete(waiting, next)
			send(w)
			next++
		}
	}
	// Jobs cut short by cancellation leave gaps: emit the rest in order.
	for len(waiting) > 0 {
		if w, ok := waiting[next]; ok {
			delete(waiting, next)
			send(w)
		}
		next++
	}
	return err
}

// lookPath resolves a program name once per run: the PATH search is the
// one per-job cost a direct exec can skip.
func lookPath(cache map[string]string, name string) string {
	if strings.Contains(name, "/") {
		return name
	}
	if p, ok := cache[name]; ok {
		return p
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return name // subproc reports it as not found
	}
	cache[name] = p
	return p
}

func withoutVars(env []string, names ...string) []string {
	out := make([]string, 0, len(env))
outer:
	for _, kv := range env {
		for _, n := range names {
			if strings.HasPrefix(kv, n+"=") {
				continue outer
			}
		}
		out = append(out, kv)
	}
	return out
}
