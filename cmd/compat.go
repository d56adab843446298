package cmd

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
)

// gnuVersion is the GNU parallel release whose behaviour parx follows;
// --minversion compares with it, so that scripts' version checks pass.
const gnuVersion = 20221122

// compatFlags are GNU parallel options that scripts carry but that ask
// nothing of parx.
type compatFlags struct {
	citation   bool // --citation, --bibtex: say that no citation is asked for
	minVersion string
}

// defineCompatFlags adds the no-op options: --will-cite, --no-notice,
// --gnu, --plain and --noswap are accepted and do nothing.
func defineCompatFlags(fs *pflag.FlagSet, c *compatFlags) {
	var ignored bool
	for _, name := range []string{"will-cite", "no-notice", "gnu", "plain", "noswap"} {
		fs.BoolVar(&ignored, name, false, "accepted for GNU parallel's scripts; does nothing")
	}
	fs.BoolVar(&c.citation, "citation", false, "say that parx asks for no citation, and exit")
	fs.BoolVar(&c.citation, "bibtex", false, "same as --citation")
	fs.StringVar(&c.minVersion, "minversion", "", "exit 0 if `VERSION` (GNU's YYYYMMDD) is at most "+strconv.Itoa(gnuVersion)+", the GNU release parx follows, else 255")
}

// answer handles the options that print something and exit instead of
// running jobs; done is false when none was given.
func (c *compatFlags) answer(stdout io.Writer) (status int, done bool, err error) {
	switch {
	case c.citation:
		_, err = fmt.Fprintln(stdout, "parx asks for no citation: there is nothing to do")
		return 0, true, err
	case c.minVersion != "":
		want, perr := strconv.Atoi(c.minVersion)
		if perr != nil || want < 0 {
			return ExitUsage, true, fmt.Errorf("--minversion: %q is not a version (GNU's YYYYMMDD)", c.minVersion)
		}
		// As GNU: the version on stdout, and the status says whether it
		// is new enough.
		if _, err = fmt.Fprintln(stdout, gnuVersion); err != nil || want <= gnuVersion {
			return 0, true, err
		}
		return ExitUsage, true, nil
	}
	return 0, false, nil
}

// gnuMaxLine is the longest command line GNU parallel finds usable on
// Linux; the line limits parx uses (runner.DefaultMaxLine) derive from it.
const gnuMaxLine = 130329

// aliasFlags are GNU parallel's other names and small options.
type aliasFlags struct {
	skipFirst         bool   // --skip-first-line
	slotVar           string // --process-slot-var
	useCores, useCPUs bool   // --use-cores-instead-of-threads, --use-cpus-instead-of-cores
	print             string // --number-of-*, --max-line-length-allowed: what to print
}

func defineAliasFlags(fs *pflag.FlagSet, o *options) {
	a := &o.alias
	fs.BoolVar(&o.out.lineBuffer, "linebuffer", false, "same as --line-buffer")
	fs.BoolVar(&o.dryRun, "dryrun", false, "same as --dry-run")
	fs.BoolVar(&a.skipFirst, "skip-first-line", false, "do not use the first value of the first input source")
	fs.StringVar(&a.slotVar, "process-slot-var", "", "set `NAME` in each job's environment to its slot, counted from 0")
	fs.BoolVar(&a.useCores, "use-cores-instead-of-threads", false, "count physical cores, not CPU threads, for -j and the default")
	fs.BoolVar(&a.useCPUs, "use-cpus-instead-of-cores", false, "count CPU sockets, not CPU threads, for -j and the default")
	for _, p := range []struct{ name, usage string }{
		{"number-of-cpus", "print the number of physical CPU cores, and exit (as GNU's obsolete option)"},
		{"number-of-cores", "print the number of physical CPU cores, and exit"},
		{"number-of-sockets", "print the number of CPU sockets, and exit"},
		{"number-of-threads", "print the number of CPU threads, and exit"},
		{"max-line-length-allowed", "print the longest command line GNU parallel allows here (" + strconv.Itoa(gnuMaxLine) + "), and exit"},
	} {
		fs.Var(printFlag{&a.print, p.name}, p.name, p.usage)
		fs.Lookup(p.name).NoOptDefVal = "true"
	}
}

// printFlag is a boolean option that records its own name when given.
type printFlag struct {
	dst  *string
	name string
}

func (f printFlag) String() string { return "false" }
func (f printFlag) Type() string   { return "bool" }
func (f printFlag) Set(v string) error {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return fmt.Errorf("%q is not true or false", v)
	}
	if b {
		*f.dst = f.name
	}
	return nil
}

// cpus is how many CPUs -j counts: threads, or with the GNU options
// physical cores or sockets.
func (a *aliasFlags) cpus() int {
	if !a.useCPUs && !a.useCores {
		return runtime.NumCPU() // no /proc read at start-up for the usual run
	}
	t := readCPUTopology()
	if a.useCPUs {
		return t.sockets
	}
	return t.cores
}

// answer prints what a --number-of-* or --max-line-length-allowed asks.
func (a *aliasFlags) answer(stdout io.Writer) (status int, done bool, err error) {
	if a.print == "" {
		return 0, false, nil
	}
	t := readCPUTopology()
	n := map[string]int{"number-of-cpus": t.cores, "number-of-cores": t.cores, "number-of-sockets": t.sockets,
		"number-of-threads": t.threads, "max-line-length-allowed": gnuMaxLine}[a.print]
	_, err = fmt.Fprintln(stdout, n)
	return 0, true, err
}

// cpuTopology counts the CPU threads, physical cores and sockets.
type cpuTopology struct{ threads, cores, sockets int }

// readCPUTopology reads /proc/cpuinfo; where it cannot (not Linux), every
// count is the number of CPU threads.
func readCPUTopology() cpuTopology {
	n := runtime.NumCPU()
	t := cpuTopology{n, n, n}
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return t
	}
	return parseCPUInfo(b, n)
}

// parseCPUInfo counts /proc/cpuinfo's processors, distinct physical ids
// (sockets) and distinct physical and core id pairs (cores). A count it
// cannot find is threads.
func parseCPUInfo(b []byte, threads int) cpuTopology {
	sockets, cores := map[string]bool{}, map[string]bool{}
	procs := 0
	var phys string
	for _, line := range strings.Split(string(b), "\n") {
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(key) {
		case "processor":
			procs++
		case "physical id":
			phys = strings.TrimSpace(val)
			sockets[phys] = true
		case "core id":
			cores[phys+"/"+strings.TrimSpace(val)] = true
		}
	}
	t := cpuTopology{threads: threads, cores: len(cores), sockets: len(sockets)}
	if procs > 0 {
		t.threads = procs
	}
	if t.cores == 0 {
		t.cores = t.threads
	}
	if t.sockets == 0 {
		t.sockets = 1
	}
	return t
}
