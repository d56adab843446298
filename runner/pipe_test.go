package runner

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"
)

// blocks returns every block of in, header first when there is one.
func blocks(t *testing.T, r io.Reader, opt PipeOptions) []string {
	t.Helper()
	sp, err := NewBlockSplitter(r, opt)
	if err != nil {
		t.Fatal(err)
	}
	return drain(t, sp)
}

// drain returns the blocks left in sp, each with the header.
func drain(t *testing.T, sp *BlockSplitter) []string {
	t.Helper()
	var out []string
	for {
		b, err := sp.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(sp.Header())+string(b))
	}
	return out
}

// The expected blocks are what GNU parallel 20221122 gives each job.
func TestPipeBlocks(t *testing.T) {
	seq10 := "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n"
	fasta := ">a\nx\n>b\ny\n>c\nz\n"
	tests := []struct {
		name string
		in   string
		opt  PipeOptions
		want []string
	}{
		{"records straddle block borders", seq10, PipeOptions{BlockSize: 5},
			[]string{"1\n2\n", "3\n4\n", "5\n6\n", "7\n8\n", "9\n10\n"}},
		{"default block holds all", seq10, PipeOptions{}, []string{seq10}},
		{"empty input has no block", "", PipeOptions{}, nil},
		{"1-byte block", "1\n22\n3\n", PipeOptions{BlockSize: 1}, []string{"1\n", "22\n", "3\n"}},
		{"record bigger than the block grows it", strings.Repeat("a", 22) + "\nb\n", PipeOptions{BlockSize: 3},
			[]string{strings.Repeat("a", 22) + "\n", "b\n"}},
		{"no final newline", "ab\nc", PipeOptions{BlockSize: 4}, []string{"ab\n", "c"}},
		{"input exactly a block", "abc", PipeOptions{BlockSize: 3}, []string{"abc"}},
		{"CRLF records", "a\r\nb\r\nc\r\n", PipeOptions{BlockSize: 4, RecEnd: "\r\n"}, []string{"a\r\n", "b\r\n", "c\r\n"}},
		{"NUL records", "ab\x00c\x00de\x00", PipeOptions{BlockSize: 4, RecEnd: "\x00"}, []string{"ab\x00", "c\x00", "de\x00"}},
		{"NUL records, -N1", "a\x00b\x00c\x00", PipeOptions{RecordsPerJob: 1, RecEnd: "\x00"}, []string{"a\x00", "b\x00", "c\x00"}},
		{"-N3", seq10, PipeOptions{BlockSize: 5, RecordsPerJob: 3}, []string{"1\n2\n3\n", "4\n5\n6\n", "7\n8\n9\n", "10\n"}},
		{"-N1 skips a separator at the very start, as GNU", "\n\na\n\nb\n", PipeOptions{RecordsPerJob: 1},
			[]string{"\n\n", "a\n", "\nb\n"}},
		{"-L4 small block", seq10, PipeOptions{BlockSize: 5, Lines: 4}, []string{"1\n2\n3\n4\n", "5\n6\n7\n8\n", "9\n10\n"}},
		{"-L4 fills the block with groups", seq10, PipeOptions{BlockSize: 20, Lines: 4}, []string{"1\n2\n3\n4\n5\n6\n7\n8\n", "9\n10\n"}},
		{"-L2 leading newline", "\nabc\nd", PipeOptions{BlockSize: 3, Lines: 2}, []string{"\nabc\n", "d"}},
		{"--recstart", fasta, PipeOptions{BlockSize: 5, RecStart: ">"}, []string{">a\nx\n", ">b\ny\n", ">c\nz\n"}},
		{"--recstart -N1", fasta, PipeOptions{RecordsPerJob: 1, RecStart: ">"}, []string{">a\nx\n", ">b\ny\n", ">c\nz\n"}},
		{"--recstart --recend --remove-rec-sep", fasta, PipeOptions{RecordsPerJob: 1, RecStart: ">", RecEnd: "\n", RemoveRecSep: true},
			[]string{"a\nx", "b\ny", "c\nz"}},
		{"--recstart --recend --remove-rec-sep, two records", fasta, PipeOptions{BlockSize: 6, RecStart: ">", RecEnd: "\n", RemoveRecSep: true},
			[]string{"a\nx", "b\ny", "c\nz"}},
		{"--regexp -N1", "a1b22c333d", PipeOptions{Regexp: true, RecEnd: "[0-9]+", RecordsPerJob: 1}, []string{"a1", "b22", "c333", "d"}},
		{"--regexp greedy at the border", "a1b22c333d", PipeOptions{Regexp: true, RecEnd: "[0-9]+", BlockSize: 3}, []string{"a1", "b22", "c33", "3d"}},
		{"--regexp --remove-rec-sep", "a1b22c333d", PipeOptions{Regexp: true, RecEnd: "[0-9]+", RecordsPerJob: 1, RemoveRecSep: true}, []string{"a", "b", "c", "d"}},
		{"--regexp text before the first record start", "xa1b22c333d", PipeOptions{Regexp: true, RecStart: "[a-d]", RecEnd: "[0-9]+", RecordsPerJob: 2},
			[]string{"xa1", "b22c333", "d"}},
		{"--regexp --recstart alone: records end anywhere", "\n>\n\n>>\n>\n\x00", PipeOptions{Regexp: true, RecStart: ">", RecordsPerJob: 1},
			[]string{"\n", ">\n\n", ">", ">\n", ">\n\x00"}},
		{"--regexp --recstart alone --remove-rec-sep", ">a\n>b", PipeOptions{Regexp: true, RecStart: ">", RecordsPerJob: 1, RemoveRecSep: true},
			[]string{"a\n", "b"}},
		{"--header : in every block", "h1\nh2\na\nb\nc\nd\n", PipeOptions{BlockSize: 4, Header: `(.*\n)`},
			[]string{"h1\nh2\n", "h1\na\nb\n", "h1\nc\nd\n"}},
		{"--header 2 -N1", "h1\nh2\na\nb\n", PipeOptions{RecordsPerJob: 1, Header: `(.*\n)(.*\n)`},
			[]string{"h1\nh2\na\n", "h1\nh2\nb\n"}},
		{"--header that never matches", "a\nb\n", PipeOptions{Header: `x\n`}, []string{"a\nb\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := blocks(t, strings.NewReader(tt.in), tt.opt)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("blocks %q, want %q", got, tt.want)
			}
			// Reads of one byte at a time cut the same blocks.
			if got := blocks(t, iotest.OneByteReader(strings.NewReader(tt.in)), tt.opt); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("one byte at a time: blocks %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseBlockSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"1", 1}, {"10", 10}, {"1k", 1000}, {"1K", 1024}, {"1M", 1 << 20}, {"1m", 1000000}, {"2G", 2 << 30},
		{"1g", 1e9}, {"1T", 1 << 40}, {"1.5k", 1500}, {"1.5M", 1572864}, {"0.5K", 512}, {"1Ki", 1024},
		{"1mi", 1 << 20}, {"-1", -1}, {"-10", -10}, {"0", 0}, {" 3 ", 3}, {"1.9", 1},
	}
	for _, tt := range tests {
		got, err := ParseBlockSize(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseBlockSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "k", "1x", "ten", "1MM", "0x10", "1e3", "NaN", "Inf", "1_000", "--1"} {
		if n, err := ParseBlockSize(bad); err == nil {
			t.Errorf("ParseBlockSize(%q) = %d, want an error", bad, n)
		}
	}
}

func TestUnescapeRecSep(t *testing.T) {
	for in, want := range map[string]string{`\n`: "\n", `\r\n`: "\r\n", `\0`: "\x00", `\t`: "\t", `\\`: `\`, `a\'b\"`: `a'b"`, `\x`: `\x`, `x\`: `x\`} {
		if got := UnescapeRecSep(in); got != want {
			t.Errorf("UnescapeRecSep(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPipeBadOptions(t *testing.T) {
	for _, opt := range []PipeOptions{
		{Regexp: true, RecEnd: "("},
		{Regexp: true, RecStart: "[a"},
		{Header: "("},
	} {
		if _, err := NewBlockSplitter(strings.NewReader("x"), opt); err == nil {
			t.Errorf("NewBlockSplitter(%+v): no error", opt)
		}
	}
}

// FuzzPipeBlocks: whatever the input, block size and separators, the blocks
// put back together are the input, byte for byte, and each block but the
// last ends with a record end (fixed-string --recend).
func FuzzPipeBlocks(f *testing.F) {
	for _, s := range []string{"1\n2\n3\n", "", "\n\n\n", "a\r\nb\r\n", "a\x00b\x00", "no newline", ">a\nx\n>b\n"} {
		f.Add(s, uint16(1), "\n", "", uint8(0), uint8(0))
		f.Add(s, uint16(3), "\r\n", "", uint8(1), uint8(0))
		f.Add(s, uint16(2), "", ">", uint8(0), uint8(2))
	}
	f.Fuzz(func(t *testing.T, in string, bs uint16, recEnd, recStart string, records, lines uint8) {
		opt := PipeOptions{BlockSize: int64(bs%64) + 1, RecEnd: recEnd, RecStart: recStart, RecordsPerJob: int(records % 4), Lines: int(lines % 4)}
		var got []string
		done := make(chan struct{})
		go func() { defer close(done); got = blocks(t, iotest.HalfReader(strings.NewReader(in)), opt) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("hang: %q %+v", in, opt)
		}
		if joined := strings.Join(got, ""); joined != in {
			t.Fatalf("blocks %q joined give %q, want %q", got, joined, in)
		}
		for i, b := range got {
			if b == "" {
				t.Fatalf("block %d of %q is empty", i, got)
			}
		}
		sep := recEnd + recStart
		if sep == "" {
			sep = "\n"
		}
		if opt.Lines > 0 && opt.RecordsPerJob == 0 {
			return // lines, not the separators, make the records
		}
		for i, b := range got[:max(len(got)-1, 0)] {
			// A block ends where the separator's end part is followed by its
			// start part in the next block.
			end := recEnd
			if recEnd == "" && recStart == "" {
				end = "\n"
			}
			if !strings.HasSuffix(b, end) || !strings.HasPrefix(strings.Join(got[i+1:], ""), recStart) {
				t.Fatalf("block %d %q is not cut at a record border (%q)", i, b, sep)
			}
		}
	})
}

func TestFileParts(t *testing.T) {
	dir := t.TempDir()
	var body strings.Builder
	for i := range 1000 {
		body.WriteString(strings.Repeat("x", i%17) + "\n")
	}
	path := filepath.Join(dir, "f")
	content := "name\n" + body.String()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, opt := range []PipeOptions{
		{BlockSize: 100}, {BlockSize: 1}, {}, {BlockSize: -1}, {BlockSize: 1 << 20},
		{BlockSize: 100, Header: `(.*\n)`}, {BlockSize: 50, RecStart: "xx"}, {BlockSize: 64, Regexp: true, RecEnd: `x\n`},
	} {
		head, borders, err := FileParts(path, opt, 4)
		if err != nil {
			t.Fatal(err)
		}
		if string(head) != map[bool]string{true: "name\n", false: ""}[opt.Header != ""] {
			t.Errorf("%+v: header %q", opt, head)
		}
		if borders[0] != int64(len(head)) || borders[len(borders)-1] != int64(len(content)) {
			t.Errorf("%+v: borders %v do not span the file after the header", opt, borders)
		}
		for i := 1; i < len(borders); i++ {
			part := content[borders[i-1]:borders[i]]
			if borders[i] <= borders[i-1] {
				t.Fatalf("%+v: borders %v do not increase", opt, borders)
			}
			if opt.BlockSize > 0 && i < len(borders)-1 && int64(len(part)) < opt.BlockSize {
				t.Fatalf("%+v: part %d is %d bytes, less than the block", opt, i, len(part))
			}
			if i < len(borders)-1 && !opt.Regexp && opt.RecStart == "" && !strings.HasSuffix(part, "\n") {
				t.Fatalf("%+v: part %d %q does not end a record", opt, i, part)
			}
			if i > 1 && opt.RecStart != "" && !strings.HasPrefix(part, opt.RecStart) {
				t.Fatalf("%+v: part %d %q does not start a record", opt, i, part)
			}
		}
		if opt.BlockSize == 0 && len(borders)-1 < 30 {
			t.Errorf("default block: %d parts, want about 10 per slot", len(borders)-1)
		}
	}
	if _, _, err := FileParts("/dev/stdin", PipeOptions{}, 1); err == nil && !isRegular("/dev/stdin") {
		t.Error("FileParts accepted a stream")
	}
	if _, _, err := FileParts(filepath.Join(dir, "missing"), PipeOptions{}, 1); err == nil {
		t.Error("FileParts accepted a missing file")
	}
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, nil, 0o644)
	if _, borders, err := FileParts(empty, PipeOptions{}, 1); err != nil || len(borders) != 1 {
		t.Errorf("empty file: borders %v, %v; want no part", borders, err)
	}
}

func isRegular(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

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

// A job handed its first block but never started (the pool stopped as it
// was fetched) gives the block back, in input order, to the running jobs.
func TestRobinDealerReturnsUnstartedBlocks(t *testing.T) {
	d := newRobinDealer(context.Background(), func() int { return 3 }, func([]byte) {})
	for _, b := range []string{"a\n", "b\n", "c\n", "d\n"} {
		d.queue = append(d.queue, &blockReader{body: []byte(b)})
	}
	d.eof = true
	_, first, err := d.nextJob()
	if err != nil {
		t.Fatal(err)
	}
	d.nextJob()
	d.nextJob()
	d.started(first)
	d.stopStarting() // the second and third never start
	if _, _, err := d.nextJob(); err != io.EOF {
		t.Errorf("nextJob after stopStarting: %v, want io.EOF", err)
	}
	got, err := io.ReadAll(first)
	if err != nil || string(got) != "a\nb\nc\nd\n" {
		t.Errorf("the running job read %q, %v; want every block", got, err)
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

func TestBlockReaderSeek(t *testing.T) {
	// A retried job reads its block again from the start.
	r := &blockReader{head: []byte("h\n"), body: []byte("a\nb\n")}
	first, _ := io.ReadAll(r)
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	r.WriteTo(&again)
	if string(first) != "h\na\nb\n" || again.String() != string(first) {
		t.Errorf("first read %q, second %q", first, again.String())
	}
}

func TestPipeBlockTimeout(t *testing.T) {
	// A slow writer: the first lines come at once, the rest much later.
	pr, pw := io.Pipe()
	go func() {
		pw.Write([]byte("a\nb\nc"))
		time.Sleep(time.Second)
		pw.Write([]byte("\nd\n"))
		pw.Close()
	}()
	start := time.Now()
	sp, err := NewBlockSplitter(pr, PipeOptions{BlockSize: 1 << 20, BlockTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	first, err := sp.Next()
	if err != nil || string(first) != "a\nb\n" {
		t.Fatalf("first block %q, %v; want the lines read before the timeout", first, err)
	}
	if waited := time.Since(start); waited > 700*time.Millisecond {
		t.Errorf("first block came after %v, not at the timeout", waited)
	}
	if rest := drain(t, sp); strings.Join(rest, "") != "c\nd\n" {
		t.Errorf("rest %q, want the rest of the input", rest)
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

// FuzzFileParts: the parts of any file, for any block size and separator,
// put back together (after the header) are the file, and every border but
// the last is a record border.
func FuzzFileParts(f *testing.F) {
	f.Add("1\n2\n3\n", uint16(1), "\n", "")
	f.Add(">a\nx\n>b\n", uint16(2), "", ">")
	f.Add("a\r\nb\r\nc", uint16(3), "\r\n", "")
	path := filepath.Join(f.TempDir(), "f")
	f.Fuzz(func(t *testing.T, in string, bs uint16, recEnd, recStart string) {
		if err := os.WriteFile(path, []byte(in), 0o644); err != nil {
			t.Fatal(err)
		}
		opt := PipeOptions{BlockSize: int64(bs%64) + 1, RecEnd: recEnd, RecStart: recStart}
		_, borders, err := FileParts(path, opt, 2)
		if err != nil {
			t.Fatal(err)
		}
		if borders[0] != 0 || borders[len(borders)-1] != int64(len(in)) {
			t.Fatalf("borders %v do not span %d bytes", borders, len(in))
		}
		end, start := recEnd, recStart
		if end == "" && start == "" {
			end = "\n"
		}
		for i := 1; i < len(borders)-1; i++ {
			b := borders[i]
			if b <= borders[i-1] || !strings.HasSuffix(in[:b], end) || !strings.HasPrefix(in[b:], start) {
				t.Fatalf("border %d at %d of %q is not a record border (%v)", i, b, in, borders)
			}
		}
	})
}
