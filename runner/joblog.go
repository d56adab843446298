package runner

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
)

// JobLogHeader is the first line of a joblog, as GNU parallel writes it.
const JobLogHeader = "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n"

// JobLog writes GNU parallel's --joblog: one tab-separated line per
// finished job, written with a single Write as soon as the job ends, so
// that a killed parx loses no finished job. Make one with NewJobLog.
type JobLog struct {
	mu sync.Mutex
	w  io.Writer
}

// NewJobLog returns a JobLog writing to w, which should be unbuffered (an
// *os.File): each line is one Write. It writes JobLogHeader first when
// header is true.
func NewJobLog(w io.Writer, header bool) (*JobLog, error) {
	if header {
		if _, err := io.WriteString(w, JobLogHeader); err != nil {
			return nil, fmt.Errorf("writing joblog: %w", err)
		}
	}
	return &JobLog{w: w}, nil
}

// Write logs one finished job.
func (l *JobLog) Write(r *Result) error {
	e := JobLogEntry{
		Seq: r.Job.Seq, Host: ":", Start: r.Start, Runtime: r.Runtime,
		Send: r.Sent, Receive: r.Stdout.Len(), ExitCode: r.ExitCode, Signal: int(r.Signal),
		Command: r.Job.Line,
	}
	if r.Signal != 0 && !r.TimedOut {
		// GNU parallel logs Exitval -1 only for a job it killed for its
		// timeout; a job killed by some other signal gets 0.
		e.ExitCode = 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := io.WriteString(l.w, e.String()); err != nil {
		return fmt.Errorf("writing joblog: %w", err)
	}
	return nil
}

// JobLogEntry is one line of a joblog. The zero value is a job 0 that
// succeeded.
type JobLogEntry struct {
	Seq           int64
	Host          string
	Start         time.Time
	Runtime       time.Duration
	Send, Receive int64
	// ExitCode is the exit status; -1 for a job killed for its timeout,
	// 0 for one killed by another signal (as GNU parallel logs them).
	ExitCode int
	Signal   int
	// Command is the command line as it ran. In the joblog file it is
	// written by JobLogCommand, so that the entry stays on one line.
	Command string
}

// Failed reports whether the logged job failed.
func (e JobLogEntry) Failed() bool { return e.ExitCode != 0 || e.Signal != 0 }

// String formats the entry as a joblog line, newline included.
func (e JobLogEntry) String() string {
	start := float64(e.Start.UnixMilli()) / 1000
	return fmt.Sprintf("%d\t%s\t%.3f\t%10.3f\t%d\t%d\t%d\t%d\t%s\n",
		e.Seq, e.Host, start, e.Runtime.Seconds(), e.Send, e.Receive, e.ExitCode, e.Signal, JobLogCommand(e.Command))
}

// JobLogCommand is a command line as a joblog holds it: each backslash
// is doubled, each newline becomes \n (and a NUL \0), so that the entry stays on one
// line and reads back exactly (see ParseJobLogCommand).
func JobLogCommand(line string) string {
	return commandEscaper.Replace(line)
}

var commandEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\x00", `\0`)

// ParseJobLogCommand undoes JobLogCommand: \\ is a backslash, \n a
// newline and \0 a NUL. A NUL, which GNU parallel writes for a newline, is a newline
// too. Any other backslash is kept as it is, so a log written before
// backslashes were doubled still reads as it was written.
func ParseJobLogCommand(s string) string {
	return commandUnescaper.Replace(s)
}

// commandUnescaper tries the pairs in order at each position, so \\ is
// taken before the backslash of a following n or 0 is looked at.
var commandUnescaper = strings.NewReplacer(`\\`, `\`, `\n`, "\n", `\0`, "\x00", "\x00", "\n")

// oneLine is a command line for a one-line message: newlines shown as \n.
func oneLine(line string) string { return strings.ReplaceAll(line, "\n", `\n`) }

// ReadJobLog parses a joblog written by parx or GNU parallel, with or
// without its header line. name is used in errors. An entry for a Seq that appears more than once replaces the
// earlier one (a resumed run appends). Any line that is not a joblog line
// is an error naming it, since resuming from a misread log would silently
// skip or repeat work.
func ReadJobLog(r io.Reader, name string) (map[int64]JobLogEntry, error) {
	entries := map[int64]JobLogEntry{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	cut := false // the last line has no newline
	sc.Split(func(data []byte, atEOF bool) (int, []byte, error) {
		adv, tok, err := splitNewline(data, atEOF)
		if atEOF && adv == len(data) && len(tok) == len(data) && len(data) > 0 {
			cut = true
		}
		return adv, tok, err
	})
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if cut {
			// Each line is one write, made after the job's output was
			// printed: a cut line is a job that was done, but its entry
			// cannot be trusted. Guessing either way would run the job
			// twice or skip it wrongly, so the user decides.
			return nil, fmt.Errorf("joblog %s: line %d, the last, is incomplete (was parx killed while writing it?): its job's output was printed; complete the line to count the job as done, or remove it to run the job again", name, n)
		}
		if n == 1 && line+"\n" == JobLogHeader {
			continue // --joblog +FILE logs have none
		}
		e, err := parseJobLogLine(line)
		if err != nil {
			return nil, fmt.Errorf("joblog %s line %d: %w", name, n, err)
		}
		entries[e.Seq] = e
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading joblog %s: %w", name, err)
	}
	return entries, nil
}

func parseJobLogLine(line string) (JobLogEntry, error) {
	var e JobLogEntry
	f := strings.SplitN(line, "\t", 9)
	if len(f) != 9 {
		return e, fmt.Errorf("want 9 tab-separated fields, found %d", len(f))
	}
	var err error
	num := func(what, s string) int64 {
		v, perr := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if perr != nil && err == nil {
			err = fmt.Errorf("%s %q is not a whole number", what, s)
		}
		return v
	}
	secs := func(what, s string) float64 {
		v, perr := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if (perr != nil || math.IsNaN(v) || math.IsInf(v, 0)) && err == nil {
			err = fmt.Errorf("%s %q is not a number of seconds", what, s)
		}
		return v
	}
	e.Seq = num("Seq", f[0])
	e.Host = f[1]
	start := secs("Starttime", f[2])
	e.Start = time.UnixMilli(int64(math.Round(start * 1000)))
	e.Runtime = time.Duration(secs("JobRuntime", f[3]) * float64(time.Second))
	e.Send = num("Send", f[4])
	e.Receive = num("Receive", f[5])
	e.ExitCode = int(num("Exitval", f[6]))
	e.Signal = int(num("Signal", f[7]))
	e.Command = ParseJobLogCommand(f[8])
	if err == nil && e.Seq < 1 {
		err = errors.New("Seq must be at least 1")
	}
	return e, err
}

// splitNewline is bufio.ScanLines without its dropping of a trailing \r,
// which may belong to a command.
func splitNewline(data []byte, atEOF bool) (int, []byte, error) {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return i + 1, data[:i], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}
