package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
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
	// Stdin is the job's standard input; nil means /dev/null. A retried
	// job reads it again from the start when it is an io.Seeker; other
	// readers give a retry only what the earlier attempts left.
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
	// Stdout and Stderr hold the job's output; Close them when done (the
	// Pool does so after the emit function returns). They stay empty for a
	// stream that Pool.Output sent elsewhere.
	Stdout, Stderr *Buffer
	// UserTime and SysTime are the job's CPU times and MaxRSS its peak
	// resident set size in bytes, from rusage.
	UserTime, SysTime time.Duration
	MaxRSS            int64
	// Sent counts the bytes the job read from its Stdin (when Stdin is not
	// an *os.File, which the job reads directly).
	Sent int64
	// Attempts is how many times the job ran (more than one with retries).
	Attempts int
	// TimedOut reports that the job was killed because it ran past the
	// Pool's timeout.
	TimedOut bool
	// Cancelled reports that the job was killed because the whole run was
	// stopped (its context was done, or a Halt policy said now): it did not
	// finish, so it is neither counted nor given to OnDone.
	Cancelled bool
	// Err is set when the job could not be run at all, or its output could
	// not be saved.
	Err error
	// Transport is set (a *TransportError) when the place the job ran
	// could not be reached or was lost: its exit status is unknown, and it
	// counts as failed with ExitCode 255 unless the Executor said more.
	Transport error

	order    int64 // start order, for KeepOrder
	killed   bool  // the termination sequence was used on it
	shortage error // it could not start for lack of processes or descriptors
}

// Failed reports whether the job counts as failed: a non-zero exit, a
// signal, or an error.
func (r *Result) Failed() bool {
	return r.ExitCode != 0 || r.Signal != 0 || r.Err != nil || r.Transport != nil
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
// without ordering, with /bin/sh for shell lines, once each, with no
// timeout, until every job has run.
type Pool struct {
	// Slots is how many jobs run at once; zero means runtime.NumCPU().
	Slots int
	// SlotsFunc, if set, is asked for the number of slots before each job
	// starts (-j FILE), overriding Slots.
	SlotsFunc func() int
	// KeepOrder delivers results in the order jobs started (-k), which is
	// input order; otherwise as jobs finish.
	KeepOrder bool
	// Shell runs jobs that have no Argv; empty means /bin/sh.
	Shell string
	// Env is the environment given to every job, to which PARALLEL_SEQ,
	// PARALLEL_JOBSLOT and PARALLEL_PID are added; nil means os.Environ().
	Env []string
	// SlotVar, when set (--process-slot-var), names one more variable of
	// each job's environment: its slot counted from 0, as GNU sets it.
	SlotVar string
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
	// cancelled, a Halt policy says now, or a job times out; nil means
	// subproc.DefaultTermSeq().
	TermSeq []subproc.TermStep

	// Timeout kills a job that runs longer than this; zero means never.
	Timeout time.Duration
	// TimeoutPercent, when above zero, kills a job that runs longer than
	// this percentage of the median runtime of the jobs finished so far
	// (once at least three have finished).
	TimeoutPercent float64
	// Retries is how many times a failing job is run in all; zero or one
	// means once. Only the last attempt is emitted.
	Retries int
	// Halt stops the run early when enough jobs fail, succeed or finish;
	// the zero value never does.
	Halt Halt
	// KnownJobs is the exact number of jobs the source will give, when it
	// was counted in advance, for Halt percentages; zero means unknown
	// (percentages are then of the jobs finished so far).
	KnownJobs int
	// MaxLoad, when above zero, delays starting a job while the 1-minute
	// load average is at or above it.
	MaxLoad float64
	// MemFree, when above zero, delays starting a job while the available
	// memory is below this many bytes, and kills the youngest running job
	// (to run it again later) when it drops below half of that.
	MemFree int64

	// Drain, when closed, makes the Pool start no new jobs and wait for
	// the running ones (SIGHUP). nil never fires.
	Drain <-chan struct{}
	// Abort, when closed after the context is done, kills the jobs still
	// being stopped with SIGKILL at once (a second Ctrl-C). nil never
	// fires.
	Abort <-chan struct{}

	// OnStart, if set, is called just before each job (or attempt of a
	// retried job) starts.
	OnStart func(job *Job, slot int)
	// OnDone, if set, is called as soon as a job has finished, before it
	// is emitted (--joblog writes its line here, so that a crash loses
	// no finished job). Calls are serialized. It is not called for
	// cancelled jobs.
	OnDone func(*Result)
	// OnHalt, if set, is called once when the Halt policy stops the run,
	// with the number of jobs still running.
	OnHalt func(h *HaltError, running int)
	// OnLastStart, if set, is called once when the Pool will start no
	// new job (the source ended, a halt, a signal, Drain), before it
	// waits for the running ones; their retries may still start.
	OnLastStart func()
	// Observers are more hooks like the four above, called after them in
	// order: stages of a run add theirs with Observe, so that none replaces
	// another's, nor the caller's.
	Observers []Hooks

	// Output, if set, is called just before each job (or attempt of a
	// retried job) starts, to send the job's output somewhere while it
	// runs (-u, --line-buffer, --files) instead of to the Result's
	// Buffers; it may be called from several goroutines at once. An error
	// fails the job without running it (Result.Err).
	Output func(*Job) (JobOutput, error)

	// Executor starts the jobs; nil means a LocalExecutor.
	Executor Executor

	// Warnings receives the Pool's own warnings, one line each, such as
	// that the process or file descriptor limit leaves room for fewer
	// jobs than Slots. nil discards them.
	Warnings io.Writer

	// probe reads the load average and available memory; nil means
	// /proc. Tests replace it.
	probe func() (load float64, memAvailable int64, err error)
}

// Hooks are functions a Pool calls as its jobs start and end, with the same
// meaning as the Pool fields of the same names. Any may be nil; the zero
// value observes nothing.
type Hooks struct {
	OnStart     func(job *Job, slot int)
	OnDone      func(*Result)
	OnHalt      func(h *HaltError, running int)
	OnLastStart func()
}

// Observe adds h to p.Observers, without writing into a backing array that a
// copy of p may share.
func (p *Pool) Observe(h Hooks) {
	p.Observers = append(slices.Clip(p.Observers), h)
}

// hooks lists every set of hooks, the Pool's own fields first.
func (p *Pool) hooks() []Hooks {
	own := Hooks{OnStart: p.OnStart, OnDone: p.OnDone, OnHalt: p.OnHalt, OnLastStart: p.OnLastStart}
	return append([]Hooks{own}, p.Observers...)
}

func (st *poolRun) notifyStart(job *Job, slot int) {
	for _, h := range st.hooks {
		if h.OnStart != nil {
			h.OnStart(job, slot)
		}
	}
}

func (st *poolRun) notifyDone(r *Result) {
	for _, h := range st.hooks {
		if h.OnDone != nil {
			h.OnDone(r)
		}
	}
}

func (st *poolRun) notifyHalt(he *HaltError, running int) {
	for _, h := range st.hooks {
		if h.OnHalt != nil {
			h.OnHalt(he, running)
		}
	}
}

func (st *poolRun) notifyLastStart() {
	for _, h := range st.hooks {
		if h.OnLastStart != nil {
			h.OnLastStart()
		}
	}
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

// How often the Pool looks at the load, the free memory and the percentage
// timeout.
const (
	resourcePoll = time.Second
	timeoutPoll  = 20 * time.Millisecond
)

// Why a job's own context was cancelled.
var (
	errTimedOut  = errors.New("timed out")
	errMemoryLow = errors.New("killed for lack of memory")
)

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

// poolRun is the state of one Pool.Run, shared by its goroutines and
// guarded by mu.
type poolRun struct {
	p         *Pool
	runCtx    context.Context
	cancelRun context.CancelCauseFunc
	inMemory  *atomic.Int64 // output bytes held in memory

	mu        sync.Mutex
	cond      *sync.Cond
	free      []int // free slot numbers
	nextSlot  int
	taken     int                   // slots in use
	running   map[int64]*runningJob // by start order
	stopped   chan struct{}         // closed when no new job may start
	failed    int
	succeeded int
	runtimes  medianTracker
	halted    *HaltError
	fatal     error // jobs cannot be started at all
	executor  Executor
	hooks     []Hooks // the Pool's, listed once for the run
	// slotCap lowers the slots to what the process and descriptor limits
	// allow; 0 means no cap.
	slotCap int
	warned  bool // the slot cap was lowered at run time and said so
}

// slotCount is how many jobs may run at once now; st.mu must be held.
func (st *poolRun) slotCount() int {
	n := st.p.slots()
	if st.slotCap > 0 {
		n = min(n, st.slotCap)
	}
	return n
}

// warn says one line to Pool.Warnings.
func (st *poolRun) warn(line string) {
	if st.p.Warnings != nil {
		fmt.Fprintln(st.p.Warnings, line)
	}
}

// runningJob is a job in flight, for the timeout and memory watchdogs.
type runningJob struct {
	start  time.Time
	cancel context.CancelCauseFunc
}

// Run takes jobs from src until it returns io.EOF or ctx is done, runs them,
// and calls emit with each result (in start order with KeepOrder), from one
// goroutine at a time. A job source error stops new jobs; jobs already
// running finish and are emitted, then Run returns the error. When ctx is
// done, running jobs are stopped with TermSeq and emitted with Cancelled
// set; a call of src.Next blocked at that moment is abandoned (it may still
// be running when Run returns). When the Halt policy stops the run, Run
// returns a *HaltError once
// the running jobs have finished (or been killed, with HaltNow). An error
// from emit stops everything and is returned.
//
// Run fits the slots to the process and file descriptor limits (a warning
// goes to Warnings). Under a process limit too tight for Slots it also sets
// GOMAXPROCS to at most 2 and makes the Go runtime's threads up front, as
// each thread counts against the limit and a runtime that cannot make one
// aborts. A job that cannot start for lack of processes or descriptors
// waits and starts later; it is not a failure.
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
	own := []string{"PARALLEL_SEQ", "PARALLEL_JOBSLOT", "PARALLEL_PID"}
	if p.SlotVar != "" {
		own = append(own, p.SlotVar)
	}
	env = withoutVars(env, own...)
	pid := "PARALLEL_PID=" + strconv.Itoa(os.Getpid())
	shell := p.Shell
	if shell == "" {
		shell = "/bin/sh"
	}

	runCtx, cancelRun := context.WithCancelCause(ctx)
	defer cancelRun(nil)
	st := &poolRun{p: p, runCtx: runCtx, cancelRun: cancelRun, inMemory: new(atomic.Int64), nextSlot: 1, running: map[int64]*runningJob{}, stopped: make(chan struct{})}
	st.cond = sync.NewCond(&st.mu)
	st.hooks = p.hooks()
	st.executor = p.Executor
	if st.executor == nil {
		st.executor = &LocalExecutor{}
	}
	if lim := systemSlotLimit(p.slots()); lim.slots > 0 {
		st.slotCap = lim.slots
		st.warn(lim.warning())
	}
	wake := func() {
		st.mu.Lock()
		st.cond.Broadcast()
		st.mu.Unlock()
	}
	defer context.AfterFunc(runCtx, wake)()
	if p.Drain != nil {
		stopDrain := make(chan struct{})
		defer close(stopDrain)
		go func() {
			select {
			case <-p.Drain:
				st.mu.Lock()
				st.stop()
				st.mu.Unlock()
			case <-stopDrain:
			}
		}()
	}
	watchCtx, stopWatch := context.WithCancel(runCtx)
	defer stopWatch()
	if p.TimeoutPercent > 0 {
		go st.watchTimeouts(watchCtx)
	}
	if p.MemFree > 0 {
		go st.watchMemory(watchCtx)
	}

	results := make(chan *Result, 64)
	var emitErr error
	collected := make(chan struct{})
	go func() {
		defer close(collected)
		emitErr = p.collect(results, emit, func() { cancelRun(errEmit) })
	}()

	var wg sync.WaitGroup
	// One start at a time, in order: the sequence numbers, -t's lines and
	// --delay follow it. A job's goroutine starts the next job in its own
	// slot when it ends, so the hot path has no hand-off to a dispatcher
	// and back; the loop below only fills slots that are free.
	var starting sync.Mutex
	asker := newJobAsker(src)
	defer asker.close()
	var seq, order int64
	var srcErr error
	var lastStart time.Time
	srcDone := false
	// start takes the next job for slot, which the caller holds. When no
	// more jobs will start it gives the slot back and returns false.
	start := func(slot int) (launch *Launch, ord int64, ok bool) {
		starting.Lock()
		defer starting.Unlock()
		done := func() (*Launch, int64, bool) {
			srcDone = true
			st.releaseSlot(slot)
			return nil, 0, false
		}
		if srcDone || !st.waitDelay(lastStart) || !st.waitResources() {
			return done()
		}
		job, ok, err := st.next(asker, slot)
		if !ok {
			return done()
		}
		if err != nil {
			if err != io.EOF {
				srcErr = err
			}
			return done()
		}
		seq++
		if job.Seq == 0 {
			job.Seq = seq
		}
		if runCtx.Err() != nil {
			return done()
		}
		lastStart = time.Now()
		launch = &Launch{
			Job:     job,
			Slot:    slot,
			Argv:    job.Argv,
			Shell:   shell,
			Env:     jobEnv(env, job.Seq, slot, pid, p.SlotVar),
			Nice:    p.Nice,
			TermSeq: p.TermSeq,
			Kill:    p.Abort,
		}
		// Under the lock, so that -t prints commands in the order they
		// start.
		st.notifyStart(job, slot)
		order++
		return launch, order, true
	}
	work := func(launch *Launch, ord int64) {
		defer wg.Done()
		for {
			slot := launch.Slot
			res := st.runJob(launch, ord, devnull)
			keep := st.keepSlot()
			if !keep {
				st.releaseSlot(slot)
			}
			// Before the next job is taken: a source that blocks (a
			// terminal, a slow pipe) must not hold back this output.
			results <- res
			if !keep {
				return
			}
			var ok bool
			if launch, ord, ok = start(slot); !ok {
				return
			}
		}
	}

	for {
		slot, ok := st.takeSlot()
		if !ok {
			break
		}
		launch, ord, ok := start(slot)
		if !ok {
			break
		}
		wg.Add(1)
		go work(launch, ord)
	}
	st.notifyLastStart()
	wg.Wait()
	close(results)
	<-collected
	if emitErr != nil {
		return emitErr
	}
	if srcErr != nil {
		return srcErr
	}
	if st.fatal != nil {
		return st.fatal
	}
	if st.halted != nil {
		return st.halted
	}
	return nil
}

// jobAsker calls a JobSource from one goroutine of its own, so that a call
// blocked reading a terminal or a pipe can be abandoned when the run stops,
// without a new goroutine for every job. One call is in flight at a time.
type jobAsker struct {
	src     JobSource
	slots   chan int
	answers chan jobAnswer
}

type jobAnswer struct {
	job *Job
	err error
}

func newJobAsker(src JobSource) *jobAsker {
	a := &jobAsker{src: src, slots: make(chan int, 1), answers: make(chan jobAnswer, 1)}
	go func() {
		for slot := range a.slots {
			j, err := a.src.Next(slot)
			a.answers <- jobAnswer{j, err}
		}
	}()
	return a
}

// close ends the asking goroutine once any call in flight returns.
func (a *jobAsker) close() { close(a.slots) }

// next asks the source for the next job, but gives up (ok false) when the
// run is stopped first: a source blocked reading a terminal or a pipe must
// not keep a signalled parx alive. The abandoned call finishes in the
// background; the source is not called again.
func (st *poolRun) next(a *jobAsker, slot int) (job *Job, ok bool, err error) {
	a.slots <- slot
	select {
	case ans := <-a.answers:
		return ans.job, true, ans.err
	case <-st.runCtx.Done():
	case <-st.p.Drain:
	}
	return nil, false, nil
}

// errEmit stops the run when emit fails; Run returns emit's own error.
var errEmit = errors.New("output failed")

// takeSlot waits for a free job slot and takes the lowest numbered one, as
// GNU gives {%}. It returns false when no more jobs may start.
func (st *poolRun) takeSlot() (int, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for {
		if st.stopRequested() || st.runCtx.Err() != nil {
			return 0, false
		}
		if st.taken < st.slotCount() {
			break
		}
		st.cond.Wait()
	}
	slot := 0
	if len(st.free) > 0 {
		minI := 0
		for i, s := range st.free {
			if s < st.free[minI] {
				minI = i
			}
		}
		slot = st.free[minI]
		st.free = append(st.free[:minI], st.free[minI+1:]...)
	} else {
		slot = st.nextSlot
		st.nextSlot++
	}
	st.taken++
	return slot, true
}

// keepSlot reports whether a job that just ended may hand its slot to the
// next job: the run goes on and the slots have not been lowered below the
// ones taken.
func (st *poolRun) keepSlot() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return !st.stopRequested() && st.runCtx.Err() == nil && st.taken <= st.slotCount()
}

// stopRequested reports whether stop was called.
func (st *poolRun) stopRequested() bool {
	select {
	case <-st.stopped:
		return true
	default:
		return false
	}
}

// stop makes the pool start no new jobs; st.mu must be held.
func (st *poolRun) stop() {
	if !st.stopRequested() {
		close(st.stopped)
	}
	st.cond.Broadcast()
}

// releaseSlot gives a slot back once its job is over (or never started).
func (st *poolRun) releaseSlot(slot int) {
	st.mu.Lock()
	st.taken--
	st.free = append(st.free, slot)
	st.cond.Broadcast()
	st.mu.Unlock()
}

// waitDelay holds the next start until Delay has passed since the last one.
// It returns false when no more jobs may start (a halt or SIGHUP during the
// wait), before the job is taken from its source.
func (st *poolRun) waitDelay(lastStart time.Time) bool {
	if st.p.Delay > 0 && !lastStart.IsZero() {
		if d := st.p.Delay - time.Since(lastStart); d > 0 {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-t.C:
			case <-st.runCtx.Done():
			case <-st.stopped:
			}
		}
	}
	return !st.stopRequested() && st.runCtx.Err() == nil
}

// waitResources holds the next start while the load is too high or memory
// too low (--load, --memfree). It returns false when no more jobs may start.
func (st *poolRun) waitResources() bool {
	p := st.p
	if p.MaxLoad <= 0 && p.MemFree <= 0 {
		return true
	}
	for {
		load, avail, err := st.probe()
		if err != nil || (p.MaxLoad <= 0 || load < p.MaxLoad) && (p.MemFree <= 0 || avail >= p.MemFree) {
			// Unreadable /proc: run rather than wait forever.
			return true
		}
		t := time.NewTimer(resourcePoll)
		select {
		case <-t.C:
		case <-st.runCtx.Done():
			t.Stop()
			return false
		case <-st.stopped:
			t.Stop()
			return false
		}
	}
}

func (st *poolRun) probe() (float64, int64, error) {
	if st.p.probe != nil {
		return st.p.probe()
	}
	return readResources()
}

// runJob runs one job, again while it fails and attempts are left, and
// settles its result.
func (st *poolRun) runJob(launch *Launch, order int64, devnull *os.File) *Result {
	p := st.p
	job, slot := launch.Job, launch.Slot
	attempts := max(p.Retries, 1)
	var res *Result
	var restart restartBackoff
	for attempt := 1; ; attempt++ {
		jobCtx, cancel := context.WithCancelCause(st.runCtx)
		var timer *time.Timer
		armed := time.Now()
		if p.Timeout > 0 {
			timer = time.AfterFunc(p.Timeout, func() { cancel(errTimedOut) })
		}
		var counter *countingReader
		switch in := job.Stdin.(type) {
		case nil:
			launch.Stdin = devnull
		case *os.File:
			launch.Stdin = in
		default:
			if s, ok := in.(io.Seeker); ok && attempt > 1 {
				s.Seek(0, io.SeekStart)
			}
			counter = &countingReader{r: in}
			launch.Stdin = counter
		}
		st.mu.Lock()
		st.running[order] = &runningJob{start: time.Now(), cancel: cancel}
		st.mu.Unlock()
		if attempt > 1 {
			st.notifyStart(job, slot)
		}
		res = st.runOne(jobCtx, launch)
		if timer != nil {
			timer.Stop()
		}
		cause := context.Cause(jobCtx)
		cancel(nil)
		st.mu.Lock()
		delete(st.running, order)
		st.mu.Unlock()
		if res.shortage != nil {
			// It never ran: not a failure, nor an attempt.
			res.Stdout.Close()
			res.Stderr.Close()
			attempt--
			if st.waitToRestart(res.shortage, &restart) {
				continue
			}
			res.Cancelled = true
			break
		}
		stopping := st.stopRequested()
		res.order, res.Attempts = order, attempt
		if counter != nil {
			res.Sent = counter.n
		}
		switch {
		case !res.killed:
			// It ended by itself, even if a kill came while its output
			// was still being drained.
		case cause == errTimedOut:
			// Killed for its time, it failed even if it managed to
			// exit 0 on the signal; GNU parallel logs that as -1 too.
			res.TimedOut = true
			if !res.Failed() {
				res.ExitCode = -1
			}
			// The clock ran from before the start (files to open, a
			// loaded machine): the program's own runtime can be a little
			// short of the timeout, which a report must not show.
			res.Runtime = max(res.Runtime, time.Since(armed))
		case cause == errMemoryLow && st.runCtx.Err() == nil:
			// Not the job's fault: run it again once memory allows.
			res.Stdout.Close()
			res.Stderr.Close()
			attempt--
			if st.waitResources() {
				continue
			}
			res.Cancelled = true
		case cause != nil:
			res.Cancelled = true
		}
		if res.Cancelled || !res.Failed() || attempt >= attempts || stopping {
			break
		}
		res.Stdout.Close()
		res.Stderr.Close()
	}
	st.settle(res)
	return res
}

// Bounds of waiting for the resources to start a job: the pause between
// tries, and how long nothing at all may be startable before the run gives
// up.
const (
	restartPauseMin = 5 * time.Millisecond
	restartPauseMax = 500 * time.Millisecond
	restartGiveUp   = 10 * time.Second
)

// restartBackoff is one job's state while it waits to be started again.
type restartBackoff struct {
	pause time.Duration
	alone time.Time // since when no other job has been running
}

// waitToRestart handles a job that could not start for lack of processes
// or descriptors, as GNU parallel handles too low a limit: the slots are
// lowered to the jobs still running (said once), and the job waits to try
// again. It returns false when the run stops meanwhile, or when nothing else
// runs and starting has still failed after restartGiveUp: then the run ends
// with that error, since no job is left whose end could free what is
// lacking.
func (st *poolRun) waitToRestart(shortage error, b *restartBackoff) bool {
	st.mu.Lock()
	others := len(st.running)
	switch {
	case others > 0:
		b.alone = time.Time{}
		if st.slotCap == 0 || others < st.slotCap {
			st.slotCap = others
			if !st.warned {
				st.warned = true
				st.warn(fmt.Sprintf("parx: warning: %v; running at most %d jobs in parallel", shortage, others))
			}
		}
	case b.alone.IsZero():
		b.alone = time.Now()
	case time.Since(b.alone) > restartGiveUp:
		if st.fatal == nil {
			st.fatal = fmt.Errorf("cannot start any job: %w", shortage)
		}
		st.stop()
		st.mu.Unlock()
		return false
	}
	st.mu.Unlock()

	b.pause = min(max(2*b.pause, restartPauseMin), restartPauseMax)
	t := time.NewTimer(b.pause)
	defer t.Stop()
	select {
	case <-t.C:
	case <-st.runCtx.Done():
		return false
	}
	return !st.stopRequested()
}

// settle counts a finished job, hands it to OnDone and applies the Halt
// policy.
func (st *poolRun) settle(res *Result) {
	if res.Cancelled {
		return
	}
	p := st.p
	st.mu.Lock()
	defer st.mu.Unlock()
	if res.Failed() {
		st.failed++
	} else {
		st.succeeded++
	}
	if !res.TimedOut && p.TimeoutPercent > 0 {
		st.runtimes.add(res.Runtime)
	}
	st.notifyDone(res)
	if st.halted != nil || !p.Halt.reached(st.failed, st.succeeded, p.KnownJobs) {
		return
	}
	st.halted = &HaltError{Policy: p.Halt, Seq: res.Job.Seq, Line: res.Job.Line, ExitCode: res.ExitCode, Signal: int(res.Signal), Failed: st.failed}
	st.stop()
	st.notifyHalt(st.halted, len(st.running))
	if p.Halt.When == HaltNow {
		st.cancelRun(st.halted)
	}
}

// watchTimeouts kills jobs that run past TimeoutPercent of the median
// runtime.
func (st *poolRun) watchTimeouts(ctx context.Context) {
	every(ctx, timeoutPoll, func() {
		st.mu.Lock()
		defer st.mu.Unlock()
		med, ok := st.runtimes.median()
		if !ok {
			return
		}
		limit := time.Duration(float64(med) * st.p.TimeoutPercent / 100)
		for _, j := range st.running {
			if time.Since(j.start) > limit {
				j.cancel(errTimedOut)
			}
		}
	})
}

// watchMemory kills the youngest job, to be run again, when the available
// memory drops below half of MemFree and more than one job is running.
func (st *poolRun) watchMemory(ctx context.Context) {
	every(ctx, resourcePoll, func() {
		_, avail, err := st.probe()
		if err != nil || avail >= st.p.MemFree/2 {
			return
		}
		st.mu.Lock()
		defer st.mu.Unlock()
		var youngest *runningJob
		for _, j := range st.running {
			if youngest == nil || j.start.After(youngest.start) {
				youngest = j
			}
		}
		if youngest != nil && len(st.running) > 1 {
			youngest.cancel(errMemoryLow)
		}
	})
}

// every calls f every d until ctx is done.
func every(ctx context.Context, d time.Duration, f func()) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f()
		}
	}
}

// runOne runs one attempt of a job with the Pool's Executor.
func (st *poolRun) runOne(ctx context.Context, launch *Launch) *Result {
	p, job, inMemory := st.p, launch.Job, st.inMemory
	limit := p.MemoryLimit
	if limit <= 0 {
		limit = DefaultMemoryLimit
	}
	newBuf := func() *Buffer {
		return &Buffer{Threshold: p.SpillThreshold, Dir: p.TmpDir, Shared: inMemory, SharedLimit: limit}
	}
	res := &Result{Job: job, Slot: launch.Slot, Stdout: newBuf(), Stderr: newBuf()}
	var stdout, stderr io.Writer = res.Stdout, res.Stderr
	var out JobOutput
	if p.Output != nil {
		var err error
		if out, err = p.Output(job); err != nil {
			if subproc.IsResourceShortage(err) {
				res.shortage = err
			} else {
				res.Err = err
			}
			return res
		}
		if out.Stdout != nil {
			stdout = out.Stdout
		}
		if out.Stderr != nil {
			stderr = out.Stderr
		}
	}
	launch.Stdout, launch.Stderr = stdout, stderr
	r, err := st.executor.Run(ctx, launch)
	res.ExitCode = r.ExitCode
	res.Signal = r.Signal
	res.Start = r.Start
	res.Runtime = r.Runtime
	res.UserTime, res.SysTime, res.MaxRSS = r.UserTime, r.SysTime, r.MaxRSS
	res.killed = r.Killed
	if err != nil {
		var se *subproc.StartError
		switch {
		case errors.As(err, &se) && se.ResourceShortage():
			res.shortage = se
		case se != nil:
			// A shell would say this on the job's stderr; so do we.
			fmt.Fprintf(stderr, "parx: %v\n", se)
		case IsTransport(err):
			// The job's fate is unknown: it failed, and the run goes on.
			res.Transport = err
			if res.ExitCode == 0 && res.Signal == 0 {
				res.ExitCode = 255 // what ssh exits with when it loses its host
			}
		default:
			res.Err = err
		}
	}
	if out.Close != nil {
		if cerr := out.Close(); cerr != nil && res.Err == nil {
			res.Err = cerr
		}
	}
	return res
}

// collect receives results and emits them, in start order with KeepOrder.
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
	// Every started job sends a result, so start order has no gaps.
	waiting := map[int64]*Result{}
	var next int64 = 1
	for r := range results {
		waiting[r.order] = r
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
	return err
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// WriteTo keeps the reader's own WriteTo usable (a --pipe block is written
// in one call instead of 32 KiB pieces).
func (c *countingReader) WriteTo(w io.Writer) (int64, error) {
	wt, ok := c.r.(io.WriterTo)
	if !ok {
		return io.Copy(w, struct{ io.Reader }{c})
	}
	n, err := wt.WriteTo(w)
	c.n += n
	return n, err
}

// jobEnv is a job's environment: the run's, with the job's own variables.
func jobEnv(env []string, seq int64, slot int, pid, slotVar string) []string {
	e := append(env[:len(env):len(env)], "PARALLEL_SEQ="+strconv.FormatInt(seq, 10), "PARALLEL_JOBSLOT="+strconv.Itoa(slot), pid)
	if slotVar != "" {
		e = append(e, slotVar+"="+strconv.Itoa(slot-1))
	}
	return e
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
