package runner

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// sink routes each job's output where the Config says: printed whole
// (Group), printed as it comes (LineBuffer, Ungroup), saved by --results,
// or kept in --files.
type sink struct {
	printer *Printer
	res     *results
	files   bool // print the names of the files that hold stdout
	live    bool // output was printed while the job ran

	mu    sync.Mutex
	names map[int64]string // stdout file of each job not yet emitted
}

// newSink prepares the output of a run and sets pool.Output as needed.
func newSink(cfg *Config, topt TemplateOptions, printer *Printer, pool *Pool) (*sink, error) {
	o := &sink{printer: printer, files: cfg.Files, names: map[int64]string{}}
	printer.TmpDir = pool.TmpDir
	if cfg.Results != "" {
		if cfg.Files && kindOfResults(cfg.Results) != resultsDir {
			return nil, errors.New("--files cannot be used with --results FILE.csv, .tsv, .json or .jsonl")
		}
		r, err := newResults(cfg.Results, topt, cfg.Stdout)
		if err != nil {
			return nil, err
		}
		o.res = r
	}
	switch {
	case o.res != nil && o.res.toFiles():
		pool.Output = o.openResults
	case o.res != nil:
		// Saved whole from the Buffers when each job ends.
	case cfg.Files:
		pool.Output = o.openFile
	case cfg.Output == LineBuffer && pool.Retries > 1:
		// Only the last attempt of a job is printed, as in GNU: its
		// output can only be known to be the last when the job ends.
	case cfg.Output != Group:
		o.live = true
		mode := cfg.Output
		printer.Ordered = pool.KeepOrder && mode == LineBuffer
		pool.Output = func(j *Job) (JobOutput, error) { return printer.Live(j, mode) }
	}
	return o, nil
}

func (o *sink) openResults(j *Job) (JobOutput, error) {
	stdout, stderr, err := o.res.open(j)
	if err != nil {
		return JobOutput{}, err
	}
	o.remember(j.Seq, stdout.Name())
	return JobOutput{Stdout: stdout, Stderr: stderr, Close: func() error { return closeAll(stdout, stderr) }}, nil
}

// closeAll closes each of cs and returns the first error.
func closeAll(cs ...io.Closer) error {
	var first error
	for _, c := range cs {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// openFile makes the file that keeps a job's stdout for --files, named as
// GNU names it: TMPDIR/parXXXXX.par.
func (o *sink) openFile(j *Job) (JobOutput, error) {
	o.mu.Lock()
	name, retry := o.names[j.Seq]
	o.mu.Unlock()
	var f *os.File
	var err error
	if retry {
		f, err = os.Create(name) // a retried job starts its file again
	} else {
		f, err = os.CreateTemp(o.printer.TmpDir, "par*.par")
	}
	if err != nil {
		return JobOutput{}, fmt.Errorf("--files: %w", err)
	}
	o.remember(j.Seq, f.Name())
	return JobOutput{Stdout: f, Close: f.Close}, nil
}

func (o *sink) remember(seq int64, name string) {
	o.mu.Lock()
	o.names[seq] = name
	o.mu.Unlock()
}

// emit prints or saves a finished job's output.
func (o *sink) emit(r *Result) error {
	o.mu.Lock()
	name := o.names[r.Job.Seq]
	delete(o.names, r.Job.Seq)
	o.mu.Unlock()
	switch {
	case o.res != nil && !o.res.toFiles():
		return o.res.write(r)
	case o.files:
		if err := o.printer.Line(r.Job.Tag, name); err != nil {
			return err
		}
		if o.res != nil {
			return o.printer.Flush()
		}
		return o.printer.Print(r) // stderr
	case o.live:
		if err := o.printer.CheckStdout(); err != nil {
			return err
		}
		return o.printer.Done(r.Job.Seq)
	case o.res != nil:
		return nil
	}
	return o.printer.Print(r)
}

// drop forgets a job that was killed unfinished (Result.Cancelled): its
// output is not printed.
func (o *sink) drop(r *Result) error {
	o.mu.Lock()
	delete(o.names, r.Job.Seq)
	o.mu.Unlock()
	if o.live {
		o.printer.Drop(r.Job.Seq)
	}
	return nil
}

// close finishes the results file, if any.
func (o *sink) close() error {
	if o.res != nil {
		return o.res.Close()
	}
	return nil
}
