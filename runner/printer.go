package runner

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// OutputMode is how jobs' output reaches parx's stdout and stderr. The zero
// value is Group.
type OutputMode int

const (
	// Group prints a job's whole stdout, then its whole stderr, when it
	// ends, never mixed with another job's (--group, the default).
	Group OutputMode = iota
	// LineBuffer prints a job's output as it runs, a whole line at a time:
	// lines of different jobs interleave but never mix (--line-buffer).
	LineBuffer
	// Ungroup passes output through as the job writes it; lines of
	// different jobs may mix (-u).
	Ungroup
)

// Printer writes jobs' output to parx's stdout and stderr: whole at the end
// of each job (Print), or while jobs run (Live), serializing whole lines
// under one lock. All its methods may be called from several goroutines.
// The zero value is not usable: make one with NewPrinter.
type Printer struct {
	// ShowCommand (-v) prints the command line on stdout before the output.
	ShowCommand bool
	// TmpDir is where Live writers keep output that waits to be printed
	// (a partial line, or a job's output before its turn with Ordered)
	// beyond DefaultSpillThreshold; empty means os.TempDir().
	TmpDir string
	// Ordered (-k) makes Live writers in LineBuffer mode print jobs in
	// order: the output of the oldest job not yet Done as it comes, the
	// others' when their turn comes.
	Ordered bool

	mu             sync.Mutex
	stdout, stderr *bufio.Writer
	rawOut, rawErr io.Writer
	stopped        bool                     // Stop was called: Live writers print no more
	head           int64                    // the job whose output is live (Ordered)
	waiting        map[int64][2]*lineWriter // later jobs' writers (Ordered)
	inMemory       atomic.Int64             // bytes Live writers hold in memory
	rawGiven       atomic.Bool              // Live gave a job our own stdout file (Ungroup)
}

// NewPrinter returns a Printer writing to stdout and stderr.
func NewPrinter(stdout, stderr io.Writer) *Printer {
	return &Printer{
		stdout: bufio.NewWriterSize(stdout, 64<<10), stderr: bufio.NewWriterSize(stderr, 16<<10),
		rawOut: stdout, rawErr: stderr, waiting: map[int64][2]*lineWriter{},
	}
}

// Print writes one result's output and flushes it.
func (p *Printer) Print(r *Result) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ShowCommand {
		writeTagged(p.stdout, r.Job.Tag, r.Job.Line)
	}
	if err := copyTagged(p.stdout, r.Stdout, r.Job.Tag); err != nil {
		return err
	}
	if err := copyTagged(p.stderr, r.Stderr, r.Job.Tag); err != nil {
		return err
	}
	return p.flush()
}

func (p *Printer) flush() error {
	if err := p.stdout.Flush(); err != nil {
		return err
	}
	return p.stderr.Flush()
}

// Line writes a line of text to stdout, after tag and a TAB if tag is not
// empty (--dry-run, --files). It is buffered: call Flush when done.
func (p *Printer) Line(tag, s string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return writeTagged(p.stdout, tag, s)
}

// Live returns where a job's stdout and stderr go while it runs in mode
// LineBuffer or Ungroup (for Pool.Output). With ShowCommand the command line is printed first. With Ordered
// (LineBuffer only) a job's writers hold its output until Done has been
// called for every earlier job.
func (p *Printer) Live(job *Job, mode OutputMode) (JobOutput, error) {
	if mode == Ungroup {
		if p.ShowCommand {
			p.mu.Lock()
			writeTagged(p.stdout, job.Tag, job.Line)
			err := p.stdout.Flush()
			p.mu.Unlock()
			if err != nil {
				return JobOutput{}, err
			}
		}
		// Untagged, a job can write straight to our own files: the fastest
		// path there is.
		if job.Tag == "" {
			if f, ok := p.rawOut.(*os.File); ok {
				if g, ok := p.rawErr.(*os.File); ok {
					p.rawGiven.Store(true)
					return JobOutput{Stdout: f, Stderr: g}, nil
				}
			}
		}
		return JobOutput{
			Stdout: &rawWriter{p: p, w: p.stdout, tag: job.Tag, atStart: true},
			Stderr: &rawWriter{p: p, w: p.stderr, tag: job.Tag, atStart: true},
		}, nil
	}
	out, errw := p.newLineWriter(p.stdout, job.Tag), p.newLineWriter(p.stderr, job.Tag)
	p.mu.Lock()
	if p.head == 0 {
		p.head = 1
	}
	if p.Ordered && job.Seq != p.head {
		p.waiting[job.Seq] = [2]*lineWriter{out, errw}
	} else {
		out.live, errw.live = true, true
	}
	p.mu.Unlock()
	if p.ShowCommand {
		if _, err := io.WriteString(out, job.Line+"\n"); err != nil {
			return JobOutput{}, err
		}
	}
	return JobOutput{Stdout: out, Stderr: errw, Close: func() error { return closeAll(out, errw) }}, nil
}

func (p *Printer) newLineWriter(w *bufio.Writer, tag string) *lineWriter {
	newBuf := func() Buffer { return Buffer{Dir: p.TmpDir, Shared: &p.inMemory, SharedLimit: DefaultMemoryLimit} }
	return &lineWriter{p: p, w: w, tag: tag, part: newBuf(), hold: newBuf()}
}

// Done tells an Ordered Printer that the job numbered seq has been
// emitted: the next job's held output is printed, and the rest of it will
// be printed as it comes.
func (p *Printer) Done(seq int64) error {
	if !p.Ordered {
		return nil
	}
	var ws [][2]*lineWriter
	p.mu.Lock()
	for _, s := range []int64{seq, seq + 1} { // seq too, in case jobs were skipped
		if w, ok := p.waiting[s]; ok {
			ws = append(ws, w)
			delete(p.waiting, s)
		}
	}
	p.head = seq + 1
	p.mu.Unlock()
	for _, w := range ws {
		for _, lw := range w {
			if err := lw.goLive(); err != nil {
				return err
			}
		}
	}
	return nil
}

func writeTagged(w *bufio.Writer, tag, line string) error {
	if tag != "" {
		w.WriteString(tag)
		w.WriteByte('\t')
	}
	w.WriteString(line)
	return w.WriteByte('\n')
}

// CheckStdout returns an error wrapping syscall.EPIPE when a job was given
// parx's own stdout (Ungroup, untagged) and the reader of that pipe has
// gone. parx itself then writes nothing that would fail; only the jobs,
// which die of SIGPIPE, see it. Call it as each job ends, so that the run
// stops as it does in the other modes when a write fails.
func (p *Printer) CheckStdout() error {
	if !p.rawGiven.Load() {
		return nil
	}
	if f, ok := p.rawOut.(*os.File); ok && readerGone(f) {
		return fmt.Errorf("writing stdout: %w", syscall.EPIPE)
	}
	return nil
}

// readerGone reports whether f is the write end of a pipe with no reader
// left: poll(2) then reports POLLERR, even with no event asked for.
func readerGone(f *os.File) bool {
	rc, err := f.SyscallConn()
	if err != nil {
		return false
	}
	gone := false
	rc.Control(func(fd uintptr) {
		fds := []unix.PollFd{{Fd: int32(fd)}}
		n, err := unix.Poll(fds, 0)
		gone = err == nil && n > 0 && fds[0].Revents&unix.POLLERR != 0
	})
	return gone
}

// Drop tells an Ordered Printer that the job numbered seq will not be
// emitted (it was killed unfinished): what it holds is not printed, and
// the next job's output goes live.
func (p *Printer) Drop(seq int64) {
	if !p.Ordered {
		return
	}
	p.mu.Lock()
	w, ok := p.waiting[seq]
	delete(p.waiting, seq)
	p.mu.Unlock()
	if ok {
		for _, lw := range w {
			lw.drop()
		}
	}
	p.Done(seq)
}

// Stop makes Live writers print nothing more, so that jobs killed because
// the run is failing do not print a partial last line.
func (p *Printer) Stop() {
	p.mu.Lock()
	p.stopped = true
	p.mu.Unlock()
}

// Flush writes out what Line buffered.
func (p *Printer) Flush() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stdout.Flush()
}

// copyTagged copies b to w, with tag and a TAB before every line when the
// tag is not empty.
func copyTagged(w *bufio.Writer, b *Buffer, tag string) error {
	if b.Len() == 0 {
		return nil
	}
	if tag == "" {
		_, err := b.WriteTo(w)
		return err
	}
	tw := &tagWriter{w: w, tag: tag, atStart: true}
	_, err := b.WriteTo(tw)
	return err
}

type tagWriter struct {
	w       *bufio.Writer
	tag     string
	atStart bool
}

func (t *tagWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if t.atStart {
			t.w.WriteString(t.tag)
			t.w.WriteByte('\t')
			t.atStart = false
		}
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			t.w.Write(p)
			break
		}
		t.w.Write(p[:i+1])
		p = p[i+1:]
		t.atStart = true
	}
	return n, nil
}

// lineWriter is one stream of a job in LineBuffer mode: it prints whole
// lines as they come, and keeps a partial line (in a Buffer that spills to
// disk) until its end arrives or the job ends. Until it is live it holds
// everything (-k, before the job's turn).
type lineWriter struct {
	p   *Printer
	w   *bufio.Writer
	tag string

	mu    sync.Mutex
	live  bool
	ended bool
	err   error  // the first write error: nothing more is printed
	hold  Buffer // all output, while not live
	part  Buffer // the last line so far, while live
}

func (l *lineWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return 0, l.err
	}
	var n int
	if !l.live {
		n, l.err = l.hold.Write(b)
	} else {
		n, l.err = l.writeLive(b)
	}
	return n, l.err
}

func (l *lineWriter) writeLive(b []byte) (int, error) {
	i := bytes.LastIndexByte(b, '\n')
	if i < 0 {
		return l.part.Write(b)
	}
	if err := l.print(b[:i+1]); err != nil {
		return 0, err
	}
	if _, err := l.part.Write(b[i+1:]); err != nil {
		return i + 1, err
	}
	return len(b), nil
}

// print writes the partial line kept so far, then lines, tagged.
func (l *lineWriter) print(lines []byte) error {
	l.p.mu.Lock()
	defer l.p.mu.Unlock()
	if l.p.stopped {
		return nil
	}
	var w io.Writer = l.w
	if l.tag != "" {
		w = &tagWriter{w: l.w, tag: l.tag, atStart: true}
	}
	if l.part.Len() > 0 {
		if _, err := l.part.WriteTo(w); err != nil {
			return err
		}
		l.part.Close()
	}
	w.Write(lines)
	return l.w.Flush()
}

// drop discards what the writer holds and anything written later.
func (l *lineWriter) drop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err == nil {
		l.err = errDropped
	}
	l.hold.Close()
	l.part.Close()
}

// errDropped fails the writes of a job whose output is dropped.
var errDropped = errors.New("output dropped: the job was cancelled")

// goLive prints what was held and lets the rest through.
func (l *lineWriter) goLive() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.live {
		return nil
	}
	l.live = true
	if l.err != nil {
		return nil // the job fails with l.err; print nothing more of it
	}
	if l.hold.Len() > 0 {
		_, l.err = l.hold.WriteTo(writerFunc(l.writeLive))
		l.hold.Close()
		if l.err != nil {
			return l.err
		}
	}
	if l.ended {
		return l.flushPart()
	}
	return nil
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// Close prints what is left of a last line with no newline, as it is (or
// leaves it held, if the writer is not live yet).
func (l *lineWriter) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ended = true
	if l.err != nil {
		l.part.Close()
		l.hold.Close()
		return l.err // a partial line that could not be kept whole is not printed
	}
	if !l.live {
		return nil
	}
	return l.flushPart()
}

func (l *lineWriter) flushPart() error {
	defer l.part.Close()
	if l.part.Len() == 0 || l.err != nil {
		return l.err
	}
	return l.print(nil)
}

// rawWriter is one stream of a job in Ungroup mode: each write is passed
// on at once (tagged at line starts).
type rawWriter struct {
	p       *Printer
	w       *bufio.Writer
	tag     string
	atStart bool
}

func (r *rawWriter) Write(b []byte) (int, error) {
	r.p.mu.Lock()
	defer r.p.mu.Unlock()
	if r.tag == "" {
		r.w.Write(b)
	} else {
		tw := &tagWriter{w: r.w, tag: r.tag, atStart: r.atStart}
		tw.Write(b)
		r.atStart = tw.atStart
	}
	if err := r.w.Flush(); err != nil {
		return 0, err
	}
	return len(b), nil
}
