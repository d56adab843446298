package runner

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
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

	Stdout, Stderr io.Writer
}

// Summary counts what a run did.
type Summary struct {
	Jobs   int // jobs that ran (or were printed, with DryRun)
	Failed int // jobs that failed
}

// ExitStatus is GNU parallel's exit status for the run: 0 if every job
// succeeded, the number of failed jobs up to 100, and 101 beyond that.
func (s Summary) ExitStatus() int {
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

	var in RecordReader = recs
	if cfg.Shuffle {
		all, err := readAll(recs)
		if err != nil {
			return sum, err
		}
		rand.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
		in = &sliceRecords{recs: all}
	}
	pool := cfg.Pool
	b := newBatcher(in, tmpl, cfg.Batch, pool.slots)

	var seq int64
	makeJob := func(slot int) (*Job, error) {
		records, err := b.next()
		for err == nil && len(cfg.Command) == 0 && strings.TrimSpace(joinFlat(records)) == "" {
			records, err = b.next() // no command: blank lines run nothing
		}
		if err != nil {
			return nil, err
		}
		seq++
		args := &Args{Records: records, Seq: seq, Slot: slot}
		job := &Job{Seq: seq, Args: records}
		if len(cfg.Command) > 0 {
			job.Argv = tmpl.Argv(args)
			if job.Argv == nil || cfg.DryRun || cfg.Trace || cfg.ShowCommand || cfg.Results != "" {
				job.Line = tmpl.Line(args)
			}
		} else {
			line := joinFlat(records)
			lt, err := ParseTemplate([]string{line}, TemplateOptions{Literal: true})
			if err != nil {
				return nil, err
			}
			job.Argv = lt.Argv(args)
			job.Line = line
		}
		switch {
		case tagTmpl != nil:
			job.Tag = tagTmpl.Unquoted(args)
		case cfg.Tag:
			job.Tag = joinFlat(records)
		}
		return job, nil
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
		pool.OnStart = func(j *Job, _ int) { fmt.Fprintln(cfg.Stderr, j.Line) }
	}
	out, err := newOutput(&cfg, topt, printer, &pool)
	if err != nil {
		return sum, err
	}
	var src JobSource = JobSourceFunc(makeJob)
	if cfg.Progress != nil {
		if cfg.TotalJobs == 0 {
			cfg.TotalJobs = knownTotal(&cfg)
		}
		src = trackProgress(&cfg, &pool, src)
	}
	err = pool.Run(ctx, src, func(r *Result) error {
		sum.Jobs++
		if r.Failed() {
			sum.Failed++
		}
		if r.Err != nil {
			printer.Stop()
			return r.Err
		}
		return out.emit(r)
	})
	if cerr := out.close(); err == nil {
		err = cerr
	}
	return sum, err
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
