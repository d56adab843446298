// Package subproc runs one subprocess the way Python's
// subprocess.Popen(...).communicate(input) does: it starts the program in its
// own process group, feeds its stdin while draining stdout and stderr
// concurrently, waits for it, and reports how it ended, its timings and its
// resource usage. When the caller's context is done it kills the whole
// process group with a GNU parallel style termination sequence.
//
// It knows nothing of command templates, job order or the command line.
package subproc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// defaultWaitDelay bounds how long a grandchild that inherited stdout or
// stderr can keep Run waiting after the job itself has exited.
const defaultWaitDelay = time.Second

// Cmd describes one process to run. The zero value is not runnable: Path is
// required. Run does not modify a Cmd, so one may be reused.
type Cmd struct {
	// Path is the program to run. A Path without a slash is looked up in this
	// process's PATH (exec.LookPath), not in the PATH of Env.
	Path string

	// Args is the full argv; Args[0] is the name the program sees for itself.
	// Empty means []string{Path}.
	Args []string

	// Env is the complete environment, "KEY=value" strings. nil inherits
	// this process's environment; an empty non-nil slice gives an empty one.
	Env []string

	// Dir is the working directory; "" means this process's.
	Dir string

	// Stdin is fed to the program. nil means /dev/null. An *os.File is
	// handed to the program directly; any other reader is copied through a
	// pipe. A program that exits without reading all of it is not an error.
	Stdin io.Reader

	// Stdout and Stderr receive the program's output; nil discards it. Both
	// are drained while Stdin is being fed, so no size of input or output can
	// deadlock. They may be the same writer, which then sees the two streams
	// interleaved as the program wrote them. An *os.File is handed to the
	// program directly. Each writer is only ever called from one goroutine at
	// a time.
	Stdout, Stderr io.Writer

	// Nice is the niceness the program runs at (an absolute value, as with
	// GNU parallel --nice); 0 leaves it unchanged. The program is started
	// through nice(1), so that the niceness holds from its first
	// instruction; where there is no nice(1), its process group is reniced
	// right after start. Best effort: a value the system refuses (such as
	// a negative one without privilege) is ignored, as GNU parallel
	// ignores it.
	Nice int

	// TermSeq is how the program is killed when ctx is done before it exits.
	// nil means DefaultTermSeq(); an empty non-nil slice means never signal,
	// so Run then waits for the program to exit on its own. As in GNU
	// parallel, nothing is added after the last step: if the program
	// survives a sequence that does not end in KILL, Run keeps waiting.
	TermSeq []TermStep

	// WaitDelay is how long Run waits, once the program has exited or been
	// killed, for its stdout and stderr pipes to reach end of file before it
	// closes them anyway, so a grandchild that keeps a pipe open cannot hang
	// Run. The same bound applies to a stdin pipe nobody reads. 0 means one
	// second; negative means wait forever.
	WaitDelay time.Duration

	// Kill, when closed while the termination sequence is running, cuts
	// the sequence short: the process group gets SIGKILL at once (a second
	// Ctrl-C). Closing it has no effect before ctx is done. nil never
	// fires.
	Kill <-chan struct{}
}

// Result is what happened to one process. The zero value describes nothing
// that ran.
type Result struct {
	// ExitCode is the exit status 0-255 if the program exited, -1 if a
	// signal killed it, and for a program that could not be started 127
	// (not found) or 126 (found but not executable), as a shell reports.
	ExitCode int

	// Signal is the signal that killed the program, 0 if it exited.
	Signal syscall.Signal

	// Start is when the program was started (or when starting it failed).
	Start time.Time

	// Runtime is the wall time from Start until the program exited.
	Runtime time.Duration

	// UserTime and SysTime are the CPU times of the program and of those of
	// its descendants it waited for, from rusage.
	UserTime, SysTime time.Duration

	// MaxRSS is the peak resident set size in bytes of the program (or of
	// the largest of its waited-for descendants), from rusage.
	MaxRSS int64

	// Killed reports that the termination sequence was used because ctx was
	// done; at least one of its signals was sent.
	Killed bool
}

// StartError reports that a program could not be started. Name is the
// program as given in Cmd.Path; Err is the underlying cause (nil in the zero
// value, which describes no failure). Run returns it with Result.ExitCode set
// to 127 when the program was not found and 126 otherwise (not executable,
// unusable Cmd.Dir, no resources to start it), as a shell would.
type StartError struct {
	Name string
	Err  error
}

// Error reads like a shell's complaint: "NAME: command not found",
// "NAME: permission denied", "NAME: exec format error", ...
func (e *StartError) Error() string {
	if errors.Is(e.Err, exec.ErrNotFound) {
		return e.Name + ": command not found"
	}
	// os.StartProcess names the program again; say it once.
	var pe *fs.PathError
	if errors.As(e.Err, &pe) && pe.Op != "chdir" {
		return e.Name + ": " + pe.Err.Error()
	}
	return e.Name + ": " + e.Err.Error()
}

// Unwrap returns the underlying cause, for errors.Is and errors.As.
func (e *StartError) Unwrap() error { return e.Err }

// ResourceShortage reports whether the program could not be started for
// lack of processes, file descriptors or memory (IsResourceShortage): a
// cause that goes away as other programs end, unlike a missing or unusable
// program. The same Cmd may be run again later.
func (e *StartError) ResourceShortage() bool { return IsResourceShortage(e.Err) }

// IsResourceShortage reports whether err is, or wraps, EAGAIN, EMFILE,
// ENFILE or ENOMEM: the system lacked processes, file descriptors or
// memory for the moment.
func IsResourceShortage(err error) bool {
	for _, errno := range []syscall.Errno{syscall.EAGAIN, syscall.EMFILE, syscall.ENFILE, syscall.ENOMEM} {
		if errors.Is(err, errno) {
			return true
		}
	}
	return false
}

// Run starts c in its own process group, feeds c.Stdin while draining
// c.Stdout and c.Stderr, waits for the program and returns what happened.
// Should the calling process die first, the program gets SIGKILL.
//
// When ctx is done before the program exits, Run sends c.TermSeq to the whole
// process group, stepping to the next signal only while the program (the
// group leader) is still alive. Once a cancelled program has exited, anything
// left in its group is sent SIGKILL, so that no grandchild outlives a
// cancelled job. A context that is already done still starts the program,
// which is then terminated at once. Run never returns before the program has
// been reaped.
//
// The error is non-nil only when the program could not be started (a
// *StartError, with Result.ExitCode 127 or 126 and Result.Start set) or on an
// I/O failure: writing to c.Stdout or c.Stderr (such as a full disk) or
// reading c.Stdin. A non-zero exit or death by a signal is not an error; it
// is in the Result.
func Run(ctx context.Context, c *Cmd) (Result, error) {
	var res Result
	cmd, ios, err := prepare(c)
	if err != nil {
		res.Start = time.Now()
		return res, startFailed(&res, c, err)
	}

	res.Start = time.Now()
	if err := cmd.Start(); err != nil {
		ios.eachPipe((*outputPipe).abandon)
		if errors.Is(err, syscall.ENOEXEC) && c.Path != "/bin/sh" && looksLikeScript(cmd.Path) {
			// A script without a #! line: run it with /bin/sh, as
			// execvp, xargs and the shell do.
			sh := *c
			sh.Path, sh.Args = "/bin/sh", append([]string{"sh", cmd.Path}, cmd.Args[1:]...)
			return Run(ctx, &sh)
		}
		return res, startFailed(&res, c, err)
	}
	ios.eachPipe((*outputPipe).start)
	pid := cmd.Process.Pid
	if c.Nice != 0 && !ios.niced {
		// The group, not the pid: anything the program forked already has
		// our niceness too. Until we reap, -pid cannot name another group.
		_ = unix.Setpriority(unix.PRIO_PGRP, pid, c.Nice)
	}

	var g *group
	var stop func() bool
	if ctx.Done() != nil {
		// With the standard library's contexts, AfterFunc costs no
		// goroutine unless ctx is actually cancelled: this is the hot path.
		g = &group{pgid: pid, seq: c.TermSeq, kill: c.Kill}
		stop = context.AfterFunc(ctx, g.terminate)
	}

	// Learn that the leader exited without reaping it, so that its zombie
	// keeps the group id from being reused while the termination sequence
	// may still be signalling it.
	waitErr := waitExited(pid)
	res.Runtime = time.Since(res.Start)
	if g != nil && !stop() {
		res.Killed = g.exited()
	}

	// The output pipes may still hold what the program wrote last, and a
	// descendant may still be writing. A stop of the run while that goes on
	// takes the whole group down; the unreaped leader keeps its id ours.
	ios.eachPipe((*outputPipe).programExited)
	lingering := &lingerKill{pgid: pid}
	if ctx.Done() != nil {
		defer context.AfterFunc(ctx, lingering.kill)()
	}
	ios.eachPipe((*outputPipe).wait)
	lingering.reaping()

	err = cmd.Wait()
	st := cmd.ProcessState
	if st == nil {
		if err == nil {
			err = waitErr
		}
		return res, fmt.Errorf("%s: waiting for the process: %w", c.Path, err)
	}
	ws, _ := st.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		res.ExitCode = -1
		res.Signal = ws.Signal()
	} else {
		res.ExitCode = ws.ExitStatus()
	}
	res.UserTime = st.UserTime()
	res.SysTime = st.SystemTime()
	if ru, ok := st.SysUsage().(*syscall.Rusage); ok {
		res.MaxRSS = ru.Maxrss * 1024 // KiB on Linux
	}
	return res, ios.result(c.Path, err)
}

// prepare builds the exec.Cmd for c, wrapping the caller's streams so that
// their errors are seen even when the program fails (os/exec reports copy
// errors only for a program that exited 0).
func prepare(c *Cmd) (*exec.Cmd, *streams, error) {
	path := c.Path
	if !strings.Contains(path, "/") {
		lp, err := exec.LookPath(path)
		// A program found through a relative PATH entry is what a shell
		// would run, and the shell path of parx must agree with this one.
		if err != nil && !errors.Is(err, exec.ErrDot) {
			return nil, nil, err
		}
		path = lp
	}
	ios := &streams{}
	args := c.Args
	if len(args) == 0 {
		args = []string{c.Path}
	}
	if c.Nice != 0 {
		path, args, ios.niced = throughNice(path, args, c.Nice)
	}
	cmd := &exec.Cmd{
		Path: path,
		Args: args,
		Env:  c.Env,
		Dir:  c.Dir,
		// Its own process group, so that one signal reaches whatever
		// the program starts; where the system can, the program also
		// dies with this process (sysProcAttr).
		SysProcAttr: sysProcAttr(),
	}
	idle := c.WaitDelay
	if idle == 0 {
		idle = defaultWaitDelay
	}
	if idle > 0 {
		// os/exec's bound now covers only the stdin pipe: the output
		// pipes are ours (outputPipe).
		cmd.WaitDelay = idle
	}

	switch in := c.Stdin.(type) {
	case nil:
	case *os.File:
		cmd.Stdin = in
	default:
		ios.in = &inReader{r: in}
		cmd.Stdin = ios.in
	}
	var err error
	if cmd.Stdout, ios.out, err = ios.output(c.Stdout, idle, &ios.outP); err != nil {
		return nil, nil, err
	}
	if c.Stderr != nil && sameWriter(c.Stderr, c.Stdout) {
		// One writer must not be called from two goroutines: one pipe
		// serves both descriptors.
		cmd.Stderr = cmd.Stdout
		ios.shared = true
	} else if cmd.Stderr, ios.err2, err = ios.output(c.Stderr, idle, &ios.errP); err != nil {
		ios.eachPipe((*outputPipe).abandon)
		return nil, nil, err
	}
	return cmd, ios, nil
}

// looksLikeScript reports whether a file that the kernel would not exec is
// text that /bin/sh may run: as bash decides, a NUL before the end of the
// first line means a binary, whose exec format error stands.
func looksLikeScript(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 80)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	return bytes.IndexByte(head, 0) < 0
}

// throughNice runs path through nice(1) at the niceness nice: the child's
// niceness must be set before it execs, and Go's process attributes have no
// field for it. It reports whether nice(1) took it on (or nothing needs
// doing): a renice after start would then race with nice(1)'s own
// adjustment, which is relative. Without a nice program, the program runs
// as it is and only the renice after start applies.
func throughNice(path string, args []string, nice int) (string, []string, bool) {
	nicePath, err := exec.LookPath("nice")
	if err != nil {
		return path, args, false
	}
	inc := nice - ownNiceness()
	if inc == 0 {
		return path, args, true
	}
	return nicePath, append([]string{"nice", "-n", strconv.Itoa(inc), path}, args[1:]...), true
}

// lingerKill kills what is left of a job's process group when the run is
// stopped while the job's output is still being drained after the leader
// exited. Its mutex orders every kill before the leader is reaped.
type lingerKill struct {
	pgid   int
	mu     sync.Mutex
	reaped bool
}

func (l *lingerKill) kill() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.reaped {
		_ = unix.Kill(-l.pgid, unix.SIGKILL)
	}
}

// reaping forbids further kills: the leader is about to be reaped.
func (l *lingerKill) reaping() {
	l.mu.Lock()
	l.reaped = true
	l.mu.Unlock()
}

// startFailed fills res for a program that never ran and returns the
// *StartError for it.
func startFailed(res *Result, c *Cmd, err error) error {
	res.ExitCode = 126
	// The child reports a failed chdir with the same errno as a failed exec,
	// so only a look at Dir tells "no such directory" from "no such program".
	var pe *fs.PathError
	if c.Dir != "" && errors.As(err, &pe) && pe.Op == "fork/exec" {
		if fi, serr := os.Stat(c.Dir); serr != nil || !fi.IsDir() {
			if serr == nil {
				serr = syscall.ENOTDIR
			}
			return &StartError{Name: c.Path, Err: &fs.PathError{Op: "chdir", Path: c.Dir, Err: unwrapPathErr(serr)}}
		}
	}
	if errors.Is(err, exec.ErrNotFound) || errors.Is(err, syscall.ENOENT) {
		res.ExitCode = 127
	}
	return &StartError{Name: c.Path, Err: err}
}

func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// group runs the termination sequence against one job's process group. Its
// mutex orders every kill before the moment the leader is known to have
// exited; after that moment the leader may be reaped at any time and its pid,
// hence the group id, reused, so no kill may follow.
type group struct {
	pgid int
	seq  []TermStep
	kill <-chan struct{} // closed: skip to SIGKILL

	mu     sync.Mutex
	done   bool          // the leader has exited; no more signals
	killed bool          // a signal of the sequence was sent
	exit   chan struct{} // closed when done; made only once a step waits
}

// terminate runs in its own goroutine once ctx is done.
func (g *group) terminate() {
	seq := g.seq
	if seq == nil {
		seq = DefaultTermSeq()
	}
	for _, step := range seq {
		g.mu.Lock()
		if g.done {
			g.mu.Unlock()
			return
		}
		if !g.killed {
			if exited, _ := hasExited(g.pgid); exited {
				// It finished on its own just before the stop came (a
				// timeout firing as the job ends, or a parx resumed
				// from SIGSTOP): do not report a kill that did not
				// happen. Run's own wait for the exit is about to
				// return.
				g.mu.Unlock()
				return
			}
		}
		sig := step.Signal
		select {
		case <-g.kill:
			sig = unix.SIGKILL
		default:
		}
		_ = unix.Kill(-g.pgid, sig)
		g.killed = true
		if g.exit == nil {
			g.exit = make(chan struct{})
		}
		exit := g.exit
		g.mu.Unlock()

		if step.Wait <= 0 {
			continue
		}
		t := time.NewTimer(step.Wait)
		select {
		case <-exit:
			t.Stop()
			return
		case <-g.kill:
			t.Stop()
			g.mu.Lock()
			if !g.done {
				_ = unix.Kill(-g.pgid, unix.SIGKILL)
			}
			g.mu.Unlock()
			return
		case <-t.C:
		}
	}
}

// exited ends the sequence; the leader must have exited and not been reaped.
// It reports whether the sequence sent any signal.
func (g *group) exited() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.done = true
	if g.killed {
		// Whatever the sequence has not yet killed would outlive the job;
		// the unreaped leader still pins the group id, so this is safe.
		_ = unix.Kill(-g.pgid, unix.SIGKILL)
	}
	if g.exit != nil {
		close(g.exit)
	}
	return g.killed
}

// streams holds the wrappers around the caller's streams. Their errors are
// read only once the output pipes are drained and exec.Cmd.Wait has waited
// for the stdin goroutine.
type streams struct {
	in     *inReader
	out    *outWriter
	err2   *outWriter  // stderr, when it is not shared with stdout
	shared bool        // stdout and stderr are one writer
	outP   *outputPipe // stdout's pipe, if it has one
	errP   *outputPipe // stderr's, when not shared
	niced  bool        // the program starts through nice(1)
}

// output returns what to give os/exec for the caller's writer w (nil, an
// *os.File handed over as it is, or the write end of a pipe this package
// drains into w) and the wrapper whose error must be checked.
func (s *streams) output(w io.Writer, idle time.Duration, pipe **outputPipe) (io.Writer, *outWriter, error) {
	switch w := w.(type) {
	case nil:
		return nil, nil, nil
	case *os.File:
		return w, nil, nil
	default:
		o := &outWriter{w: w}
		p, err := newOutputPipe(o, idle)
		if err != nil {
			return nil, nil, err
		}
		*pipe = p
		return p.w, o, nil
	}
}

// result turns the outcome of exec.Cmd.Wait into Run's error.
func (s *streams) result(name string, waitErr error) error {
	if s.out != nil && s.out.err != nil {
		what := "stdout"
		if s.shared {
			what = "output"
		}
		return fmt.Errorf("%s: writing %s: %w", name, what, s.out.err)
	}
	if s.err2 != nil && s.err2.err != nil {
		return fmt.Errorf("%s: writing stderr: %w", name, s.err2.err)
	}
	for _, p := range [...]*outputPipe{s.outP, s.errP} {
		if p == nil || p.err == nil {
			continue
		}
		what := "stdout"
		switch {
		case p == s.errP:
			what = "stderr"
		case s.shared:
			what = "output"
		}
		// Whatever the program wrote after this point is lost: never let
		// it pass for the whole output.
		return fmt.Errorf("%s: reading its %s: %w (output is incomplete)", name, what, p.err)
	}
	if s.in != nil && s.in.err != nil {
		return fmt.Errorf("%s: reading stdin: %w", name, s.in.err)
	}
	var ee *exec.ExitError
	if waitErr == nil || errors.As(waitErr, &ee) || errors.Is(waitErr, exec.ErrWaitDelay) {
		// Exit status is in the Result, and a pipe held open by a grandchild
		// was closed as designed.
		return nil
	}
	return fmt.Errorf("%s: %w", name, waitErr)
}

// sameWriter compares like os/exec does, without panicking on writers of
// incomparable types.
func sameWriter(a, b io.Writer) (same bool) {
	defer func() {
		if recover() != nil {
			same = false
		}
	}()
	return a == b
}

// outWriter passes a job's output on to the caller's writer and keeps the
// first write error, which os/exec drops whenever the job also failed (and a
// job whose output pipe was closed on it usually does, by SIGPIPE).
type outWriter struct {
	w   io.Writer
	err error
	src errReader
}

func (o *outWriter) Write(p []byte) (int, error) {
	n, err := o.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil && o.err == nil {
		o.err = err
	}
	return n, err
}

// ReadFrom lets a caller's writer that has its own ReadFrom (bytes.Buffer,
// bufio.Writer, ...) read the pipe directly, saving io.Copy's 32 KiB buffer
// per stream per job. Errors that came from reading the pipe are not write
// errors: they only happen when the pipe was closed after WaitDelay.
func (o *outWriter) ReadFrom(r io.Reader) (int64, error) {
	rf, ok := o.w.(io.ReaderFrom)
	if !ok {
		return io.Copy(struct{ io.Writer }{o}, r)
	}
	o.src = errReader{r: r}
	n, err := rf.ReadFrom(&o.src)
	if err != nil && o.err == nil && (o.src.err == nil || !errors.Is(err, o.src.err)) {
		o.err = err
	}
	return n, err
}

// errReader remembers the last read error other than io.EOF.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF {
		e.err = err
	}
	return n, err
}

// inReader passes the caller's stdin on and keeps the first read error,
// which os/exec would drop whenever the job failed; write errors (the job
// stopped reading) are deliberately not kept.
type inReader struct {
	r   io.Reader
	err error
	dst errWriter
}

func (i *inReader) Read(p []byte) (int, error) {
	n, err := i.r.Read(p)
	if err != nil && err != io.EOF && i.err == nil {
		i.err = err
	}
	return n, err
}

// WriteTo keeps a reader's own WriteTo (bytes.Reader writes in one call)
// usable through the wrapper.
func (i *inReader) WriteTo(w io.Writer) (int64, error) {
	wt, ok := i.r.(io.WriterTo)
	if !ok {
		return io.Copy(w, struct{ io.Reader }{i})
	}
	i.dst = errWriter{w: w}
	n, err := wt.WriteTo(&i.dst)
	if err != nil && i.err == nil && (i.dst.err == nil || !errors.Is(err, i.dst.err)) {
		i.err = err
	}
	return n, err
}

// errWriter remembers the last write error.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	n, err := e.w.Write(p)
	if err != nil {
		e.err = err
	}
	return n, err
}
