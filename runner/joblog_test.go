package runner

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

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
