// Package cmd is parx's command line: it parses flags GNU-parallel style
// into a runner.Config and turns the outcome into an exit status. All job
// behaviour lives in package runner.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/parx-dev/parx/runner"
	"github.com/parx-dev/parx/subproc"
)

// Version is parx's version, printed by --version.
const Version = "0.1.0"

// Exit statuses besides GNU's 0-101 job counts.
const (
	// ExitUsage is for bad options, unreadable input and other errors found
	// before or while reading input, as GNU parallel uses 255.
	ExitUsage = 255
	// exitSignal is added to the number of a signal that stopped the run.
	exitSignal = 128
)

// options holds the parsed flags. Its zero value is GNU's defaults.
type options struct {
	jobs         string
	keepOrder    bool
	argFiles     []string
	argSep       string
	argFileSep   string
	null         bool
	delimiter    string
	eof          string
	noRunIfEmpty bool
	colsep       string
	trim         string
	header       string
	link         bool
	replace      runner.ReplaceStrings
	maxArgs      int
	maxReplace   int
	xargs        bool // -X
	xargsFill    bool // --xargs
	multi        bool
	maxLines     int // -L
	lines        int // -l and --max-lines: as -L, but 0 means 1
	maxChars     int
	exitTooLong  bool
	quote        bool
	shellquote   bool
	tag          bool
	tagstring    string
	trace        bool
	showCommand  bool
	dryRun       bool
	delay        string
	nice         int
	shuf         bool
	env          []string
	tmpdir       string
	out          outputOptions
	halt         string
	timeout      string
	retries      int
	joblog       string
	resume       bool
	resumeFailed bool
	retryFailed  bool
	termseq      string
	load         string
	memfree      string

	pipe   pipeFlags   // --pipe, --pipe-part and their options (cmd/pipe.go)
	compat compatFlags // options GNU's scripts carry that ask nothing (cmd/compat.go)
	alias  aliasFlags  // GNU's other names and small options (cmd/compat.go)

	version bool
}

// stopSignals carries the signals that stop a run part way: SIGINT and
// SIGTERM cancel the context; these say what else happened.
type stopSignals struct {
	drain chan struct{} // closed on SIGHUP: start no new jobs
	abort chan struct{} // closed on a second SIGINT: kill at once
}

// Main runs parx with the given arguments and streams and returns its exit
// status.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if os.Getenv("GOMEMLIMIT") == "" {
		// Output waiting in memory is bounded by DefaultMemoryLimit; this
		// keeps the garbage collector from letting the heap grow to twice
		// that before it runs.
		debug.SetMemoryLimit(runner.DefaultMemoryLimit + 16<<20)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	stops := stopSignals{drain: make(chan struct{}), abort: make(chan struct{})}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	finished := make(chan struct{})
	defer close(finished)
	go watchSignals(sigs, cancel, stops, finished)
	// With SIGPIPE caught (not ignored, which jobs would inherit), a
	// closed stdout gives EPIPE on write instead of killing parx outright
	// and leaving its jobs running.
	pipes := make(chan os.Signal, 1)
	signal.Notify(pipes, syscall.SIGPIPE)
	defer signal.Stop(pipes)
	status, err := run(ctx, stops, args, stdin, stdout, stderr)
	if errors.Is(err, syscall.EPIPE) {
		// The reader went away (parx ... | head): stop quietly, as a
		// pipeline's writer does.
		return exitSignal + int(syscall.SIGPIPE)
	}
	if err != nil {
		fmt.Fprintf(stderr, "parx: %v\n", err)
	}
	return status
}

// watchSignals turns signals into the run's stop requests: the first
// SIGINT or SIGTERM cancels ctx (jobs are killed with the termination
// sequence), a second SIGINT kills them at once, and SIGHUP starts no new
// jobs.
func watchSignals(sigs <-chan os.Signal, cancel context.CancelCauseFunc, stops stopSignals, finished <-chan struct{}) {
	stopping, hup := false, false
	for {
		select {
		case s := <-sigs:
			switch sig := s.(syscall.Signal); {
			case sig == syscall.SIGHUP:
				if !hup {
					hup = true
					close(stops.drain)
				}
			case !stopping:
				stopping = true
				cancel(signalError{sig})
			case sig == syscall.SIGINT:
				close(stops.abort)
				return
			}
		case <-finished:
			return
		}
	}
}

func run(ctx context.Context, stops stopSignals, args []string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	status := 0
	var runErr error
	root := newRootCmd(stdin, stdout, stderr, func(c *cobra.Command, o *options, pos []string) {
		status, runErr = execute(ctx, stops, c, o, pos, stdin, stdout, stderr)
	})
	root.SetArgs(attachedL(root.Flags(), args))
	if err := root.Execute(); err != nil {
		return ExitUsage, explainFlagError(err)
	}
	return status, runErr
}

func newRootCmd(stdin io.Reader, stdout, stderr io.Writer, runF func(*cobra.Command, *options, []string)) *cobra.Command {
	o := &options{}
	root := &cobra.Command{
		Use:   "parx [options] [command [arguments]] [::: values | :::: files ...]",
		Short: "Run jobs in parallel, GNU parallel style",
		Long: `parx runs a command once for each input value, many at a time, and prints
each job's output whole, like GNU parallel and xargs -P.

Input comes from standard input (one value per line), from values after :::,
or from files after :::: or -a. In the command, {} stands for the value,
{.} {/} {//} {/.} for parts of it, {#} for the job number and {%} for the
job slot; with none of them, the value is appended. With no command, each
input line is run as a command.`,
		Example: `  parx -k echo ::: a b c
  find . -name '*.log' | parx gzip
  parx -j4 convert {} {.}.png ::: *.jpg
  parx 'echo {1}-{2}' ::: a b ::: 1 2`,
		Args:          cobra.ArbitraryArgs,
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(c *cobra.Command, pos []string) error {
			if o.version {
				_, err := fmt.Fprintf(stdout, "parx %s\n", Version)
				return err
			}
			runF(c, o, pos)
			return nil
		},
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	fs := root.Flags()
	fs.SetInterspersed(false) // everything from the command on is positional
	fs.SortFlags = false      // --help lists related options together
	defineFlags(fs, o)
	// Not cobra's Version field: its version template is text/template,
	// whose reflection makes the linker keep every exported method of every
	// type, nearly doubling the binary and its start-up.
	fs.BoolVar(&o.version, "version", false, "print parx's version and exit")
	root.AddCommand(newCompletionCmd())
	defaultHelp := root.HelpFunc()
	root.SetHelpFunc(func(c *cobra.Command, args []string) {
		if c != root {
			defaultHelp(c, args) // subcommands: cobra's own help
			return
		}
		writeHelp(c.OutOrStdout(), c)
	})
	return root
}

func defineFlags(fs *pflag.FlagSet, o *options) {
	// Input.
	fs.StringArrayVarP(&o.argFiles, "arg-file", "a", nil, "read values from `FILE` (repeatable; - is stdin)")
	fs.StringVar(&o.argSep, "arg-sep", ":::", "use `SEP` instead of ::: before values")
	fs.StringVar(&o.argFileSep, "arg-file-sep", "::::", "use `SEP` instead of :::: before files")
	fs.BoolVarP(&o.null, "null", "0", false, "input values end with NUL, not newline")
	fs.StringVarP(&o.delimiter, "delimiter", "d", "", "input values end with `DELIM` (\\n \\t \\0 \\\\ \\xHH escapes)")
	fs.StringVarP(&o.eof, "eof", "E", "", "stop reading input at a value equal to `STR`")
	fs.BoolVarP(&o.noRunIfEmpty, "no-run-if-empty", "r", false, "skip empty and blank input values")
	fs.StringVar(&o.colsep, "colsep", "", "split values into columns {1} {2} … at `REGEXP`")
	fs.StringVar(&o.trim, "trim", "n", "trim white space from values: n, l, r or lr")
	fs.StringVar(&o.header, "header", "", "first input line names the columns, for {name} (use :)")
	fs.BoolVar(&o.link, "link", false, "pair input sources value by value instead of every combination")
	fs.BoolVar(&o.link, "xapply", false, "same as --link")
	fs.BoolVar(&o.shuf, "shuf", false, "run jobs in random order (reads all input first)")

	// Command.
	fs.StringVarP(&o.replace.Value, "replace", "I", "", "use `STR` instead of {}")
	fs.StringVar(&o.replace.NoExt, "extensionreplace", "", "use `STR` instead of {.}")
	fs.StringVar(&o.replace.NoExt, "er", "", "same as --extensionreplace")
	fs.StringVar(&o.replace.Base, "basenamereplace", "", "use `STR` instead of {/}")
	fs.StringVar(&o.replace.Base, "bnr", "", "same as --basenamereplace")
	fs.StringVar(&o.replace.Dir, "dirnamereplace", "", "use `STR` instead of {//}")
	fs.StringVar(&o.replace.Dir, "dnr", "", "same as --dirnamereplace")
	fs.StringVar(&o.replace.BaseNoExt, "basenameextensionreplace", "", "use `STR` instead of {/.}")
	fs.StringVar(&o.replace.BaseNoExt, "bner", "", "same as --basenameextensionreplace")
	fs.StringVar(&o.replace.Seq, "seqreplace", "", "use `STR` instead of {#}")
	fs.StringVar(&o.replace.Slot, "slotreplace", "", "use `STR` instead of {%}")
	fs.IntVarP(&o.maxArgs, "max-args", "n", 0, "at most `N` values per job")
	fs.IntVarP(&o.maxReplace, "max-replace-args", "N", 0, "at most `N` values per job, repeating words that hold {}")
	fs.BoolVarP(&o.xargs, "X", "X", false, "fill each command line with values, repeating words that hold {}")
	fs.BoolVar(&o.xargsFill, "xargs", false, "fill every command line with values to the limit, as xargs does (no spreading over slots)")
	fs.BoolVarP(&o.multi, "m", "m", false, "fill each command line with values, joined in place of {}")
	fs.IntVarP(&o.maxLines, "L", "L", 0, "at most `N` input lines per job (-L 0: one line, no value passed, as -n 0)")
	fs.IntVar(&o.lines, "max-lines", 0, "as -L `N`, except that 0 means 1 (as in GNU parallel)")
	fs.IntVarP(&o.lines, "l", "l", 0, "as --max-lines, with N attached (-l2); -l alone is -l1")
	fs.Lookup("l").NoOptDefVal = "1"
	fs.IntVarP(&o.maxChars, "max-chars", "s", 0, "command lines shorter than `N` characters")
	fs.BoolVarP(&o.exitTooLong, "exit", "x", false, "exit if a command line would be too long (always so in parx)")
	fs.BoolVarP(&o.quote, "quote", "q", false, "quote the command: each word is one argument")
	fs.BoolVar(&o.shellquote, "shellquote", false, "print each input value shell-quoted; run nothing")

	// Output.
	fs.BoolVarP(&o.keepOrder, "keep-order", "k", false, "print output in input order")
	fs.BoolVar(&o.tag, "tag", false, "prefix output lines with the job's values and a TAB")
	fs.StringVar(&o.tagstring, "tagstring", "", "prefix output lines with `STR` (replacement strings work) and a TAB")
	fs.BoolVarP(&o.trace, "verbose", "t", false, "print each command on stderr before running it")
	fs.BoolVarP(&o.showCommand, "v", "v", false, "print each command on stdout with its output")
	fs.BoolVar(&o.dryRun, "dry-run", false, "print the commands; run nothing")
	fs.StringVar(&o.tmpdir, "tmpdir", "", "spill big outputs to `DIR` (default $TMPDIR)")
	defineOutputFlags(fs, &o.out)

	// Job control.
	fs.StringVarP(&o.jobs, "jobs", "j", "", "run `N` jobs at once: N, +N, -N, N%, 0 (max) or a FILE holding one (default: CPU cores)")
	fs.StringVarP(&o.jobs, "max-procs", "P", "", "same as --jobs")
	fs.StringVar(&o.delay, "delay", "", "wait `SECS` between job starts")
	fs.IntVar(&o.nice, "nice", 0, "run jobs at niceness `N`")
	fs.StringArrayVar(&o.env, "env", nil, "accepted for GNU compatibility: jobs inherit the whole environment (`VAR`)")
	fs.StringVar(&o.halt, "halt", "never", "stop early by `POLICY`: never, or soon|now,fail|success|done=N or N% (also 0, 1, 2)")
	fs.StringVar(&o.halt, "halt-on-error", "never", "same as --halt")
	fs.StringVar(&o.timeout, "timeout", "", "kill a job after `SECS` (s, m, h, d suffixes), or N% of the median runtime")
	fs.IntVar(&o.retries, "retries", 0, "run a failing job up to `N` times in all")
	fs.StringVar(&o.joblog, "joblog", "", "log each job to `FILE` once its output is printed (GNU's TSV; +FILE appends)")
	fs.BoolVar(&o.resume, "resume", false, "skip the jobs already in the --joblog")
	fs.BoolVar(&o.resumeFailed, "resume-failed", false, "skip the jobs in the --joblog that succeeded; run failed ones again")
	fs.BoolVar(&o.retryFailed, "retry-failed", false, "run the failed jobs of the --joblog again, with their logged commands")
	fs.StringVar(&o.termseq, "termseq", "", "how to stop a job: `SEQ` of signal,ms,… (default TERM,200,TERM,100,TERM,50,KILL,25)")
	fs.StringVar(&o.load, "load", "", "start no job while the 1-minute load average is at or above `MAX` (or N% of the cores)")
	fs.StringVar(&o.memfree, "memfree", "", "start no job while less than `SIZE` memory is free (k, M, G suffixes)")

	// Pipe mode.
	definePipeFlags(fs, &o.pipe)
	defineCompatFlags(fs, &o.compat)
	defineAliasFlags(fs, o)
}

// gnuOnly lists GNU parallel options parx does not implement, so that using
// one says so instead of "unknown flag".
var gnuOnly = map[string]bool{
	"sshlogin": true, "sshloginfile": true, "slf": true, "transfer": true, "return": true, "cleanup": true,
	"trc": true, "basefile": true, "nonall": true, "onall": true, "semaphore": true, "sem": true,
	"sql": true, "sqlmaster": true, "sqlworker": true,
	"tee": true, "compress": true, "ctag": true, "ctagstring": true,
	"tty": true, "interactive": true, "keep-order-out": true,
	"plus": true, "parens": true, "rpl": true, "fg": true, "bg": true, "latest-line": true, "ll": true,
	"group-by": true, "shard": true, "template": true, "tmux": true, "tmuxpane": true, "xargs-compat": true,
	"csv": true, "S": true, "p": true, "w": true, "i": true,
}

var unknownFlag = regexp.MustCompile(`unknown (?:shorthand )?flag: (?:'(.)' in -\S+|--?([^\s=]+))`)

// explainFlagError turns pflag's errors into parx's one-line style, naming
// GNU options that parx knows but does not implement.
func explainFlagError(err error) error {
	msg := err.Error()
	if m := unknownFlag.FindStringSubmatch(msg); m != nil {
		name := m[1] + m[2]
		dash := "--"
		if len(name) == 1 {
			dash = "-"
		}
		if gnuOnly[name] {
			return fmt.Errorf("option %s%s is a GNU parallel option that parx does not implement", dash, name)
		}
		return fmt.Errorf("unknown option %s%s (see parx --help)", dash, name)
	}
	var bad *pflag.InvalidValueError
	if errors.As(err, &bad) {
		return explainValueError(bad)
	}
	return errors.New(strings.TrimSuffix(msg, "\n"))
}

// explainValueError words a value pflag could not parse as parx words its
// own flag errors, naming the option and the value instead of showing
// strconv's internals.
func explainValueError(e *pflag.InvalidValueError) error {
	f := e.GetFlag()
	name := "--" + f.Name
	if f.Shorthand != "" && f.Shorthand != f.Name {
		name = "-" + f.Shorthand + "/" + name
	} else if len(f.Name) == 1 {
		name = "-" + f.Name
	}
	var num *strconv.NumError
	switch {
	case errors.As(e, &num) && errors.Is(num.Err, strconv.ErrRange):
		return fmt.Errorf("%s: %q is too large a number", name, e.GetValue())
	case f.Value.Type() == "bool":
		return fmt.Errorf("%s: %q is not true or false", name, e.GetValue())
	case strings.HasPrefix(f.Value.Type(), "int"), strings.HasPrefix(f.Value.Type(), "uint"):
		return fmt.Errorf("%s: %q is not a whole number", name, e.GetValue())
	}
	return fmt.Errorf("%s: invalid value %q", name, e.GetValue())
}

// execute runs parx proper: build the run's configuration from the flags,
// run it, and turn the outcome into the exit status.
func execute(ctx context.Context, stops stopSignals, c *cobra.Command, o *options, pos []string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	if o.shellquote {
		return shellquote(o, stdin, stdout)
	}
	if status, done, err := o.compat.answer(stdout); done {
		return status, err
	}
	if status, done, err := o.alias.answer(stdout); done {
		return status, err
	}
	cfg, release, err := buildConfig(c.Flags(), o, pos, stdin, stdout, stderr)
	defer release()
	if err != nil {
		return ExitUsage, err
	}
	cfg.Pool.Drain, cfg.Pool.Abort = stops.drain, stops.abort
	sum, err := runner.Run(ctx, cfg)
	return exitStatus(ctx, stops, sum, err)
}

// buildConfig maps the flags and positional arguments onto a runner.Config,
// running nothing. release closes the files it opened (input files, the
// joblog) and finishes the output (such as --results FILE.csv); call it
// once the run is over, whatever the error.
func buildConfig(fl *pflag.FlagSet, o *options, pos []string, stdin io.Reader, stdout, stderr io.Writer) (cfg runner.Config, release func(), err error) {
	var closers []func()
	release = func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	command, sourceArgs := splitSources(pos, o.argSep, o.argFileSep)
	cfg = runner.Config{Command: command, Stdout: stdout, Stderr: stderr}
	if cfg.Sources, err = inputSources(fl, o, sourceArgs, stdin, &closers); err != nil {
		return cfg, release, err
	}
	if cfg.Records, err = recordOptions(fl, o); err != nil {
		return cfg, release, err
	}
	lines, err := batching(fl, o, &cfg)
	if err != nil {
		return cfg, release, err
	}
	if cfg.Pool, err = poolOptions(fl, o); err != nil {
		return cfg, release, err
	}
	if err := joblogOptions(o, &cfg, &closers); err != nil {
		return cfg, release, err
	}
	cfg.DryRun, cfg.Trace, cfg.ShowCommand = o.dryRun, o.trace, o.showCommand
	cfg.Tag, cfg.TagString, cfg.Shuffle = o.tag, o.tagstring, o.shuf
	finish, err := o.out.apply(&cfg, o.tmpdir)
	if err != nil {
		return cfg, release, err
	}
	closers = append(closers, finish)
	cfg.Pipe, err = o.pipe.options(fl, stdin, o.argFiles, o.maxReplace, lines, o.header)
	return cfg, release, err
}

// inputSources opens the input sources: -a files, then ::: values and ::::
// files in order, else stdin.
func inputSources(fl *pflag.FlagSet, o *options, sourceArgs []sourceArgs, stdin io.Reader, closers *[]func()) ([]runner.SourceSpec, error) {
	ropt := runner.ReaderOptions{SkipEmpty: o.noRunIfEmpty}
	switch {
	case o.null:
		ropt.Delim = "\x00"
	case fl.Changed("delimiter"):
		d, err := parseDelimiter(o.delimiter)
		if err != nil {
			return nil, err
		}
		ropt.Delim = d
	}
	if fl.Changed("eof") {
		ropt.EOF, ropt.HasEOF = o.eof, true
	}
	var sources []runner.SourceSpec
	var openErr error
	stdinUsed := false
	openFile := func(name string) runner.Source {
		if name == "-" {
			stdinUsed = true
			return runner.NewReaderSource(stdin, "standard input", ropt)
		}
		f, err := os.Open(name)
		if err != nil {
			if openErr == nil {
				openErr = fmt.Errorf("cannot open input file %w", err)
			}
			return &runner.SliceSource{}
		}
		*closers = append(*closers, func() { f.Close() })
		return runner.NewReaderSource(f, name, ropt)
	}
	for _, f := range o.argFiles {
		sources = append(sources, runner.SourceSpec{Source: openFile(f)})
	}
	for _, sa := range sourceArgs {
		if sa.files {
			for _, f := range sa.values {
				// ::::+ links every file it names, as GNU does.
				sources = append(sources, runner.SourceSpec{Source: openFile(f), Pair: sa.pair})
			}
			continue
		}
		values := sa.values
		if o.noRunIfEmpty {
			// -r skips blank ::: values as it does read ones, and so every
			// combination holding one.
			values = slices.DeleteFunc(slices.Clone(values), func(v string) bool { return strings.TrimSpace(v) == "" })
		}
		sources = append(sources, runner.SourceSpec{Source: &runner.SliceSource{Values: values, EOF: ropt.EOF, HasEOF: ropt.HasEOF}, Pair: sa.pair})
	}
	if openErr != nil {
		return nil, openErr
	}
	if len(sources) == 0 && !stdinUsed {
		sources = []runner.SourceSpec{{Source: runner.NewReaderSource(stdin, "standard input", ropt)}}
	}
	return sources, nil
}

// recordOptions is how values combine into records: --link, --trim,
// --colsep, --header.
func recordOptions(fl *pflag.FlagSet, o *options) (runner.RecordOptions, error) {
	if o.colsep != "" && !fl.Changed("trim") {
		o.trim = "lr" // GNU trims columns by default
	}
	trim, err := parseTrim(o.trim)
	if err != nil {
		return runner.RecordOptions{}, err
	}
	// --header 0 means no header, as in GNU.
	header := fl.Changed("header") && o.header != "0"
	rec := runner.RecordOptions{Link: o.link, Trim: trim, Header: header, SkipFirst: o.alias.skipFirst}
	if header && o.colsep == "" {
		// As GNU: a header without --colsep names TAB-separated columns.
		o.colsep = "\t"
	}
	if o.colsep != "" {
		re, err := regexp.Compile(o.colsep)
		if err != nil {
			return rec, fmt.Errorf("invalid --colsep %q: %w", o.colsep, err)
		}
		rec.Colsep = re
	}
	return rec, nil
}

// batching sets the template options and how many arguments a job takes
// (-n, -N, -L, -l, -X, -m, -s), and returns the -L/-l line count.
func batching(fl *pflag.FlagSet, o *options, cfg *runner.Config) (int, error) {
	cfg.Template = runner.TemplateOptions{Replace: o.replace, Quote: o.quote}
	lines, linesSet := o.lineCount(fl)
	cfg.Records.ContinueLines = linesSet && lines > 0
	switch {
	case fl.Changed("max-replace-args"):
		cfg.Batch.MaxArgs, cfg.Batch.MaxArgsSet = o.maxReplace, true
		cfg.Template.Context = true
	case linesSet:
		cfg.Batch.MaxArgs, cfg.Batch.MaxArgsSet = lines, true
		cfg.Template.Context = !o.multi && !o.xargs && !o.xargsFill
	case fl.Changed("max-args"):
		cfg.Batch.MaxArgs, cfg.Batch.MaxArgsSet = o.maxArgs, true
	}
	for _, n := range []string{"max-args", "max-replace-args", "L", "max-lines", "max-chars"} {
		if fl.Changed(n) && fl.Lookup(n).Value.String() != "" && strings.HasPrefix(fl.Lookup(n).Value.String(), "-") {
			return lines, fmt.Errorf("--%s must not be negative", n)
		}
	}
	if o.xargs {
		cfg.Template.Context = true
	}
	cfg.Batch.Fill = o.xargs || o.multi || o.xargsFill
	// --xargs fills the last line too, where -m and -X spread the last
	// values over the job slots.
	cfg.Batch.NoSpread = o.xargsFill && !o.xargs && !o.multi
	switch {
	case fl.Changed("max-chars"):
		if o.maxChars <= 0 {
			return lines, fmt.Errorf("--max-chars must be positive, not %d", o.maxChars)
		}
		cfg.Batch.MaxLine = o.maxChars
	case cfg.Batch.Fill || (cfg.Batch.MaxArgsSet && cfg.Batch.MaxArgs > 1):
		cfg.Batch.MaxLine = runner.DefaultMaxLine
	}
	return lines, nil
}

// poolOptions is the job pool: -j, -k, --delay, --nice, --tmpdir and job
// control (jobControl).
func poolOptions(fl *pflag.FlagSet, o *options) (runner.Pool, error) {
	cores := o.alias.cpus()
	pool := runner.Pool{KeepOrder: o.keepOrder, Shell: os.Getenv("PARALLEL_SHELL"), TmpDir: o.tmpdir, Nice: o.nice, SlotVar: o.alias.slotVar}
	if cores != runtime.NumCPU() {
		pool.Slots = cores // the default -j, counted as asked
	}
	if fl.Changed("jobs") || fl.Changed("max-procs") {
		n, err := parseJobs(o.jobs, cores)
		if err != nil {
			st, statErr := os.Stat(o.jobs)
			if statErr != nil || !st.Mode().IsRegular() {
				return pool, err
			}
			f, ferr := jobsFile(o.jobs, cores)
			if ferr != nil {
				return pool, ferr
			}
			pool.SlotsFunc = f
		}
		pool.Slots = n
	}
	if o.delay != "" {
		d, err := parseSeconds(o.delay)
		if err != nil {
			return pool, fmt.Errorf("invalid --delay %q: %w", o.delay, err)
		}
		pool.Delay = d
	}
	return pool, jobControl(o, &pool, cores)
}

// joblogOptions opens --joblog and reads it for --resume, --resume-failed
// and --retry-failed.
func joblogOptions(o *options, cfg *runner.Config, closers *[]func()) error {
	if o.joblog == "" || o.dryRun {
		return nil
	}
	jl, prev, err := openJobLog(o)
	if err != nil {
		return err
	}
	*closers = append(*closers, func() { jl.Close() })
	// As GNU: a +FILE log gets no header, even when new.
	header := !strings.HasPrefix(o.joblog, "+") && isEmpty(jl)
	if cfg.JobLog, err = runner.NewJobLog(jl, header); err != nil {
		return err
	}
	switch {
	case o.retryFailed:
		cfg.RetryFailed = prev
	case o.resume || o.resumeFailed:
		cfg.Resume, cfg.ResumeFailed = prev, o.resumeFailed
	}
	return nil
}

// exitStatus turns a run's outcome into parx's exit status: a signal that
// stopped it, else the summary's count of failed jobs (GNU's rules).
func exitStatus(ctx context.Context, stops stopSignals, sum runner.Summary, err error) (int, error) {
	if err != nil {
		return ExitUsage, err
	}
	var sig signalError
	if errors.As(context.Cause(ctx), &sig) {
		return exitSignal + int(sig.sig), fmt.Errorf("%v: stopped after %d jobs (%d failed, %d killed)", sig, sum.Jobs, sum.Failed, sum.Killed)
	}
	select {
	case <-stops.drain:
		return exitSignal + int(syscall.SIGHUP), fmt.Errorf("received SIGHUP: stopped after %d jobs (%d failed)", sum.Jobs, sum.Failed)
	default:
	}
	return sum.ExitStatus(), nil
}

// lineCount is the number of input lines per job that -L, -l or
// --max-lines asks for, and whether one of them was given. As in GNU
// parallel, -L 0 is kept (a job reads a line and gets no value, as with
// -n 0) while -l 0 and --max-lines 0 mean 1; -L wins over the others.
func (o *options) lineCount(fl *pflag.FlagSet) (int, bool) {
	switch {
	case fl.Changed("L"):
		return o.maxLines, true
	case fl.Changed("max-lines") || fl.Changed("l"):
		if o.lines == 0 {
			return 1, true
		}
		return o.lines, true
	}
	return 0, false
}

// jobControl applies the job control options (--halt, --timeout,
// --retries, --termseq, --load, --memfree) to the pool.
func jobControl(o *options, pool *runner.Pool, cores int) error {
	if (o.resume || o.resumeFailed || o.retryFailed) && o.joblog == "" {
		return errors.New("--resume, --resume-failed and --retry-failed need --joblog FILE")
	}
	var err error
	if pool.Halt, err = parseHalt(o.halt); err != nil {
		return err
	}
	if o.timeout != "" {
		if pct, ok := strings.CutSuffix(o.timeout, "%"); ok {
			f, ok := positiveNumber(pct)
			if !ok {
				return fmt.Errorf("invalid --timeout %q: want a positive percentage of the median runtime", o.timeout)
			}
			pool.TimeoutPercent = f
		} else if pool.Timeout, err = parseSeconds(o.timeout); err != nil {
			return fmt.Errorf("invalid --timeout %q: %w", o.timeout, err)
		}
	}
	if o.retries < 0 {
		return fmt.Errorf("invalid --retries %d: must not be negative", o.retries)
	}
	pool.Retries = o.retries
	if o.termseq != "" {
		if pool.TermSeq, err = subproc.ParseTermSeq(o.termseq); err != nil {
			return fmt.Errorf("invalid --termseq %q: %w", o.termseq, err)
		}
	}
	if o.load != "" {
		num, pct := strings.CutSuffix(o.load, "%")
		f, ok := positiveNumber(num)
		if !ok {
			return fmt.Errorf("invalid --load %q: want a positive load average, or N%% of the CPU cores", o.load)
		}
		if pct {
			f = f * float64(cores) / 100
		}
		pool.MaxLoad = f
	}
	if o.memfree != "" {
		if pool.MemFree, err = parseSize(o.memfree); err != nil {
			return fmt.Errorf("--memfree: %w", err)
		}
	}
	return nil
}

// positiveNumber reads a finite number above zero.
func positiveNumber(s string) (float64, bool) {
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil && f > 0 && !math.IsInf(f, 0)
}

// openJobLog opens the --joblog file for appending or writing, first
// reading what it holds when the run resumes or retries from it.
func openJobLog(o *options) (*os.File, map[int64]runner.JobLogEntry, error) {
	name, appendTo := strings.CutPrefix(o.joblog, "+")
	var prev map[int64]runner.JobLogEntry
	if o.resume || o.resumeFailed || o.retryFailed {
		appendTo = true
		f, err := os.Open(name)
		switch {
		case err == nil:
			prev, err = runner.ReadJobLog(f, name)
			f.Close()
			if err != nil {
				return nil, nil, err
			}
		case errors.Is(err, os.ErrNotExist) && !o.retryFailed:
			// Nothing to resume: run everything.
		default:
			return nil, nil, fmt.Errorf("cannot read joblog: %w", err)
		}
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if appendTo {
		flags = os.O_WRONLY | os.O_CREATE | os.O_APPEND
	}
	f, err := os.OpenFile(name, flags, 0o666)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot open joblog: %w", err)
	}
	return f, prev, nil
}

// isEmpty reports whether f, just opened, holds nothing yet.
func isEmpty(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Size() == 0
}

// signalError is the cause of a run stopped by SIGINT or SIGTERM.
type signalError struct{ sig syscall.Signal }

func (e signalError) Error() string { return "received " + unixSignalName(e.sig) }

func unixSignalName(s syscall.Signal) string {
	switch s {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return s.String()
}

var lWithCount = regexp.MustCompile(`^-l(\d+)$`)

// attachedL rewrites GNU's -lN and -l N (an optional value, attached or a
// number in the next word) as --max-lines N, which pflag cannot parse, in
// the options before the command.
func attachedL(fs *pflag.FlagSet, args []string) []string {
	out := append([]string(nil), args...)
	for i := 0; i < len(out); i++ {
		a := out[i]
		if a == "--" || !strings.HasPrefix(a, "-") || a == "-" {
			return out // the command starts here
		}
		if m := lWithCount.FindStringSubmatch(a); m != nil {
			out = append(out[:i], append([]string{"--max-lines", m[1]}, out[i+1:]...)...)
			i++
			continue
		}
		if a == "-l" && i+1 < len(out) && isDigits(out[i+1]) {
			// GNU's optional value may also be the next word, when it is a
			// number: -l 0 is --max-lines 0, not -l and a command "0".
			out[i] = "--max-lines"
			i++
			continue
		}
		if takesSeparateValue(fs, a) {
			i++
		}
	}
	return out
}

// takesSeparateValue reports whether option word a is a flag whose value is
// the next word.
func takesSeparateValue(fs *pflag.FlagSet, a string) bool {
	needs := func(f *pflag.Flag) bool {
		return f != nil && f.NoOptDefVal == "" && f.Value.Type() != "bool"
	}
	if strings.HasPrefix(a, "--") {
		return !strings.Contains(a, "=") && needs(fs.Lookup(a[2:]))
	}
	for j := 1; j < len(a); j++ {
		f := fs.ShorthandLookup(a[j : j+1])
		if needs(f) {
			return j == len(a)-1
		}
	}
	return false
}

// sourceArgs is one group of positional input after a separator.
type sourceArgs struct {
	files  bool // after :::: rather than :::
	pair   bool // :::+ or ::::+
	values []string
}

// splitSources cuts the positional arguments into the command and the input
// groups that follow ::: and :::: (or their --arg-sep, --arg-file-sep forms).
func splitSources(pos []string, argSep, fileSep string) ([]string, []sourceArgs) {
	var command []string
	var groups []sourceArgs
	for _, a := range pos {
		switch a {
		case argSep, argSep + "+", fileSep, fileSep + "+":
			groups = append(groups, sourceArgs{
				files: strings.HasPrefix(a, fileSep) && (a == fileSep || a == fileSep+"+"),
				pair:  strings.HasSuffix(a, "+") && !strings.HasSuffix(argSep, "+"),
			})
			continue
		}
		if len(groups) == 0 {
			command = append(command, a)
			continue
		}
		g := &groups[len(groups)-1]
		g.values = append(g.values, a)
	}
	return command, groups
}

// parseSeconds reads a duration in seconds, with an optional s, m, h or d
// suffix, as GNU parallel's --delay.
func parseSeconds(s string) (time.Duration, error) {
	mult := time.Second
	switch {
	case strings.HasSuffix(s, "s"):
		s = s[:len(s)-1]
	case strings.HasSuffix(s, "m"):
		mult, s = time.Minute, s[:len(s)-1]
	case strings.HasSuffix(s, "h"):
		mult, s = time.Hour, s[:len(s)-1]
	case strings.HasSuffix(s, "d"):
		mult, s = 24*time.Hour, s[:len(s)-1]
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 {
		return 0, errors.New("want a number of seconds")
	}
	return time.Duration(f * float64(mult)), nil
}

// shellquote prints each input value shell-quoted (--shellquote).
func shellquote(o *options, stdin io.Reader, stdout io.Writer) (int, error) {
	ropt := runner.ReaderOptions{}
	if o.null {
		ropt.Delim = "\x00"
	}
	src := runner.NewReaderSource(stdin, "standard input", ropt)
	var b strings.Builder
	for {
		v, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return ExitUsage, err
		}
		b.WriteString(runner.ShellQuote(v))
		b.WriteByte('\n')
	}
	_, err := io.WriteString(stdout, b.String())
	return 0, err
}
