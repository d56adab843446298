package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/parx-dev/parx/internal/cmdline"
	"github.com/parx-dev/parx/internal/input"
	"github.com/parx-dev/parx/internal/pipe"
)

// Config is a whole parx run: where arguments come from, how they make
// commands, how those run, and where output goes. The zero value reads
// nothing and runs nothing.
type Config struct {
	// Command is the command template's words; empty means each input
	// record is itself a command line.
	Command  []string
	Template TemplateOptions
	Sources  []SourceSpec
	Records  RecordOptions
	Batch    BatchOptions
	Pool     Pool

	// DryRun prints each command instead of running it.
	DryRun bool
	// Trace (-t) prints each command on stderr before it starts.
	Trace bool
	// ShowCommand (-v) prints each command on stdout with its output.
	ShowCommand bool
	// Tag (--tag) prefixes output lines with the job's arguments.
	Tag bool
	// TagString (--tagstring) prefixes output lines with this template.
	TagString string
	// Shuffle (--shuf) runs the jobs in random order; it reads all input
	// first.
	Shuffle bool
	// Output is how jobs' output is printed; the zero value is Group.
	Output OutputMode
	// Files (--files) saves each job's stdout in a file in Pool.TmpDir,
	// which is kept, and prints the file's name instead of the output.
	Files bool
	// Results (--results NAME) saves each job's output as GNU parallel
	// does: in a tree of directories under NAME, in files named by NAME
	// when it holds replacement strings, or in one NAME.csv, .tsv, .json
	// or .jsonl file ("-.csv" and so on for stdout). Output is then not
	// printed. Empty saves nothing.
	Results string
	// Progress, if set, is called with the counts so far each time a job
	// starts or ends and when the input ends, one call at a time.
	Progress func(Progress)
	// ExpectedJobs is --total-jobs: a hint of how many jobs Progress
	// counts against until the input ends and the real count replaces it.
	// Zero means unknown (or counted, when that is cheap and exact).
	ExpectedJobs int64
	// Pipe, when not nil, is --pipe mode: jobs get blocks of input on
	// their stdin instead of arguments, and Sources and Records are not
	// used. Command must not be empty.
	Pipe *PipeOptions

	// JobLog, if set, gets a line for each job once its output has been
	// printed (or saved, with Results): in the order jobs are printed.
	JobLog *JobLog
	// Resume holds the joblog entries of an earlier run (--resume): the
	// jobs logged there are skipped, after checking that each one's
	// command is still the same. With ResumeFailed, the logged jobs that
	// failed run again.
	Resume       map[int64]JobLogEntry
	ResumeFailed bool
	// RetryFailed, if set, holds a joblog's entries: only the failed jobs
	// in it run again, with their logged commands (--retry-failed); the
	// Command, Sources and input options are then not used.
	RetryFailed map[int64]JobLogEntry

	Stdout, Stderr io.Writer
}

// Summary counts what a run did. The zero value is a run of no jobs.
type Summary struct {
	Jobs    int // jobs that ran to the end (or were printed, with DryRun)
	Failed  int // of those, the jobs that failed
	Skipped int // jobs skipped because a resumed joblog has them
	Killed  int // jobs killed unfinished because the run was stopped
	// KnownJobs is the number of jobs in all, when it was counted in
	// advance (percentage halt policies read all input first); zero
	// otherwise. It is the Pool's KnownJobs.
	KnownJobs int
	// Policy is the run's halt policy and Halted, if set, says that it
	// stopped the run.
	Policy Halt
	Halted *HaltError
}

// ExitStatus is GNU parallel's exit status for the run: 0 if every job
// succeeded, the number of failed jobs up to 100, and 101 beyond that.
// With a halt policy, as GNU: a run halted by a success exits 0; one halted
// by a count of 1 exits with that job's status (128+N for signal N); a
// percentage policy (fail, success or done) gives the rounded-up
// percentage of jobs that failed: when it triggered, if it did.
func (s Summary) ExitStatus() int {
	if h := s.Halted; h != nil {
		switch {
		case h.Policy.Why == HaltOnSuccess:
			return 0
		case h.Policy.Percent == 0 && h.Policy.Count == 1:
			if h.Signal != 0 {
				return 128 + h.Signal
			}
			return h.ExitCode & 0xff
		}
	}
	if s.Policy.Percent > 0 {
		total := s.KnownJobs
		if total == 0 {
			total = s.Jobs
		}
		failed := s.Failed
		if s.Halted != nil {
			// As GNU: the share when the policy triggered, whatever
			// the jobs still running did after.
			failed = s.Halted.Failed
		}
		return percentFailed(failed, total)
	}
	if s.Failed > 100 {
		return 101
	}
	return s.Failed
}

// Run runs the configured jobs and prints their output. Errors in the
// configuration or input are returned (and mean exit status 255); failed
// jobs are counted in the Summary.
func Run(ctx context.Context, cfg Config) (Summary, error) {
	r := &run{cfg: cfg}
	defer r.close()
	if err := r.build(ctx); err != nil {
		return r.sum, err
	}
	var src JobSource = JobSourceFunc(r.makeJob)
	if cfg.RetryFailed != nil {
		src = JobSourceFunc(retryFailedJobs(cfg.RetryFailed))
	}
	r.printer = NewPrinter(cfg.Stdout, cfg.Stderr)
	r.printer.ShowCommand = cfg.ShowCommand
	if cfg.DryRun {
		return r.sum, r.dryRun(src)
	}
	r.wire()
	err := r.execute(ctx, src)
	return r.sum, err
}

// run is the state of one Run: its templates, its input, the Pool as the
// run sets it up, and the counts so far.
type run struct {
	cfg           Config
	sum           Summary
	topt          TemplateOptions // cfg.Template with the --header names
	tmpl, tagTmpl *Template       // the command, and --tagstring
	pool          Pool
	feed          *pipe.Feed                 // --pipe's blocks, or nil
	nextBatch     func() ([][]string, error) // the records of the next job
	seq           int64                      // the last job number made
	printer       *Printer
	logErr        error         // the first joblog write error
	delivered     func(*Result) // counts a job whose output is out, for Progress
	resumeWarned  bool          // a resumed job's command differed, and that was said
}

// build parses the templates and readies the input, the batching and the
// Pool, running nothing.
func (r *run) build(ctx context.Context) error {
	cfg := &r.cfg
	if cfg.Pipe != nil {
		if len(cfg.Command) == 0 {
			return pipe.ErrNoCommand
		}
		cfg.Sources, cfg.Records = nil, RecordOptions{}
		// The block is the input: nothing is appended, except the file
		// name of --cat and --fifo.
		cfg.Template.NoAppend = !cfg.Pipe.Cat && !cfg.Pipe.Fifo
	}
	recs, err := input.NewRecords(cfg.Sources, cfg.Records)
	if err != nil {
		return err
	}
	if err := r.parseTemplates(recs.Header()); err != nil {
		return err
	}

	var in RecordReader = &nulEscaper{in: recs, w: cfg.Stderr}
	if cfg.Shuffle {
		all, err := readAll(in)
		if err != nil {
			return err
		}
		rand.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
		in = &sliceRecords{recs: all}
	}
	r.pool = cfg.Pool
	if r.pool.Warnings == nil {
		r.pool.Warnings = cfg.Stderr
	}
	r.sum.Policy = r.pool.Halt
	b := cmdline.NewBatcher(in, r.tmpl, cfg.Batch, r.pool.slots)
	if cfg.Pipe != nil {
		if r.feed, err = pipe.NewFeed(ctx, *cfg.Pipe, r.pool.slots, r.pool.TmpDir); err != nil {
			return err
		}
		if d := r.feed.Robin; d != nil {
			r.pool.Observe(Hooks{
				OnStart:     func(job *Job, _ int) { d.Started(job.Stdin) },
				OnLastStart: d.StopStarting,
			})
		}
	}
	r.nextBatch = func() ([][]string, error) {
		records, err := b.Next()
		for err == nil && len(cfg.Command) == 0 && strings.TrimSpace(joinFlat(records)) == "" {
			records, err = b.Next() // no command: blank lines run nothing
		}
		return records, err
	}
	if r.pool.Halt.Percent > 0 && !cfg.DryRun && cfg.RetryFailed == nil && r.feed == nil {
		return r.countForHalt()
	}
	return nil
}

// parseTemplates parses the command and --tagstring, with the --header
// column names.
func (r *run) parseTemplates(header map[string]int) error {
	cfg := &r.cfg
	r.topt = cfg.Template
	r.topt.Header = header
	var err error
	if len(cfg.Command) > 0 {
		if r.tmpl, err = ParseTemplate(cfg.Command, r.topt); err != nil {
			return err
		}
	} else if r.tmpl, err = ParseTemplate(nil, TemplateOptions{NoAppend: true}); err != nil {
		// No command: each record is a command line, with nothing appended.
		return err
	}
	if cfg.TagString != "" {
		if r.tagTmpl, err = ParseTemplate([]string{cfg.TagString}, TemplateOptions{Replace: r.topt.Replace, Header: header, NoAppend: true, ForceShell: true}); err != nil {
			return fmt.Errorf("--tagstring: %w", err)
		}
	}
	return nil
}

// countForHalt reads all the input first, for a --halt percentage, which
// is of all jobs as in GNU parallel.
func (r *run) countForHalt() error {
	var batches [][][]string
	for {
		records, err := r.nextBatch()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		batches = append(batches, records)
	}
	r.sum.KnownJobs = len(batches)
	for seq, logged := range r.cfg.Resume {
		if seq <= int64(len(batches)) && (!r.cfg.ResumeFailed || !logged.Failed()) {
			r.sum.KnownJobs--
		}
	}
	r.pool.KnownJobs = r.sum.KnownJobs
	r.nextBatch = func() ([][]string, error) {
		if len(batches) == 0 {
			return nil, io.EOF
		}
		next := batches[0]
		batches = batches[1:]
		return next, nil
	}
	return nil
}

// makeJob makes the next job to run in slot, skipping those --resume finds
// done in the joblog.
func (r *run) makeJob(slot int) (*Job, error) {
	cfg := &r.cfg
	for {
		var records [][]string
		var stdin io.Reader
		var err error
		if r.feed != nil {
			records, stdin, err = r.feed.Next(slot)
			r.seq += r.feed.TakeSkipped()
		} else {
			records, err = r.nextBatch()
		}
		if err != nil {
			return nil, err
		}
		r.seq++
		seq := r.seq
		args := &Args{Records: records, Seq: seq, Slot: slot}
		job := &Job{Seq: seq, Args: records, Stdin: stdin}
		if len(cfg.Command) > 0 {
			job.Argv = r.tmpl.Argv(args)
			job.Line = r.tmpl.Line(args)
		} else {
			line := joinFlat(records)
			lt, err := ParseTemplate([]string{line}, TemplateOptions{Literal: true})
			if err != nil {
				return nil, err
			}
			job.Argv = lt.Argv(args)
			job.Line = line
		}
		if logged, ok := cfg.Resume[seq]; ok {
			if !r.resumeWarned && !r.tmpl.UsesSlot() && logged.Command != job.Line {
				// As GNU: jobs are matched by number, and the jobs that
				// run use this run's command (the fixed one, typically,
				// with --resume-failed). Said once.
				r.resumeWarned = true
				fmt.Fprintf(cfg.Stderr, "parx: warning: job %d in the joblog ran %q, but this run's job %d is %q; jobs are matched by number, and this run's commands are used\n", seq, logged.Command, seq, job.Line)
			}
			if !cfg.ResumeFailed || !logged.Failed() {
				r.sum.Skipped++
				continue
			}
		}
		switch {
		case r.tagTmpl != nil:
			job.Tag = r.tagTmpl.Unquoted(args)
		case cfg.Tag:
			job.Tag = joinFlat(records)
		}
		return job, nil
	}
}

// dryRun prints the jobs instead of running them (--dry-run).
func (r *run) dryRun(src JobSource) error {
	for {
		job, err := src.Next(1)
		if err == io.EOF {
			return r.printer.Flush()
		}
		if err != nil {
			r.printer.Flush()
			return err
		}
		r.sum.Jobs++
		if r.cfg.Trace {
			fmt.Fprintln(r.cfg.Stderr, job.Line)
		}
		if err := r.printer.Line(job.Tag, job.Line); err != nil {
			return err
		}
	}
}

// wire adds the run's observers to the Pool: -t and the --halt message.
// (The joblog is written by emit, once a job's output is out.)
func (r *run) wire() {
	cfg := &r.cfg
	if cfg.Trace {
		r.pool.Observe(Hooks{OnStart: func(j *Job, _ int) { fmt.Fprintln(cfg.Stderr, j.Line) }})
	}
	if r.pool.Halt.When != HaltNever {
		r.pool.Observe(Hooks{OnHalt: func(h *HaltError, running int) {
			if h.Policy.When == HaltSoon && running > 0 {
				fmt.Fprintf(cfg.Stderr, "parx: --halt %s reached: starting no more jobs, waiting for %d running\n", h.Policy, running)
			}
		}})
	}
}

// execute runs the jobs through the Pool, emits each result and sums the
// run up.
func (r *run) execute(ctx context.Context, src JobSource) error {
	cfg := &r.cfg
	out, err := newSink(cfg, r.topt, r.printer, &r.pool)
	if err != nil {
		return err
	}
	if out.live {
		// Output printed while jobs run goes to stdout itself, so a reader
		// that went away is seen as each job ends: stop there, before
		// the job's slot starts the next one (emit, which reports the
		// error, runs later in another goroutine).
		var stop context.CancelCauseFunc
		ctx, stop = context.WithCancelCause(ctx)
		defer stop(nil)
		r.pool.Observe(Hooks{OnDone: func(*Result) {
			if err := r.printer.CheckStdout(); err != nil {
				stop(err)
			}
		}})
	}
	if cfg.Progress != nil {
		switch {
		case cfg.ExpectedJobs > 0:
		case r.pool.KnownJobs > 0: // counted for --halt percentages
			cfg.ExpectedJobs = int64(r.pool.KnownJobs)
		default:
			cfg.ExpectedJobs = knownTotal(cfg)
		}
		src, r.delivered = trackProgress(cfg, &r.pool, src)
	}
	err = r.pool.Run(ctx, src, func(res *Result) error { return r.emit(out, res) })
	var halted *HaltError
	if errors.As(err, &halted) {
		r.sum.Halted, err = halted, nil
	}
	if cerr := out.close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = r.logErr
	}
	return err
}

// emit counts one result and prints it, with a message for a lost host, a
// timeout, or (with --halt) a failure.
func (r *run) emit(out *sink, res *Result) error {
	if res.Cancelled {
		r.sum.Killed++
		return out.drop(res)
	}
	r.sum.Jobs++
	if res.Failed() {
		r.sum.Failed++
	}
	if res.Err != nil {
		r.printer.Stop()
		return res.Err
	}
	if err := out.emit(res); err != nil {
		return err
	}
	if r.delivered != nil {
		r.delivered(res)
	}
	if r.cfg.JobLog != nil {
		// Only now: a job in the joblog has delivered its output, so a
		// --resume after a crash never skips a job whose output was lost
		// (under -k a finished job may wait long behind a slow one). The
		// lines are in the order jobs are printed, as GNU writes them.
		if err := r.cfg.JobLog.Write(res); err != nil && r.logErr == nil {
			r.logErr = err
		}
	}
	stderr, seq, line := r.cfg.Stderr, res.Job.Seq, oneLine(res.Job.Line)
	switch {
	case res.Transport != nil:
		fmt.Fprintf(stderr, "parx: job %d failed: %v (its exit status is unknown): %s\n", seq, res.Transport, line)
	case res.TimedOut:
		fmt.Fprintf(stderr, "parx: job %d timed out after %.3fs and was killed: %s\n", seq, res.Runtime.Seconds(), line)
	case res.Failed() && r.pool.Halt.When != HaltNever:
		fmt.Fprintf(stderr, "parx: job %d failed: %s\n", seq, line)
	}
	return nil
}

// close releases what build set up.
func (r *run) close() {
	if r.feed != nil {
		r.feed.Close()
	}
}

// retryFailedJobs gives the failed jobs of a joblog, in Seq order, as
// shell command lines.
func retryFailedJobs(log map[int64]JobLogEntry) func(int) (*Job, error) {
	var seqs []int64
	for seq, e := range log {
		if e.Failed() {
			seqs = append(seqs, seq)
		}
	}
	slices.Sort(seqs)
	return func(int) (*Job, error) {
		if len(seqs) == 0 {
			return nil, io.EOF
		}
		seq := seqs[0]
		seqs = seqs[1:]
		return &Job{Seq: seq, Line: log[seq].Command}, nil
	}
}

func joinFlat(records [][]string) string {
	var parts []string
	for _, r := range records {
		parts = append(parts, r...)
	}
	return strings.Join(parts, " ")
}

func readAll(in RecordReader) ([][]string, error) {
	var all [][]string
	for {
		r, err := in.Next()
		if err == io.EOF {
			return all, nil
		}
		if err != nil {
			return nil, err
		}
		all = append(all, r)
	}
}

type sliceRecords struct {
	recs [][]string
	i    int
}

func (s *sliceRecords) Next() ([]string, error) {
	if s.i >= len(s.recs) {
		return nil, io.EOF
	}
	s.i++
	return s.recs[s.i-1], nil
}
