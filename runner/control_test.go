package runner

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestParseHalt(t *testing.T) {
	tests := []struct {
		in   string
		want Halt
	}{
		{"never", Halt{}},
		{"0", Halt{}},
		{"1", Halt{When: HaltSoon, Count: 1}},
		{"2", Halt{When: HaltNow, Count: 1}},
		{"-1", Halt{When: HaltSoon, Why: HaltOnSuccess, Count: 1}},
		{"-2", Halt{When: HaltNow, Why: HaltOnSuccess, Count: 1}},
		{"now,fail=1", Halt{When: HaltNow, Count: 1}},
		{"soon,fail=3", Halt{When: HaltSoon, Count: 3}},
		{"soon,success=2", Halt{When: HaltSoon, Why: HaltOnSuccess, Count: 2}},
		{"now,done=5", Halt{When: HaltNow, Why: HaltOnDone, Count: 5}},
		{"now,fail=30%", Halt{When: HaltNow, Percent: 30}},
		{"soon,done=12.5%", Halt{When: HaltSoon, Why: HaltOnDone, Percent: 12.5}},
		{"now,success=100%", Halt{When: HaltNow, Why: HaltOnSuccess, Percent: 100}},
	}
	for _, tt := range tests {
		got, err := ParseHalt(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseHalt(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
		if tt.in != "0" && tt.in[0] != '-' && tt.in != "1" && tt.in != "2" {
			if s := got.String(); s != tt.in {
				t.Errorf("ParseHalt(%q).String() = %q", tt.in, s)
			}
		}
	}
	for _, bad := range []string{"", "3", "later", "now", "now,", "now,fail", "now,fail=", "now,fail=0", "now,fail=-1",
		"now,fail=x", "now,fail=1.5", "soon,crash=1", "now,fail=0%", "now,fail=101%", "now,fail=NaN%", "never,fail=1"} {
		if h, err := ParseHalt(bad); err == nil {
			t.Errorf("ParseHalt(%q) = %+v, want an error", bad, h)
		} else if !strings.Contains(err.Error(), "invalid --halt") {
			t.Errorf("ParseHalt(%q) error %q does not name the option", bad, err)
		}
	}
}

func TestHaltReached(t *testing.T) {
	tests := []struct {
		h                        string
		failed, succeeded, total int
		want                     bool
	}{
		{"never", 100, 0, 0, false},
		{"now,fail=1", 0, 5, 0, false},
		{"now,fail=1", 1, 0, 0, true},
		{"soon,fail=2", 1, 9, 0, false},
		{"soon,fail=2", 2, 9, 0, true},
		{"now,success=1", 3, 1, 0, true},
		{"now,done=3", 1, 1, 0, false},
		{"now,done=3", 1, 2, 0, true},
		{"now,fail=20%", 1, 0, 10, false},
		{"now,fail=20%", 2, 0, 10, true},
		{"now,fail=50%", 1, 0, 0, true}, // unknown total: of the finished jobs
		{"now,fail=50%", 1, 2, 0, false},
		{"soon,done=50%", 1, 1, 5, false},
		{"soon,done=50%", 2, 1, 5, true},
	}
	for _, tt := range tests {
		h, err := ParseHalt(tt.h)
		if err != nil {
			t.Fatal(err)
		}
		if got := h.reached(tt.failed, tt.succeeded, tt.total); got != tt.want {
			t.Errorf("%s: reached(failed %d, succeeded %d, total %d) = %v, want %v", tt.h, tt.failed, tt.succeeded, tt.total, got, tt.want)
		}
	}
}

func TestExitStatus(t *testing.T) {
	pol := func(s string) Halt {
		h, err := ParseHalt(s)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	halted := func(s string, exit, sig int) *HaltError {
		return &HaltError{Policy: pol(s), ExitCode: exit, Signal: sig}
	}
	tests := []struct {
		name string
		sum  Summary
		want int
	}{
		{"all ok", Summary{Jobs: 5}, 0},
		{"some failed", Summary{Jobs: 5, Failed: 3}, 3},
		{"100 failed", Summary{Jobs: 500, Failed: 100}, 100},
		{"over 100 failed", Summary{Jobs: 500, Failed: 101}, 101},
		{"fail=1: the job's status", Summary{Failed: 1, Halted: halted("now,fail=1", 4, 0)}, 4},
		{"fail=1: the job's signal", Summary{Failed: 1, Halted: halted("now,fail=1", -1, 9)}, 137},
		{"fail=1: status past 255", Summary{Failed: 1, Halted: halted("now,fail=1", 300, 0)}, 44},
		{"done=1 by a success", Summary{Halted: halted("soon,done=1", 0, 0)}, 0},
		{"fail=3: the count", Summary{Failed: 3, Halted: halted("soon,fail=3", 8, 0)}, 3},
		{"success halts exit 0", Summary{Failed: 7, Halted: halted("now,success=1", 0, 0)}, 0},
		{"percent, halted", Summary{Jobs: 3, Failed: 3, Total: 10, Policy: pol("now,fail=30%"), Halted: halted("now,fail=30%", 1, 0)}, 30},
		{"percent, rounded up", Summary{Jobs: 3, Failed: 1, Total: 3, Policy: pol("soon,fail=90%")}, 34},
		{"percent, not halted", Summary{Jobs: 10, Failed: 2, Total: 10, Policy: pol("now,fail=50%")}, 20},
		{"percent, none failed", Summary{Jobs: 10, Total: 10, Policy: pol("now,fail=50%")}, 0},
	}
	for _, tt := range tests {
		if got := tt.sum.ExitStatus(); got != tt.want {
			t.Errorf("%s: ExitStatus() = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestJobLogRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	jl, err := NewJobLog(&buf, true)
	if err != nil {
		t.Fatal(err)
	}
	start := time.UnixMilli(1795453851537)
	out := &Buffer{}
	out.Write([]byte("hello\n"))
	results := []*Result{
		{Job: &Job{Seq: 1, Line: "echo 'a b'"}, Start: start, Runtime: 1500 * time.Millisecond, Stdout: out},
		{Job: &Job{Seq: 2, Line: "kill -9 $$"}, Start: start, ExitCode: -1, Signal: 9, Stdout: &Buffer{}},
		{Job: &Job{Seq: 3, Line: "printf 'x\ny'\tz"}, Start: start, ExitCode: 3, Sent: 10, Stdout: &Buffer{}},
		{Job: &Job{Seq: 4, Line: "sleep 9"}, Start: start, ExitCode: -1, Signal: 15, TimedOut: true, Stdout: &Buffer{}},
		{Job: &Job{Seq: 1, Line: "echo 'a b'"}, Start: start, ExitCode: 2, Stdout: &Buffer{}},
	}
	for _, r := range results {
		if err := jl.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	lines := strings.Split(buf.String(), "\n")
	if lines[0]+"\n" != JobLogHeader {
		t.Errorf("header %q", lines[0])
	}
	if want := "1\t:\t1795453851.537\t     1.500\t0\t6\t0\t0\techo 'a b'"; lines[1] != want {
		t.Errorf("line 1 = %q, want %q", lines[1], want)
	}
	if len(lines) != 7 || lines[6] != "" {
		t.Fatalf("want 6 lines, each ending in a newline; got %q", buf.String())
	}
	got, err := ReadJobLog(&buf, "test")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Fatalf("ReadJobLog: %d entries, want 4 (Seq 1 twice)", len(got))
	}
	if e := got[4]; e.ExitCode != -1 || e.Signal != 15 {
		t.Errorf("Seq 4, timed out: %+v, want Exitval -1 as GNU logs it", e)
	}
	if e := got[1]; e.ExitCode != 2 || !e.Failed() {
		t.Errorf("Seq 1: the later line must win, got %+v", e)
	}
	if e := got[2]; e.ExitCode != 0 || e.Signal != 9 || !e.Failed() {
		t.Errorf("Seq 2 = %+v", e)
	}
	if e := got[3]; e.Command != "printf 'x\ny'\tz" || e.Send != 10 || !e.Start.Equal(start) {
		t.Errorf("Seq 3 = %+v", e)
	}
}

func TestJobLogCommand(t *testing.T) {
	tests := []struct{ cmd, logged string }{
		{"echo a", "echo a"},
		{"printf 'a\nb'", `printf 'a\nb'`},
		{`printf 'a\nb'`, `printf 'a\\nb'`},
		{`a\`, `a\\`},
		{"x\x00y", `x\0y`},
		{`x\0y`, `x\\0y`},
		{"tab\tcr\r", "tab\tcr\r"},
	}
	for _, tt := range tests {
		if got := JobLogCommand(tt.cmd); got != tt.logged {
			t.Errorf("JobLogCommand(%q) = %q, want %q", tt.cmd, got, tt.logged)
		}
		if got := ParseJobLogCommand(tt.logged); got != tt.cmd {
			t.Errorf("ParseJobLogCommand(%q) = %q, want %q", tt.logged, got, tt.cmd)
		}
	}
	// Read leniently: GNU parallel's NUL for a newline, and a lone
	// backslash of an older parx log, which doubled none.
	for logged, want := range map[string]string{"a\x00b": "a\nb", `a\b`: `a\b`, `end\`: `end\`} {
		if got := ParseJobLogCommand(logged); got != want {
			t.Errorf("ParseJobLogCommand(%q) = %q, want %q", logged, got, want)
		}
	}
}

func TestReadJobLogErrors(t *testing.T) {
	line := "1\t:\t1795453851.537\t     0.003\t0\t2\t0\t0\techo 0\n"
	tests := []struct{ log, want string }{
		{"", ""}, // an empty log is no log
		{"Seq\tHost\n", "line 1: want 9 tab-separated fields, found 2"},
		{line, ""}, // no header: a --joblog +FILE log
		{JobLogHeader + "garbage\n", "line 2: want 9 tab-separated fields, found 1"},
		{JobLogHeader + line + "x\t:\t1\t1\t0\t0\t0\t0\tcmd\n", `line 3: Seq "x" is not a whole number`},
		{JobLogHeader + "0\t:\t1\t1\t0\t0\t0\t0\tcmd\n", "line 2: Seq must be at least 1"},
		{JobLogHeader + "1\t:\tsoon\t1\t0\t0\t0\t0\tcmd\n", `Starttime "soon" is not a number of seconds`},
		{JobLogHeader + "1\t:\t1\t1\t0\t0\tok\t0\tcmd\n", `Exitval "ok" is not a whole number`},
		{JobLogHeader + "1\t:\t1\tNaN\t0\t0\t0\t0\tcmd\n", `JobRuntime "NaN"`},
		// A last line without its newline was cut while being written.
		{JobLogHeader + line + "2\t:\t1795", "joblog f: line 3, the last, is incomplete"},
		{JobLogHeader + line + "2\t:\t1\t1\t0\t0\t0\t0\techo 0", "joblog f: line 3, the last, is incomplete"},
		{"Seq\tHo", "joblog f: line 1, the last, is incomplete"},
	}
	for _, tt := range tests {
		_, err := ReadJobLog(strings.NewReader(tt.log), "f")
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("ReadJobLog(%q): %v", tt.log, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("ReadJobLog(%q) error = %v, want one containing %q", tt.log, err, tt.want)
		}
	}
}

func TestMedianTracker(t *testing.T) {
	var m medianTracker
	steps := []struct {
		add  time.Duration
		want time.Duration
		ok   bool
	}{
		{5, 0, false}, {1, 0, false}, {9, 5, true}, {3, 4, true}, {100, 5, true}, {2, 4, true}, {0, 3, true},
	}
	for i, s := range steps {
		m.add(s.add)
		got, ok := m.median()
		if got != s.want || ok != s.ok {
			t.Errorf("after %d samples: median = %v, %v; want %v, %v", i+1, got, ok, s.want, s.ok)
		}
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"0", 0}, {"100", 100}, {"1k", 1000}, {"1K", 1024}, {"1.5M", 1572864}, {"2m", 2000000},
		{"1G", 1 << 30}, {"1g", 1e9}, {"1T", 1 << 40}, {"0.5k", 500}, {"1P", 1 << 50},
	}
	for _, tt := range tests {
		if got, err := ParseSize(tt.in); err != nil || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "k", "-1", "1X", "1KB", "NaN", "Inf", "1e30G"} {
		if got, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", bad, got)
		}
	}
}

func TestParseMemAvailable(t *testing.T) {
	got, err := parseMemAvailable([]byte("MemTotal:       16000000 kB\nMemFree:  100 kB\nMemAvailable:    2048 kB\n"))
	if err != nil || got != 2048*1024 {
		t.Errorf("parseMemAvailable = %d, %v", got, err)
	}
	if _, err := parseMemAvailable([]byte("MemTotal: 1 kB\n")); err == nil {
		t.Error("no MemAvailable line: want an error")
	}
	if _, _, err := readResources(); err != nil {
		t.Errorf("readResources on this machine: %v", err)
	}
}

// runLines runs shell lines on p and returns the results in order.
func runLines(t *testing.T, ctx context.Context, p *Pool, lines ...string) ([]*Result, error) {
	t.Helper()
	i := 0
	var got []*Result
	p.KeepOrder = true
	err := p.Run(ctx, JobSourceFunc(func(int) (*Job, error) {
		if i == len(lines) {
			return nil, io.EOF
		}
		i++
		return &Job{Line: lines[i-1]}, nil
	}), func(r *Result) error {
		out, _ := r.Stdout.Bytes()
		kept := &Buffer{}
		kept.Write(out)
		res := *r
		res.Stdout = kept // the Pool closes r's own buffers after emit
		got = append(got, &res)
		return nil
	})
	return got, err
}

// A halt (or SIGHUP) while the next job waits out --delay: that job does not
// start, and the run ends without waiting for the rest of the delay.
func TestPoolHaltDuringDelay(t *testing.T) {
	h, err := ParseHalt("soon,fail=1")
	if err != nil {
		t.Fatal(err)
	}
	p := &Pool{Slots: 2, Delay: 10 * time.Second, Halt: h}
	start := time.Now()
	res, err := runLines(t, context.Background(), p, "exit 3", "echo never")
	var he *HaltError
	if !errors.As(err, &he) || len(res) != 1 || res[0].ExitCode != 3 {
		t.Errorf("Run = %v with %d results; want a halt after the failed job only", err, len(res))
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the run took %v: it waited out the --delay after the halt", d)
	}
}

func TestPoolLoadGate(t *testing.T) {
	var load atomic.Value
	load.Store(5.0)
	p := &Pool{Slots: 2, MaxLoad: 1, probe: func() (float64, int64, error) { return load.Load().(float64), 1 << 40, nil }}
	time.AfterFunc(1500*time.Millisecond, func() { load.Store(0.5) })
	start := time.Now()
	res, err := runLines(t, context.Background(), p, "true")
	if err != nil || len(res) != 1 {
		t.Fatalf("Run: %v, %d results", err, len(res))
	}
	if d := res[0].Start.Sub(start); d < time.Second {
		t.Errorf("the job started %v after Run, while the load was above --load", d)
	}
}

func TestPoolMemFreeKillsYoungestAndRerunsIt(t *testing.T) {
	var low atomic.Bool
	p := &Pool{Slots: 2, MemFree: 1000, Delay: 100 * time.Millisecond, probe: func() (float64, int64, error) {
		if low.Load() {
			return 0, 100, nil // below half of MemFree
		}
		return 0, 1 << 30, nil
	}}
	dir := t.TempDir()
	// The older job runs through; the younger one is killed while memory is
	// low, then runs again from the start once memory is back.
	time.AfterFunc(1200*time.Millisecond, func() { low.Store(true) })
	time.AfterFunc(3000*time.Millisecond, func() { low.Store(false) })
	res, err := runLines(t, context.Background(), p,
		"sleep 3.5; echo old",
		"sleep 0.2; echo >> "+dir+"/starts; sleep 2.5; echo young")
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"old\n", "young\n"} {
		out, _ := res[i].Stdout.Bytes()
		if string(out) != want || res[i].Failed() {
			t.Errorf("job %d: output %q, failed %v; want %q, success", i+1, out, res[i].Failed(), want)
		}
	}
	starts := readFile(t, dir+"/starts")
	if starts != "\n\n" {
		t.Errorf("the younger job started %d times, want 2", strings.Count(starts, "\n"))
	}
}

func TestPoolRetriesRereadStdin(t *testing.T) {
	p := &Pool{Slots: 1, Retries: 3, KeepOrder: true}
	i := 0
	var got []*Result
	err := p.Run(context.Background(), JobSourceFunc(func(int) (*Job, error) {
		if i > 0 {
			return nil, io.EOF
		}
		i++
		// Fails unless its stdin is whole; each attempt must get all of it.
		return &Job{Line: `[ "$(cat)" = "block" ] && echo ok && exit 1`, Stdin: strings.NewReader("block")}, nil
	}), func(r *Result) error {
		out, _ := r.Stdout.Bytes()
		if string(out) != "ok\n" {
			t.Errorf("attempt %d read %q", r.Attempts, out)
		}
		got = append(got, r)
		return nil
	})
	if err != nil || len(got) != 1 || got[0].Attempts != 3 || got[0].Sent != 5 {
		t.Fatalf("Run: %v; results %d, attempts %d, sent %d; want one result after 3 attempts of 5 bytes", err, len(got), got[0].Attempts, got[0].Sent)
	}
}

func TestPoolHaltNowCancelsRunning(t *testing.T) {
	p := &Pool{Slots: 2, Halt: Halt{When: HaltNow, Count: 1}}
	var done []int64
	p.OnDone = func(r *Result) { done = append(done, r.Job.Seq) }
	res, err := runLines(t, context.Background(), p, "sleep 0.2; exit 3", "sleep 30", "echo never")
	var he *HaltError
	if !errors.As(err, &he) || he.Seq != 1 || he.ExitCode != 3 {
		t.Fatalf("Run error = %v, want a halt by job 1", err)
	}
	if len(res) != 2 || !res[1].Cancelled || res[0].Cancelled {
		t.Fatalf("want job 1 finished and job 2 cancelled, got %d results", len(res))
	}
	if len(done) != 1 || done[0] != 1 {
		t.Errorf("OnDone saw %v, want only job 1", done)
	}
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// FuzzParseHalt: whatever ParseHalt accepts, its String form parses back
// to the same policy.
func FuzzParseHalt(f *testing.F) {
	for _, s := range []string{"never", "1", "-2", "now,fail=1", "soon,done=12.5%", "now,success=100%", "now,fail=0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseHalt(s)
		if err != nil {
			return
		}
		back, err := ParseHalt(h.String())
		if err != nil || back != h {
			t.Errorf("ParseHalt(%q) = %+v, but its String %q parses to %+v, %v", s, h, h.String(), back, err)
		}
	})
}

// FuzzJobLogLine: an entry written as a joblog line reads back the same,
// its command exactly (a newline and the two characters \n differ), and
// ReadJobLog never fails on its own output.
func FuzzJobLogLine(f *testing.F) {
	f.Add(int64(1), int64(1795453851537), int64(3000000), int64(0), int64(2), 0, 0, "echo 'a b'")
	f.Add(int64(7), int64(0), int64(0), int64(10), int64(0), -1, 15, "printf 'x\ny'\tz")
	f.Add(int64(2), int64(0), int64(0), int64(0), int64(0), 0, 0, `echo 'a\nb'`)
	f.Add(int64(3), int64(0), int64(0), int64(0), int64(0), 0, 0, `echo 'a\\nb' \`)
	f.Add(int64(4), int64(0), int64(0), int64(0), int64(0), 1, 0, "echo '\\\n\\0\x00\r'")
	f.Fuzz(func(t *testing.T, seq, startMs, runtimeUs, send, recv int64, exit, sig int, cmd string) {
		if seq < 1 || startMs < 0 || startMs > 1e13 || runtimeUs < 0 || runtimeUs > 1e12 || send < 0 || recv < 0 {
			return
		}
		e := JobLogEntry{Seq: seq, Host: ":", Start: time.UnixMilli(startMs), Runtime: time.Duration(runtimeUs) * time.Millisecond,
			Send: send, Receive: recv, ExitCode: exit, Signal: sig, Command: cmd}
		got, err := ReadJobLog(strings.NewReader(JobLogHeader+e.String()), "fuzz")
		if err != nil {
			t.Fatalf("ReadJobLog of %q: %v", e.String(), err)
		}
		g, ok := got[seq]
		if !ok || len(got) != 1 {
			t.Fatalf("ReadJobLog of %q gave %v", e.String(), got)
		}
		if g.Command != cmd || g.ExitCode != exit || g.Signal != sig || g.Send != send || g.Receive != recv || !g.Start.Equal(e.Start) {
			t.Errorf("round trip of %+v gave %+v", e, g)
		}
		if d := g.Runtime - e.Runtime; d > time.Millisecond || d < -time.Millisecond {
			t.Errorf("runtime %v came back as %v", e.Runtime, g.Runtime)
		}
	})
}
