package cmd

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestSplitSources(t *testing.T) {
	cmd, groups := splitSources([]string{"echo", "{}", ":::", "a", "b", ":::+", "1", "::::", "f", "::::+", "g"}, ":::", "::::")
	if !reflect.DeepEqual(cmd, []string{"echo", "{}"}) {
		t.Errorf("command = %q", cmd)
	}
	want := []sourceArgs{
		{values: []string{"a", "b"}},
		{pair: true, values: []string{"1"}},
		{files: true, values: []string{"f"}},
		{files: true, pair: true, values: []string{"g"}},
	}
	if !reflect.DeepEqual(groups, want) {
		t.Errorf("groups = %+v, want %+v", groups, want)
	}
}

func TestParseSeconds(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"1", time.Second}, {"0.5", 500 * time.Millisecond}, {"2s", 2 * time.Second}, {"1m", time.Minute}, {"1.5h", 90 * time.Minute}, {"1d", 24 * time.Hour},
	}
	for _, tt := range tests {
		got, err := parseSeconds(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("parseSeconds(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "x", "-1", "1y"} {
		if _, err := parseSeconds(bad); err == nil {
			t.Errorf("parseSeconds(%q) succeeded", bad)
		}
	}
}

// TestBadInput checks that every kind of bad input gives one line on
// stderr starting "parx: ", exit status 255, and runs nothing.
func TestBadInput(t *testing.T) {
	tests := [][]string{
		{"--bogus", "echo", "ran", ":::", "a"},
		{"-Z", "echo", "ran", ":::", "a"},
		{"--sshlogin", "x", "echo", "ran", ":::", "a"},
		{"--halt", "later,fail=1", "echo", "ran", ":::", "a"},
		{"--halt", "now", "echo", "ran", ":::", "a"},
		{"--halt", "now,fail", "echo", "ran", ":::", "a"},
		{"--halt", "now,fail=0", "echo", "ran", ":::", "a"},
		{"--halt", "soon,crash=1", "echo", "ran", ":::", "a"},
		{"--halt", "soon,fail=101%", "echo", "ran", ":::", "a"},
		{"--halt", "3", "echo", "ran", ":::", "a"},
		{"--timeout", "x", "echo", "ran", ":::", "a"},
		{"--timeout", "-5", "echo", "ran", ":::", "a"},
		{"--timeout", "0%", "echo", "ran", ":::", "a"},
		{"--retries", "-1", "echo", "ran", ":::", "a"},
		{"--termseq", "TERM,x", "echo", "ran", ":::", "a"},
		{"--termseq", "NOSUCH,10", "echo", "ran", ":::", "a"},
		{"--load", "abc", "echo", "ran", ":::", "a"},
		{"--load", "-1", "echo", "ran", ":::", "a"},
		{"--memfree", "1X", "echo", "ran", ":::", "a"},
		{"--memfree", "-1G", "echo", "ran", ":::", "a"},
		{"--resume", "echo", "ran", ":::", "a"},
		{"--retry-failed", "echo", "ran", ":::", "a"},
		{"--joblog", "/nonexistent/dir/log", "echo", "ran", ":::", "a"},
		{"--joblog", "/nonexistent/log", "--retry-failed", "echo", "ran", ":::", "a"},
		{"echo", "ran", "::::", "/nonexistent/file"},
		{"-j", "x", "echo", "ran", ":::", "a"},
		{"-j", "1.5", "echo", "ran", ":::", "a"},
		{"-j", "", "echo", "ran", ":::", "a"},
		{"-n", "x", "echo", "ran", ":::", "a"},
		{"--colsep", "[", "echo", "ran", ":::", "a"},
		{"--trim", "q", "echo", "ran", ":::", "a"},
		{"-d", `\xZZ`, "echo", "ran", ":::", "a"},
		{"--delay", "-1", "echo", "ran", ":::", "a"},
		{"-s", "0", "echo", "ran", ":::", "a"},
		{"echo", "ran", "{=", "1", "=}", ":::", "a"},
		{"-s", "5", "echo", "ran", ":::", "123456"},
		{"--total-jobs", "-1", "echo", "ran", ":::", "a"},
		{"--results", "/dev/null/r", "echo", "ran", ":::", "a"},
		{"--results", "/dev/null/r.csv", "echo", "ran", ":::", "a"},
		{"--results", "/nonexistent/r.jsonl", "echo", "ran", ":::", "a"},
		{"--tmpdir", "/nonexistent", "echo", "ran", ":::", "a"},
		{"--tmpdir", "/dev/null", "echo", "ran", ":::", "a"},
		{"--files", "--results", "r.csv", "echo", "ran", ":::", "a"},
	}
	for _, args := range tests {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			status, err := run(context.Background(), stopSignals{}, args, strings.NewReader(""), &out, &errb)
			if status != ExitUsage {
				t.Errorf("status = %d, want %d", status, ExitUsage)
			}
			if err == nil || strings.Contains(err.Error(), "\n") {
				t.Errorf("error = %q, want one line", err)
			}
			if out.Len() != 0 || errb.Len() != 0 {
				t.Errorf("output %q %q, want none: no job may run", out.String(), errb.String())
			}
		})
	}
}

func TestAttachedL(t *testing.T) {
	fs := newRootCmd(nil, nil, nil, nil).Flags()
	tests := []struct{ in, want []string }{
		{[]string{"-l2", "echo"}, []string{"--max-lines", "2", "echo"}},
		{[]string{"-l0", "echo"}, []string{"--max-lines", "0", "echo"}},
		{[]string{"-l", "0", "echo"}, []string{"--max-lines", "0", "echo"}},
		{[]string{"-l", "echo", "0"}, []string{"-l", "echo", "0"}},
		{[]string{"-j", "-l2", "echo"}, []string{"-j", "-l2", "echo"}}, // -l2 is -j's value
		{[]string{"-j", "4", "-l3", "echo"}, []string{"-j", "4", "--max-lines", "3", "echo"}},
		{[]string{"-kl2", "echo"}, []string{"-kl2", "echo"}},
		{[]string{"grep", "-l2"}, []string{"grep", "-l2"}},
		{[]string{"--jobs", "2", "-l2", "x"}, []string{"--jobs", "2", "--max-lines", "2", "x"}},
	}
	for _, tt := range tests {
		if got := attachedL(fs, tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("attachedL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestGNUOnlyAreUndefined keeps the list of unimplemented GNU options
// honest: an option parx defines must not be called unimplemented.
func TestGNUOnlyAreUndefined(t *testing.T) {
	fs := newRootCmd(nil, nil, nil, nil).Flags()
	for name := range gnuOnly {
		if fs.Lookup(name) != nil || (len(name) == 1 && fs.ShorthandLookup(name) != nil) {
			t.Errorf("gnuOnly lists %q, which parx defines", name)
		}
	}
}

// TestFlagValueErrors checks that a number option given something else
// names the option and the value, not strconv's internals.
func TestFlagValueErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--retries", "abc"}, `--retries: "abc" is not a whole number`},
		{[]string{"-n", "abc"}, `-n/--max-args: "abc" is not a whole number`},
		{[]string{"--max-args=1.5"}, `-n/--max-args: "1.5" is not a whole number`},
		{[]string{"-N", "x"}, `-N/--max-replace-args: "x" is not a whole number`},
		{[]string{"-L", "x"}, `-L: "x" is not a whole number`},
		{[]string{"--max-lines", "x"}, `--max-lines: "x" is not a whole number`},
		{[]string{"-l=x"}, `-l: "x" is not a whole number`},
		{[]string{"-s", "abc"}, `-s/--max-chars: "abc" is not a whole number`},
		{[]string{"--nice", "abc"}, `--nice: "abc" is not a whole number`},
		{[]string{"--total-jobs", "abc"}, `--total-jobs: "abc" is not a whole number`},
		{[]string{"--total", "1e3"}, `--total: "1e3" is not a whole number`},
		{[]string{"-n", "99999999999999999999"}, `-n/--max-args: "99999999999999999999" is too large a number`},
		{[]string{"--bar=maybe"}, `--bar: "maybe" is not true or false`},
	}
	for _, tt := range tests {
		args := append(tt.args, "echo", "ran", ":::", "a")
		var out, errb bytes.Buffer
		status, err := run(context.Background(), stopSignals{}, args, strings.NewReader(""), &out, &errb)
		if status != ExitUsage || err == nil || err.Error() != tt.want {
			t.Errorf("%q: status %d, error %v; want %d, %q", tt.args, status, err, ExitUsage, tt.want)
		}
		if out.Len() != 0 || errb.Len() != 0 {
			t.Errorf("%q: output %q %q, want none", tt.args, out.String(), errb.String())
		}
	}
}
