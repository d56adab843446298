package subproc

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"
)

// slowWriter takes its time over every write, as a loaded machine does.
type slowWriter struct {
	buf   bytes.Buffer
	pause time.Duration
}

func (w *slowWriter) Write(p []byte) (int, error) {
	time.Sleep(w.pause)
	return w.buf.Write(p)
}

// A finished program's output is drained whole however long that takes:
// the idle bound (WaitDelay) is for a pipe that stays open with nothing in
// it, not for one the reader is slow to empty. Output used to be cut at a
// 32 KiB boundary once WaitDelay had passed.
func TestSlowReaderGetsAllOutput(t *testing.T) {
	for _, shared := range []bool{false, true} {
		out := &slowWriter{pause: 30 * time.Millisecond}
		errOut := &slowWriter{pause: 30 * time.Millisecond}
		// 400 KB on each stream: well over a pipe's 64 KiB, read in at
		// most 32 KiB pieces, each a pause.
		c := sh(`seq 70000; seq 70000 >&2`)
		c.Stdout, c.Stderr = out, errOut
		if shared {
			c.Stderr = out
		}
		c.WaitDelay = 50 * time.Millisecond
		res := mustRun(t, context.Background(), c)
		if res.ExitCode != 0 {
			t.Fatalf("exit %d", res.ExitCode)
		}
		want := seqOutput(70000)
		if shared {
			if got := out.buf.String(); got != want+want {
				t.Errorf("shared: got %d bytes, want %d", len(got), 2*len(want))
			}
			continue
		}
		if got := out.buf.String(); got != want {
			t.Errorf("stdout: got %d bytes, want %d", len(got), len(want))
		}
		if got := errOut.buf.String(); got != want {
			t.Errorf("stderr: got %d bytes, want %d", len(got), len(want))
		}
	}
}

// A descendant that keeps writing after the program exited is read for as
// long as it writes: the pipe is only given up once it is idle.
func TestLateWriterIsReadWhileItWrites(t *testing.T) {
	var out bytes.Buffer
	c := sh(`(for i in 1 2 3 4 5 6; do sleep 0.1; echo $i; done) & echo start`)
	c.Stdout = &out
	c.WaitDelay = 400 * time.Millisecond
	mustRun(t, context.Background(), c)
	if got := out.String(); got != "start\n1\n2\n3\n4\n5\n6\n" {
		t.Errorf("output %q, want every line of the late writer", got)
	}
}

// Stopping the run while a descendant still holds the output pipe after the
// program exited kills the descendant: a cancelled job leaves nothing
// behind, even past its leader.
func TestCancelWhileDrainingKillsGroup(t *testing.T) {
	w := newLineWriter()
	c := sh(`sleep 100 & echo $!`)
	c.Stdout, c.WaitDelay = w, -1 // wait for end of file forever
	ctx, cancel := context.WithCancel(context.Background())
	done := runAsync(ctx, c)
	pid, err := strconv.Atoi(nextLine(t, w))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the leader has exited: draining
	cancel()
	select {
	case o := <-done:
		if o.err != nil || o.res.ExitCode != 0 {
			t.Errorf("got %+v, %v; want the leader's clean exit", o.res, o.err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	waitGone(t, pid)
}

// A program that exited by itself before its context was done is not
// reported as killed, however close the two are: the termination sequence
// looks first. (A --timeout firing as a job ends used to print "timed out
// and was killed" for a job counted as a success.)
func TestExitedProgramIsNotKilled(t *testing.T) {
	c := &Cmd{Path: "true"}
	cmd, ios, err := prepare(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ios.eachPipe((*outputPipe).start)
	pid := cmd.Process.Pid
	if err := waitExitedBlocking(pid); err != nil {
		t.Fatal(err)
	}
	g := &group{pgid: pid}
	g.terminate() // the stop arrives after the exit, before Run sees it
	if killed := g.exited(); killed {
		t.Error("the sequence signalled a program that had already exited")
	}
	cmd.Wait()
}

func seqOutput(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		b.WriteString(strconv.Itoa(i))
		b.WriteByte('\n')
	}
	return b.String()
}
