package subproc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// sh returns a Cmd running script with /bin/sh.
func sh(script string) *Cmd {
	return &Cmd{Path: "sh", Args: []string{"sh", "-c", script}}
}

// mustRun runs c and fails the test on an error.
func mustRun(t *testing.T, ctx context.Context, c *Cmd) Result {
	t.Helper()
	res, err := Run(ctx, c)
	if err != nil {
		t.Fatalf("Run(%q): %v", c.Args, err)
	}
	return res
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		name string
		cmd  *Cmd
		want int
	}{
		{"true", &Cmd{Path: "true"}, 0},
		{"false", &Cmd{Path: "false"}, 1},
		{"exit 0", sh("exit 0"), 0},
		{"exit 1", sh("exit 1"), 1},
		{"exit 42", sh("exit 42"), 42},
		{"exit 255", sh("exit 255"), 255},
		{"absolute path", &Cmd{Path: "/bin/sh", Args: []string{"sh", "-c", "exit 7"}}, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := time.Now()
			res := mustRun(t, context.Background(), tt.cmd)
			if res.ExitCode != tt.want || res.Signal != 0 || res.Killed {
				t.Errorf("got %+v, want ExitCode %d, no signal, not killed", res, tt.want)
			}
			if res.Start.Before(before) || res.Runtime <= 0 || res.Runtime > time.Since(before) {
				t.Errorf("Start %v / Runtime %v implausible", res.Start, res.Runtime)
			}
		})
	}
}

func TestKilledBySignal(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGTERM, syscall.SIGSEGV} {
		res := mustRun(t, context.Background(), sh("kill -"+strconv.Itoa(int(sig))+" $$"))
		if res.ExitCode != -1 || res.Signal != sig || res.Killed {
			t.Errorf("kill -%d $$: got %+v, want ExitCode -1, Signal %v, Killed false", sig, res, sig)
		}
	}
}

func TestStartErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	noexec := write("noexec", "#!/bin/sh\nexit 0\n", 0o644)
	garbage := write("garbage", "\x00\x01\x02\x03 not a program", 0o755)
	badInterp := write("badinterp", "#!/nonexistent/interpreter\n", 0o755)
	script := write("script", "#!/bin/sh\npwd\n", 0o755)

	tests := []struct {
		name    string
		cmd     *Cmd
		code    int
		message string
	}{
		{"not in PATH", &Cmd{Path: "parx-no-such-program"}, 127, "parx-no-such-program: command not found"},
		{"empty path", &Cmd{Path: ""}, 127, ": command not found"},
		{"no such file", &Cmd{Path: filepath.Join(dir, "missing")}, 127, filepath.Join(dir, "missing") + ": no such file or directory"},
		{"not executable", &Cmd{Path: noexec}, 126, noexec + ": permission denied"},
		{"directory", &Cmd{Path: dir}, 126, dir + ": permission denied"},
		{"exec format", &Cmd{Path: garbage}, 126, garbage + ": exec format error"},
		{"bad interpreter", &Cmd{Path: badInterp}, 127, badInterp + ": no such file or directory"},
		{"bad dir", &Cmd{Path: script, Dir: filepath.Join(dir, "nodir")}, 126,
			script + ": chdir " + filepath.Join(dir, "nodir") + ": no such file or directory"},
		{"dir is a file", &Cmd{Path: script, Dir: script}, 126, script + ": chdir " + script + ": not a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := time.Now()
			res, err := Run(context.Background(), tt.cmd)
			var se *StartError
			if !errors.As(err, &se) {
				t.Fatalf("error %v (%T), want a *StartError", err, err)
			}
			if se.Name != tt.cmd.Path || se.Unwrap() == nil {
				t.Errorf("StartError %#v: wrong Name or no cause", se)
			}
			if err.Error() != tt.message {
				t.Errorf("message %q, want %q", err, tt.message)
			}
			if res.ExitCode != tt.code {
				t.Errorf("ExitCode %d, want %d", res.ExitCode, tt.code)
			}
			if res.Start.Before(before) {
				t.Errorf("Start %v not set", res.Start)
			}
		})
	}
}

func TestArgsAndDir(t *testing.T) {
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	script := `tr "\0" " " </proc/$$/cmdline; echo; echo "$0|$1"; pwd`
	c := &Cmd{Path: "sh", Args: []string{"myname", "-c", script, "zero", "arg one"}, Dir: dir, Stdout: &out}
	mustRun(t, context.Background(), c)
	want := "myname -c " + script + " zero arg one \nzero|arg one\n" + dir + "\n"
	if out.String() != want {
		t.Errorf("output %q, want %q", out.String(), want)
	}
}

func TestPathLookupThroughDot(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "parx-dot-prog"), []byte("#!/bin/sh\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	t.Setenv("PATH", ".")
	res := mustRun(t, context.Background(), &Cmd{Path: "parx-dot-prog"})
	if res.ExitCode != 3 {
		t.Errorf("ExitCode %d, want 3: a program found through . in PATH runs, as in a shell", res.ExitCode)
	}
}

func TestEnv(t *testing.T) {
	t.Setenv("PARX_SUBPROC_TEST", "inherited")
	script := `echo "${FOO-unset} ${PARX_SUBPROC_TEST-unset}"`
	tests := []struct {
		name string
		env  []string
		want string
	}{
		{"nil inherits", nil, "unset inherited\n"},
		{"set replaces", []string{"FOO=bar"}, "bar unset\n"},
		{"empty is empty", []string{}, "unset unset\n"},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		c := sh(script)
		c.Env, c.Stdout = tt.env, &out
		mustRun(t, context.Background(), c)
		if out.String() != tt.want {
			t.Errorf("%s: output %q, want %q", tt.name, out.String(), tt.want)
		}
	}
}

// plainReader and plainWriter hide WriteTo and ReadFrom, so that the
// wrappers' fallback paths are exercised too.
type plainReader struct{ r io.Reader }

func (p plainReader) Read(b []byte) (int, error) { return p.r.Read(b) }

type plainWriter struct{ w io.Writer }

func (p plainWriter) Write(b []byte) (int, error) { return p.w.Write(b) }

func TestStdinEchoedWithLargeStderr(t *testing.T) {
	random := make([]byte, 8<<20)
	_, _ = rand.NewChaCha8([32]byte{1}).Read(random)
	for _, size := range []int{0, 1, 64 << 10, 8 << 20} {
		for _, plain := range []bool{false, true} {
			t.Run(fmt.Sprintf("%d/plain=%v", size, plain), func(t *testing.T) {
				in := random[:size]
				// Far beyond a pipe's 64 KiB either way; the biggest only
				// with the biggest input, to keep the race-enabled run short.
				errSize := 1 << 20
				if size == len(random) {
					errSize = 5_000_000
				}
				var out, errOut bytes.Buffer
				// Growing a buffer to many MiB is slow under the race
				// detector and beside the point here.
				out.Grow(size + bytes.MinRead)
				errOut.Grow(errSize + bytes.MinRead)
				// stderr is written while cat is still copying stdin to
				// stdout, so all three pipes are busy at once.
				c := sh("head -c " + strconv.Itoa(errSize) + " /dev/zero >&2 & cat; wait")
				c.Stdin, c.Stdout, c.Stderr = bytes.NewReader(in), &out, &errOut
				if plain {
					c.Stdin, c.Stdout, c.Stderr = plainReader{c.Stdin}, plainWriter{&out}, plainWriter{&errOut}
				}
				res := mustRun(t, context.Background(), c)
				if res.ExitCode != 0 {
					t.Errorf("ExitCode %d", res.ExitCode)
				}
				if !bytes.Equal(out.Bytes(), in) {
					t.Errorf("stdout: got %d bytes, want the %d input bytes", out.Len(), len(in))
				}
				if errOut.Len() != errSize || bytes.Count(errOut.Bytes(), []byte{0}) != errSize {
					t.Errorf("stderr: got %d bytes, want %d zeros", errOut.Len(), errSize)
				}
			})
		}
	}
}

func TestStdinFileHandedOver(t *testing.T) {
	p := filepath.Join(t.TempDir(), "in")
	if err := os.WriteFile(p, []byte("from a file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out bytes.Buffer
	mustRun(t, context.Background(), &Cmd{Path: "cat", Stdin: f, Stdout: &out})
	if out.String() != "from a file\n" {
		t.Errorf("output %q", out.String())
	}
}

func TestStdinNotRead(t *testing.T) {
	for _, plain := range []bool{false, true} {
		var in io.Reader = bytes.NewReader(make([]byte, 10<<20))
		if plain {
			in = plainReader{in}
		}
		res, err := Run(context.Background(), &Cmd{Path: "true", Stdin: in})
		if err != nil || res.ExitCode != 0 {
			t.Errorf("plain=%v: got %+v, %v; want ExitCode 0, no error", plain, res, err)
		}
	}
}

func TestNilStdinIsDevNull(t *testing.T) {
	var out bytes.Buffer
	// A timeout that would show if cat were reading our stdin.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res := mustRun(t, ctx, &Cmd{Path: "cat", Stdout: &out})
	if res.ExitCode != 0 || res.Killed || out.Len() != 0 {
		t.Errorf("got %+v and output %q, want a clean exit with no output", res, out.String())
	}
}

func TestNilOutputsDiscarded(t *testing.T) {
	res := mustRun(t, context.Background(), sh("head -c 1000000 /dev/zero; head -c 1000000 /dev/zero >&2"))
	if res.ExitCode != 0 {
		t.Errorf("ExitCode %d", res.ExitCode)
	}
}

func TestSameWriterForStdoutAndStderr(t *testing.T) {
	var out bytes.Buffer
	c := sh("echo out1; echo err1 >&2; echo out2; echo err2 >&2")
	c.Stdout, c.Stderr = &out, &out
	mustRun(t, context.Background(), c)
	if want := "out1\nerr1\nout2\nerr2\n"; out.String() != want {
		t.Errorf("output %q, want %q", out.String(), want)
	}
}

var errDiskFull = errors.New("disk full")

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errDiskFull }

// failingReaderFrom fails after consuming some input, like a buffer that
// spills to a full disk.
type failingReaderFrom struct{ failingWriter }

func (failingReaderFrom) ReadFrom(r io.Reader) (int64, error) {
	n, _ := r.Read(make([]byte, 100))
	return int64(n), fmt.Errorf("spilling: %w", errDiskFull)
}

type shortWriter struct{}

func (shortWriter) Write(p []byte) (int, error) { return len(p) / 2, nil }

func TestOutputWriteErrors(t *testing.T) {
	writers := map[string]io.Writer{
		"Write":    failingWriter{},
		"ReadFrom": failingReaderFrom{},
	}
	for name, w := range writers {
		for _, stream := range []string{"stdout", "stderr"} {
			t.Run(name+"/"+stream, func(t *testing.T) {
				c := sh("head -c 1000000 /dev/zero; head -c 1000000 /dev/zero >&2")
				if stream == "stdout" {
					c.Stdout = w
				} else {
					c.Stderr = w
				}
				_, err := Run(context.Background(), c)
				if !errors.Is(err, errDiskFull) {
					t.Fatalf("error %v, want one wrapping %v", err, errDiskFull)
				}
				if !strings.Contains(err.Error(), "writing "+stream) {
					t.Errorf("error %q does not name %s", err, stream)
				}
			})
		}
	}
	t.Run("short write", func(t *testing.T) {
		c := sh("echo hello")
		c.Stdout = shortWriter{}
		if _, err := Run(context.Background(), c); !errors.Is(err, io.ErrShortWrite) {
			t.Errorf("error %v, want io.ErrShortWrite", err)
		}
	})
}

type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errDiskFull
	}
	n := min(len(p), f.n)
	f.n -= n
	return n, nil
}

func TestStdinReadError(t *testing.T) {
	_, err := Run(context.Background(), &Cmd{Path: "cat", Stdin: &failingReader{n: 1000}})
	if !errors.Is(err, errDiskFull) || !strings.Contains(err.Error(), "reading stdin") {
		t.Errorf("error %v, want a stdin read error wrapping %v", err, errDiskFull)
	}
}

func TestRusage(t *testing.T) {
	res := mustRun(t, context.Background(), sh("i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done"))
	if res.UserTime+res.SysTime <= 0 || res.MaxRSS <= 0 || res.Runtime <= 0 {
		t.Errorf("got %+v, want CPU time, MaxRSS and Runtime above 0", res)
	}
	if res.MaxRSS < 100<<10 || res.MaxRSS > 1<<30 {
		t.Errorf("MaxRSS %d bytes is not plausible for sh", res.MaxRSS)
	}
}

func TestNice(t *testing.T) {
	var out bytes.Buffer
	// The sleep lets the niceness, applied right after start, reach the
	// group before nice(1) reads it; it is then inherited either way.
	c := sh("sleep 0.05; nice")
	c.Nice, c.Stdout = 19, &out
	mustRun(t, context.Background(), c)
	if out.String() != "19\n" {
		t.Errorf("niceness %q, want 19", out.String())
	}
}

// lineWriter collects output and hands each whole line to a channel, so a
// test can act while the job is still running.
type lineWriter struct {
	mu    sync.Mutex
	buf   []byte
	lines chan string
}

func newLineWriter() *lineWriter { return &lineWriter{lines: make(chan string, 16)} }

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		w.lines <- string(w.buf[:i])
		w.buf = w.buf[i+1:]
	}
}

// nextLine waits for the job's next output line.
func nextLine(t *testing.T, w *lineWriter) string {
	t.Helper()
	select {
	case l := <-w.lines:
		return l
	case <-time.After(5 * time.Second):
		t.Fatal("no output from the job")
		return ""
	}
}

// procState returns the state letter of pid from /proc ('S', 'R', 'Z', ...)
// or 0 if there is no such process.
func procState(pid int) byte {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 >= len(b) {
		return 0
	}
	return b[i+2]
}

// waitGone waits until pid is gone or a zombie (dead, but its new parent,
// which may not be a reaping init in a container, has not reaped it).
func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		s := procState(pid)
		if s == 0 || s == 'Z' {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %d still alive (state %c)", pid, s)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// runAsync runs c in the background and returns a channel for its outcome.
type outcome struct {
	res     Result
	err     error
	elapsed time.Duration
}

func runAsync(ctx context.Context, c *Cmd) <-chan outcome {
	ch := make(chan outcome, 1)
	go func() {
		start := time.Now()
		res, err := Run(ctx, c)
		ch <- outcome{res, err, time.Since(start)}
	}()
	return ch
}

func TestCancelKillsPromptly(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	res := mustRun(t, ctx, &Cmd{Path: "sleep", Args: []string{"sleep", "100"}})
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Run took %v after a 50ms timeout", d)
	}
	if !res.Killed || res.ExitCode != -1 || res.Signal != syscall.SIGTERM {
		t.Errorf("got %+v, want Killed by SIGTERM", res)
	}
}

func TestAlreadyCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := mustRun(t, ctx, &Cmd{Path: "sleep", Args: []string{"sleep", "100"}})
	if !res.Killed || res.Signal == 0 {
		t.Errorf("got %+v, want it killed", res)
	}
}

func TestCancelIgnoredTermNeedsKill(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := newLineWriter()
	c := sh(`trap "" TERM; echo ready; sleep 100`)
	c.Stdout = w
	c.TermSeq = []TermStep{{syscall.SIGTERM, 100 * time.Millisecond}, {syscall.SIGKILL, 0}}
	done := runAsync(ctx, c)
	nextLine(t, w)
	cancel()
	o := <-done
	if o.err != nil {
		t.Fatal(o.err)
	}
	if !o.res.Killed || o.res.ExitCode != -1 || o.res.Signal != syscall.SIGKILL {
		t.Errorf("got %+v, want Killed by SIGKILL", o.res)
	}
	if o.elapsed < 100*time.Millisecond || o.elapsed > 3*time.Second {
		t.Errorf("took %v; the TERM step should wait 100ms, then KILL at once", o.elapsed)
	}
}

// startTermIgnorer starts a program that ignores SIGTERM, under a
// termination sequence that waits 30 s after its TERM, and returns once it
// runs, with the channel that is its Cmd.Kill.
func startTermIgnorer(t *testing.T, ctx context.Context) (chan<- struct{}, <-chan outcome) {
	t.Helper()
	w := newLineWriter()
	c := sh(`trap "" TERM; echo ready; sleep 100`)
	c.Stdout = w
	kill := make(chan struct{})
	c.Kill = kill
	c.TermSeq = []TermStep{{syscall.SIGTERM, 30 * time.Second}, {syscall.SIGKILL, 0}}
	done := runAsync(ctx, c)
	nextLine(t, w)
	return kill, done
}

func TestKillCutsTermSeqShort(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	kill, done := startTermIgnorer(t, ctx)
	close(kill) // before ctx is done: no effect yet
	time.Sleep(100 * time.Millisecond)
	select {
	case o := <-done:
		t.Fatalf("Kill alone ended the program: %+v", o.res)
	default:
	}
	cancel()
	o := <-done
	if o.err != nil {
		t.Fatal(o.err)
	}
	if !o.res.Killed || o.res.Signal != syscall.SIGKILL || o.elapsed > 5*time.Second {
		t.Errorf("got %+v after %v, want SIGKILL at once instead of the 30 s TERM step", o.res, o.elapsed)
	}
}

func TestKillDuringTermSeqWait(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	kill, done := startTermIgnorer(t, ctx)
	cancel()
	time.Sleep(200 * time.Millisecond) // in the TERM step's wait
	close(kill)
	o := <-done
	if !o.res.Killed || o.res.Signal != syscall.SIGKILL || o.elapsed > 5*time.Second {
		t.Errorf("got %+v after %v, want SIGKILL soon after Kill closed", o.res, o.elapsed)
	}
}

func TestCancelEmptyTermSeqWaits(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c := &Cmd{Path: "sleep", Args: []string{"sleep", "0.1"}, TermSeq: []TermStep{}}
	res := mustRun(t, ctx, c)
	if res.Killed || res.ExitCode != 0 || res.Runtime < 100*time.Millisecond {
		t.Errorf("got %+v, want a normal exit after 0.1s", res)
	}
}

func TestCancelKillsGrandchildren(t *testing.T) {
	scripts := map[string]string{
		"same signals": `sleep 100 & echo $!; sleep 100`,
		// The grandchild survives the TERM that kills the leader; only the
		// SIGKILL sent to the group after the leader exits gets it.
		"ignores TERM": `sh -c 'trap "" TERM; echo $$; exec sleep 100' & sleep 100`,
	}
	for name, script := range scripts {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			w := newLineWriter()
			c := sh(script)
			c.Stdout = w
			done := runAsync(ctx, c)
			pid, err := strconv.Atoi(nextLine(t, w))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = unix.Kill(pid, unix.SIGKILL) })
			cancel()
			o := <-done
			if o.err != nil || !o.res.Killed || o.res.Signal != syscall.SIGTERM {
				t.Errorf("got %+v, %v; want killed by SIGTERM, no error", o.res, o.err)
			}
			waitGone(t, pid)
		})
	}
}

func TestGrandchildHoldingStdout(t *testing.T) {
	w := newLineWriter()
	c := sh(`sleep 100 & echo hi; echo $!`)
	c.Stdout = w
	c.WaitDelay = 200 * time.Millisecond
	start := time.Now()
	res, err := Run(context.Background(), c)
	elapsed := time.Since(start)
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("got %+v, %v; want a clean exit", res, err)
	}
	if got := nextLine(t, w); got != "hi" {
		t.Errorf("first line %q, want hi", got)
	}
	pid, err := strconv.Atoi(nextLine(t, w))
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		// Clean up the whole group the test left behind.
		if pgid, err := unix.Getpgid(pid); err == nil && pgid > 1 {
			_ = unix.Kill(-pgid, unix.SIGKILL)
		}
	}()
	if elapsed < 200*time.Millisecond || elapsed > 2*time.Second {
		t.Errorf("Run took %v with WaitDelay 200ms", elapsed)
	}
	if s := procState(pid); s == 0 || s == 'Z' {
		t.Errorf("grandchild %d was killed (state %q) without cancellation", pid, s)
	}
}

func TestGrandchildHoldingStdin(t *testing.T) {
	var out bytes.Buffer
	// The grandchild keeps the stdin pipe open without reading it, so
	// feeding 10 MiB would block forever if WaitDelay did not end it.
	c := sh(`exec 3<&0; sleep 100 <&3 3<&- & echo $!`)
	c.Stdin, c.Stdout = bytes.NewReader(make([]byte, 10<<20)), &out
	c.WaitDelay = 200 * time.Millisecond
	start := time.Now()
	res, err := Run(context.Background(), c)
	if pid, perr := strconv.Atoi(strings.TrimSpace(out.String())); perr == nil {
		defer unix.Kill(pid, unix.SIGKILL)
	}
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("got %+v, %v; want a clean exit", res, err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Run took %v with WaitDelay 200ms", d)
	}
}

func TestNegativeWaitDelayWaitsForPipes(t *testing.T) {
	var out bytes.Buffer
	c := sh(`(sleep 2; echo late) & echo early`)
	c.Stdout, c.WaitDelay = &out, -1
	res := mustRun(t, context.Background(), c)
	if out.String() != "early\nlate\n" {
		t.Errorf("output %q, want the grandchild's line too", out.String())
	}
	if res.Runtime > 1500*time.Millisecond {
		t.Errorf("Runtime %v should end when the leader exits, not the grandchild", res.Runtime)
	}
}

func TestConcurrentRuns(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			var out, errOut bytes.Buffer
			c := &Cmd{Path: "sh", Args: []string{"sh", "-c", `echo "$1"; echo "e$1" >&2; exit $(($1 % 7))`, "sh", strconv.Itoa(i)},
				Stdout: &out, Stderr: &errOut}
			res, err := Run(ctx, c)
			if err != nil || res.ExitCode != i%7 || out.String() != fmt.Sprintln(i) || errOut.String() != fmt.Sprintf("e%d\n", i) {
				t.Errorf("job %d: %+v, %v, stdout %q, stderr %q", i, res, err, out.String(), errOut.String())
			}
		})
	}
	wg.Wait()
}

func BenchmarkRunTrue(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	benches := []struct {
		name string
		ctx  context.Context
		io   bool
	}{
		{"background", context.Background(), false},
		{"cancelable+buffers", ctx, true},
	}
	for _, bb := range benches {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c := &Cmd{Path: "/bin/true"}
				if bb.io {
					var out, errOut bytes.Buffer
					c.Stdout, c.Stderr = &out, &errOut
				}
				res, err := Run(bb.ctx, c)
				if err != nil || res.ExitCode != 0 {
					b.Fatal(res, err)
				}
			}
		})
	}
}

// TestScriptWithoutShebang: text that the kernel will not exec (no #!
// line) runs with /bin/sh, with its arguments; a binary that will not exec
// stays an exec format error (TestStartErrors).
func TestScriptWithoutShebang(t *testing.T) {
	path := filepath.Join(t.TempDir(), "script")
	if err := os.WriteFile(path, []byte("echo \"ran [$1]\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	res, err := Run(context.Background(), &Cmd{Path: path, Args: []string{path, "a b"}, Stdout: &out})
	if err != nil || res.ExitCode != 0 || out.String() != "ran [a b]\n" {
		t.Errorf("Run = %+v, %v, output %q; want exit 0 and \"ran [a b]\"", res, err, out.String())
	}
}
