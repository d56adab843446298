package cmd

import (
	"fmt"
	"os"

	"github.com/spf13/pflag"

	"github.com/parx-dev/parx/runner"
)

// outputOptions holds the output and progress flags. Its zero value is
// GNU's defaults: grouped output, no progress.
type outputOptions struct {
	group, lineBuffer, ungroup bool
	files                      bool
	results                    string
	progress                   progressStyle
	forceProgress              bool
	totalJobs                  int64
}

func defineOutputFlags(fs *pflag.FlagSet, o *outputOptions) {
	fs.BoolVar(&o.group, "group", false, "print each job's output whole when it ends (the default)")
	fs.BoolVar(&o.lineBuffer, "line-buffer", false, "print output as it comes, a whole line at a time")
	fs.BoolVar(&o.lineBuffer, "lb", false, "same as --line-buffer")
	fs.BoolVarP(&o.ungroup, "ungroup", "u", false, "print output as it comes, unbuffered (lines may mix)")
	fs.BoolVar(&o.files, "files", false, "keep each job's stdout in a file in --tmpdir and print its name")
	fs.StringVar(&o.results, "results", "", "save output under `NAME`: a directory tree, NAME{} files, or NAME.csv .tsv .json .jsonl")
	fs.StringVar(&o.results, "res", "", "same as --results")
	fs.BoolVar(&o.progress.bar, "bar", false, "show a progress bar on stderr (when it is a terminal)")
	fs.BoolVar(&o.progress.counts, "progress", false, "show progress with running and failed counts on stderr (when a terminal)")
	fs.BoolVar(&o.progress.eta, "eta", false, "show progress with the estimated time left on stderr (when a terminal)")
	fs.Int64Var(&o.totalJobs, "total-jobs", 0, "count progress against `N` jobs until the input ends")
	fs.Int64Var(&o.totalJobs, "total", 0, "same as --total-jobs")
	fs.BoolVar(&o.forceProgress, "force-progress", false, "draw --bar, --progress and --eta even when stderr is not a terminal")
}

// apply puts the output options into cfg. The returned function ends the
// progress display; call it when the run is over.
func (o *outputOptions) apply(cfg *runner.Config, tmpdir string) (func(), error) {
	none := func() {}
	if o.totalJobs < 0 {
		return none, fmt.Errorf("--total-jobs must not be negative, not %d", o.totalJobs)
	}
	if tmpdir != "" {
		if st, err := os.Stat(tmpdir); err != nil {
			return none, fmt.Errorf("--tmpdir: %w", err)
		} else if !st.IsDir() {
			return none, fmt.Errorf("--tmpdir %s: not a directory", tmpdir)
		}
	}
	switch {
	case o.ungroup:
		cfg.Output = runner.Ungroup
	case o.lineBuffer:
		cfg.Output = runner.LineBuffer
	}
	cfg.Files, cfg.Results = o.files, o.results
	cfg.ExpectedJobs = o.totalJobs
	if !o.progress.on() || !(o.forceProgress || isTerminal(cfg.Stderr)) {
		return none, nil
	}
	p := newProgress(o.progress, cfg.Stderr)
	cfg.Progress = p.update
	if isTerminal(cfg.Stdout) {
		cfg.Stdout = p.writer(cfg.Stdout)
	}
	cfg.Stderr = p.writer(cfg.Stderr)
	return p.finish, nil
}
