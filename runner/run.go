package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
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
	// TotalJobs is how many jobs Progress counts against until the input
	// ends (--total-jobs); zero means unknown.
	TotalJobs int64
	// Pipe, when not nil, is --pipe mode: jobs get blocks of input on
	// their stdin instead of arguments, and Sources and Records are not
	// used. Command must not be empty.
	Pipe *PipeOptions

	// JobLog, if set, gets a line for each job as soon as it finishes.
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
	// Total is the number of jobs in all when it was known in advance
	// (percentage halt policies read all input first); zero otherwise.
	Total int
	// Policy is the run's halt policy and Halted, if set, says that it
	// stopped the run.
	Policy Halt
	Halted *HaltError
}

// ExitStatus is GNU parallel's exit status for the run: 0 if every job
// succeeded, the number of failed jobs up to 100, and 101 beyond that.
// With a halt policy, as GNU: a run halted by a success exits 0; one halted
// by a count of 1 exits with that job's status (128+N for signal N); a
// percentage policy gives the rounded-up percentage of jobs that failed.
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
	if s.Policy.Percent > 0 && s.Policy.Why != HaltOnSuccess {
		total := s.Total
		if total == 0 {
			total = s.Jobs
		}
		return percentFailed(s.Failed, total)
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
	var sum Summary
	if cfg.Pipe != nil {
		if len(cfg.Command) == 0 {
			return sum, errPipeNoCommand
		}
		cfg.Sources, cfg.Records = nil, RecordOptions{}
		// The block is the input: nothing is appended, except the file
		// name of --cat and --fifo.
		cfg.Template.NoAppend = !cfg.Pipe.Cat && !cfg.Pipe.Fifo
	}
	recs, err := NewRecords(cfg.Sources, cfg.Records)
	if err != nil {
		return sum, err
	}
	topt := cfg.Template
	topt.Header = recs.Header()
	var tmpl *Template
	if len(cfg.Command) > 0 {
		if tmpl, err = ParseTemplate(cfg.Command, topt); err != nil {
			return sum, err
		}
	} else {
		// No command: each record is a command line, with nothing appended.
		if tmpl, err = ParseTemplate(nil, TemplateOptions{NoAppend: true}); err != nil {
			return sum, err
		}
	}
	var tagTmpl *Template
	if cfg.TagString != "" {
		if tagTmpl, err = ParseTemplate([]string{cfg.TagString}, TemplateOptions{Replace: topt.Replace, Header: topt.Header, NoAppend: true, ForceShell: true}); err != nil {
			return sum, fmt.Errorf("--tagstring: %w", err)
		}
	}

	var in RecordReader = &nulEscaper{in: recs, w: cfg.Stderr}
	if cfg.Shuffle {
		all, err := readAll(in)
		if err != nil {
			return sum, err
		}
		rand.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
		in = &sliceRecords{recs: all}
	}
	pool := cfg.Pool
	if pool.Warnings == nil {
		pool.Warnings = cfg.Stderr
	}
	sum.Policy = pool.Halt
	b := newBatcher(in, tmpl, cfg.Batch, pool.slots)
	var feed *blockFeed
	if cfg.Pipe != nil {
		if feed, err = newBlockFeed(ctx, *cfg.Pipe, pool.slots, pool.TmpDir); err != nil {
			return sum, err
		}
		defer feed.close()
		if d := feed.robin; d != nil {
			pool.Observe(Hooks{
				OnStart:     func(job *Job, _ int) { d.started(job.Stdin) },
				OnLastStart: d.stopStarting,
			})
		}
	}
	nextBatch := func() ([][]string, error) {
		records, err := b.next()
		for err == nil && len(cfg.Command) == 0 && strings.TrimSpace(joinFlat(records)) == "" {
			records, err = b.next() // no command: blank lines run nothing
		}
		return records, err
	}
	if pool.Halt.Percent > 0 && !cfg.DryRun && cfg.RetryFailed == nil && feed == nil {
		// A percentage is of all jobs, as in GNU parallel: count them first.
		var batches [][][]string
		for {
			records, err := nextBatch()
			if err == io.EOF {
				break
			}
			if err != nil {
				return sum, err
			}
			batches = append(batches, records)
		}
		sum.Total = len(batches)
		for seq := range cfg.Resume {
			if seq <= int64(len(batches)) && (!cfg.ResumeFailed || !cfg.Resume[seq].Failed()) {
				sum.Total--
			}
		}
		pool.TotalJobs = sum.Total
		nextBatch = func() ([][]string, error) {
			if len(batches) == 0 {
				return nil, io.EOF
			}
			r := batches[0]
			batches = batches[1:]
			return r, nil
		}
	}

	var seq int64
	makeJob := func(slot int) (*Job, error) {
		for {
			var records [][]string
			var stdin io.Reader
			var err error
			if feed != nil {
				records, stdin, err = feed.next(slot)
				seq += feed.takeSkipped()
			} else {
				records, err = nextBatch()
			}
			if err != nil {
				return nil, err
			}
			seq++
			args := &Args{Records: records, Seq: seq, Slot: slot}
			job := &Job{Seq: seq, Args: records, Stdin: stdin}
			if len(cfg.Command) > 0 {
				job.Argv = tmpl.Argv(args)
				job.Line = tmpl.Line(args)
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
				if !tmpl.UsesSlot() && logged.Command != job.Line {
					return nil, fmt.Errorf("cannot resume: job %d in the joblog ran %q, but this run's job %d is %q", seq, logged.Command, seq, job.Line)
				}
				if !cfg.ResumeFailed || !logged.Failed() {
					sum.Skipped++
					continue
				}
			}
			switch {
			case tagTmpl != nil:
				job.Tag = tagTmpl.Unquoted(args)
			case cfg.Tag:
				job.Tag = joinFlat(records)
			}
			return job, nil
		}
	}
	if cfg.RetryFailed != nil {
		makeJob = retryFailedJobs(cfg.RetryFailed)
	}

	printer := NewPrinter(cfg.Stdout, cfg.Stderr)
	printer.ShowCommand = cfg.ShowCommand
	if cfg.DryRun {
		for {
			job, err := makeJob(1)
			if err == io.EOF {
				return sum, printer.Flush()
			}
			if err != nil {
				printer.Flush()
				return sum, err
			}
			sum.Jobs++
			if cfg.Trace {
				fmt.Fprintln(cfg.Stderr, job.Line)
			}
			if err := printer.Line(job.Tag, job.Line); err != nil {
				return sum, err
			}
		}
	}
	if cfg.Trace {
		pool.Observe(Hooks{OnStart: func(j *Job, _ int) { fmt.Fprintln(cfg.Stderr, j.Line) }})
	}
	var logErr error
	if cfg.JobLog != nil {
		pool.Observe(Hooks{OnDone: func(r *Result) {
			if err := cfg.JobLog.Write(r); err != nil && logErr == nil {
				logErr = err
			}
		}})
	}
	if pool.Halt.When != HaltNever {
		pool.Observe(Hooks{OnHalt: func(h *HaltError, running int) {
			if h.Policy.When == HaltSoon && running > 0 {
				fmt.Fprintf(cfg.Stderr, "parx: --halt %s reached: starting no more jobs, waiting for %d running\n", h.Policy, running)
			}
		}})
	}
	out, err := newOutput(&cfg, topt, printer, &pool)
	if err != nil {
		return sum, err
	}
	var src JobSource = JobSourceFunc(makeJob)
	if cfg.Progress != nil {
		switch {
		case cfg.TotalJobs > 0:
		case pool.TotalJobs > 0: // counted for --halt percentages
			cfg.TotalJobs = int64(pool.TotalJobs)
		default:
			cfg.TotalJobs = knownTotal(&cfg)
		}
		src = trackProgress(&cfg, &pool, src)
	}
	err = pool.Run(ctx, src, func(r *Result) error {
		if r.Cancelled {
			sum.Killed++
			return out.drop(r)
		}
		sum.Jobs++
		if r.Failed() {
			sum.Failed++
		}
		if r.Err != nil {
			printer.Stop()
			return r.Err
		}
		if err := out.emit(r); err != nil {
			return err
		}
		switch {
		case r.Transport != nil:
			fmt.Fprintf(cfg.Stderr, "parx: job %d failed: %v (its exit status is unknown): %s\n", r.Job.Seq, r.Transport, oneLine(r.Job.Line))
		case r.TimedOut:
			fmt.Fprintf(cfg.Stderr, "parx: job %d timed out after %.3fs and was killed: %s\n", r.Job.Seq, r.Runtime.Seconds(), oneLine(r.Job.Line))
		case r.Failed() && pool.Halt.When != HaltNever:
			fmt.Fprintf(cfg.Stderr, "parx: job %d failed: %s\n", r.Job.Seq, oneLine(r.Job.Line))
		}
		return nil
	})
	var halted *HaltError
	if errors.As(err, &halted) {
		sum.Halted, err = halted, nil
	}
	if cerr := out.close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = logErr
	}
	return sum, err
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
