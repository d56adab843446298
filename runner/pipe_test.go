package runner

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// runPipe runs a --pipe command and returns its output and summary.
func runPipe(t *testing.T, cmd []string, opt PipeOptions, pool Pool) (string, Summary) {
	t.Helper()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sum, err := Run(ctx, Config{Command: cmd, Pipe: &opt, Pool: pool, Stdout: &out, Stderr: &errb})
	if err != nil {
		t.Fatalf("Run: %v (stderr %q)", err, errb.String())
	}
	if ctx.Err() != nil {
		t.Fatal("Run hung")
	}
	return out.String(), sum
}

func TestPipeRunKeepOrder(t *testing.T) {
	var in strings.Builder
	for i := range 5000 {
		in.WriteString(strings.Repeat("y", i%13) + "\n")
	}
	opt := PipeOptions{Input: strings.NewReader(in.String()), BlockSize: 1000}
	out, sum := runPipe(t, []string{"cat"}, opt, Pool{Slots: 4, KeepOrder: true})
	if out != in.String() {
		t.Errorf("-k output is not the input (%d bytes, want %d)", len(out), in.Len())
	}
	if sum.Jobs < 30 || sum.Failed != 0 {
		t.Errorf("summary %+v", sum)
	}
}

func TestPipeJobsThatReadNothing(t *testing.T) {
	// Jobs that exit at once, without reading their (big) block, are not
	// failures and do not hang the run.
	in := strings.Repeat(strings.Repeat("z", 99)+"\n", 50000) // 5 MB
	_, sum := runPipe(t, []string{"true"}, PipeOptions{Input: strings.NewReader(in), BlockSize: 1 << 20}, Pool{Slots: 2})
	if sum.Jobs != 5 || sum.Failed != 0 {
		t.Errorf("summary %+v, want 5 jobs, none failed", sum)
	}
	out, sum := runPipe(t, []string{"head -c 3; exit 2"}, PipeOptions{Input: strings.NewReader(in), BlockSize: 1 << 20}, Pool{Slots: 2, KeepOrder: true})
	if out != strings.Repeat("zzz", 5) || sum.Failed != 5 {
		t.Errorf("head -c 3: output %q, summary %+v", out, sum)
	}
}

// inputCounter counts how much of the input has been read, safely across
// goroutines.
type inputCounter struct {
	r io.Reader
	n atomic.Int64
}

func (c *inputCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func TestPipeBackPressure(t *testing.T) {
	// Jobs that take their time: the reader must not run ahead of them by
	// more than about a block.
	const block = 64 << 10
	in := &inputCounter{r: bytes.NewReader(bytes.Repeat([]byte("0123456789abcde\n"), 1<<20))} // 16 MiB
	var maxAhead atomic.Int64
	var started atomic.Int64
	pool := Pool{Slots: 2, OnStart: func(*Job, int) {
		n := started.Add(1)
		if ahead := in.n.Load() - n*block; ahead > maxAhead.Load() {
			maxAhead.Store(ahead)
		}
	}}
	opt := PipeOptions{Input: in, BlockSize: block, RecordsPerJob: 0}
	// Stop after a few jobs: each sleeps, so the reader would race ahead if
	// it could.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out bytes.Buffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		Run(ctx, Config{Command: []string{"sh", "-c", "sleep 0.05; cat >/dev/null"}, Pipe: &opt, Pool: pool, Stdout: &out, Stderr: &out})
	}()
	time.Sleep(600 * time.Millisecond)
	read, jobs := in.n.Load(), started.Load()
	cancel()
	<-done
	if jobs == 0 {
		t.Fatal("no job started")
	}
	// Running and started jobs hold their blocks, one more is ready, one
	// more may be being read.
	if limit := (jobs + 2) * block; read > limit {
		t.Errorf("read %d bytes with %d jobs started; want at most %d", read, jobs, limit)
	}
	if read >= 16<<20 {
		t.Error("the whole input was read ahead of the jobs")
	}
}

func TestPipeCatFifo(t *testing.T) {
	in := "a\nb\nc\n"
	tmp := t.TempDir()
	out, sum := runPipe(t, []string{`test -f {} && cat {}; echo {} >> ` + tmp + `/names`},
		PipeOptions{Input: strings.NewReader(in), BlockSize: 2, Cat: true}, Pool{Slots: 2, KeepOrder: true, TmpDir: tmp})
	if out != in || sum.Jobs != 3 || sum.Failed != 0 {
		t.Errorf("--cat: output %q, summary %+v", out, sum)
	}
	names, _ := os.ReadFile(filepath.Join(tmp, "names"))
	for _, n := range strings.Fields(string(names)) {
		if _, err := os.Stat(n); err == nil {
			t.Errorf("--cat left %s behind", n)
		}
	}
	out, sum = runPipe(t, []string{`test -p {} && cat {}`},
		PipeOptions{Input: strings.NewReader(in), BlockSize: 2, Fifo: true}, Pool{Slots: 2, KeepOrder: true, TmpDir: tmp})
	if out != in || sum.Jobs != 3 || sum.Failed != 0 {
		t.Errorf("--fifo: output %q, summary %+v", out, sum)
	}
	// A job that never opens its fifo does not hang the run.
	_, sum = runPipe(t, []string{"true"}, PipeOptions{Input: strings.NewReader(in), BlockSize: 2, Fifo: true}, Pool{Slots: 2, TmpDir: tmp})
	if sum.Jobs != 3 || sum.Failed != 0 {
		t.Errorf("--fifo unread: summary %+v", sum)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "parx*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestPipeRoundRobin(t *testing.T) {
	var in strings.Builder
	for i := range 20000 {
		in.WriteString(strings.Repeat("r", i%7) + "\n")
	}
	out, sum := runPipe(t, []string{"wc", "-l"}, PipeOptions{Input: strings.NewReader(in.String()), BlockSize: 1000, RoundRobin: true}, Pool{Slots: 3})
	if sum.Jobs != 3 {
		t.Errorf("--round-robin ran %d jobs, want 3", sum.Jobs)
	}
	total := 0
	for _, f := range strings.Fields(out) {
		var n int
		for _, c := range f {
			n = n*10 + int(c-'0')
		}
		total += n
	}
	if total != 20000 {
		t.Errorf("--round-robin jobs counted %d lines, want 20000 (%q)", total, out)
	}
}

// Each of the first -j blocks starts a job even when the pool is slower than
// the jobs read: with --delay, the first job could otherwise take every
// block before the second starts (GNU parallel starts min(-j, blocks)).
func TestPipeRoundRobinStartsAllSlots(t *testing.T) {
	for _, tt := range []struct {
		lines, jobs int
	}{{10, 3}, {2, 2}, {1, 1}} {
		in := strings.Repeat("x\n", tt.lines)
		out, sum := runPipe(t, []string{"wc", "-l"}, PipeOptions{Input: strings.NewReader(in), BlockSize: 3, RoundRobin: true},
			Pool{Slots: 3, Delay: 100 * time.Millisecond})
		total := 0
		for _, f := range strings.Fields(out) {
			n, _ := strconv.Atoi(f)
			total += n
		}
		if sum.Jobs != tt.jobs || total != tt.lines {
			t.Errorf("%d lines, -j3 --delay: %d jobs counting %d lines (%q), want %d jobs", tt.lines, sum.Jobs, total, out, tt.jobs)
		}
	}
}

// A SIGHUP (Drain) while the pool waits for input to start the second
// --round-robin job: the waiting start is abandoned without taking a block,
// and the running job gets the whole rest of the input.
func TestPipeRoundRobinDrainLosesNothing(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pr, pw := io.Pipe()
	go func() {
		io.WriteString(pw, strings.Repeat("line\n", 2))
		time.Sleep(400 * time.Millisecond)
		io.WriteString(pw, strings.Repeat("line\n", 998))
		pw.Close()
	}()
	drain := make(chan struct{})
	time.AfterFunc(200*time.Millisecond, func() { close(drain) })
	var out, errb bytes.Buffer
	sum, err := Run(ctx, Config{Command: []string{"wc", "-l"},
		Pipe: &PipeOptions{Input: pr, BlockSize: 10, RoundRobin: true},
		Pool: Pool{Slots: 3, Drain: drain}, Stdout: &out, Stderr: &errb})
	if ctx.Err() != nil {
		t.Fatal("--round-robin run drained before its second job hung")
	}
	if err != nil || sum.Jobs != 1 || strings.TrimSpace(out.String()) != "1000" {
		t.Errorf("Run = %v, summary %+v, output %q; want one job counting 1000 lines", err, sum, out.String())
	}
}

func TestPipePart(t *testing.T) {
	var in strings.Builder
	for i := range 3000 {
		in.WriteString(strings.Repeat("p", i%11) + "\n")
	}
	path := filepath.Join(t.TempDir(), "f")
	os.WriteFile(path, []byte("H\n"+in.String()), 0o644)
	out, sum := runPipe(t, []string{`read h; test "$h" = H && cat`}, PipeOptions{PartFile: path, BlockSize: 500, Header: `(.*\n)`},
		Pool{Slots: 3, KeepOrder: true})
	if out != in.String() || sum.Failed != 0 || sum.Jobs < 10 {
		t.Errorf("--pipe-part -k: %d bytes out, want %d; summary %+v", len(out), in.Len(), sum)
	}
	if _, err := Run(context.Background(), Config{Command: []string{"cat"}, Pipe: &PipeOptions{PartFile: "/dev/null"}}); err == nil {
		t.Error("--pipe-part on a character device: no error")
	}
}

func TestPipeNoCommand(t *testing.T) {
	if _, err := Run(context.Background(), Config{Pipe: &PipeOptions{}}); err == nil {
		t.Error("--pipe without a command: no error")
	}
}

func TestPipeRemoveRecSepEmptyBlock(t *testing.T) {
	// A block that --remove-rec-sep empties runs no job, but keeps its
	// number, as in GNU parallel.
	out, sum := runPipe(t, []string{`echo {#}; cat`}, PipeOptions{Input: strings.NewReader("\n\nab>x"), BlockSize: 3, RemoveRecSep: true},
		Pool{Slots: 1, KeepOrder: true})
	if out != "2\nab>x" || sum.Jobs != 1 {
		t.Errorf("output %q, summary %+v; want only job 2", out, sum)
	}
}
