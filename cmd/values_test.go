package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parx-dev/parx/runner"
)

func TestParseJobs(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"4", 4}, {"+2", 10}, {"-2", 6}, {"50%", 4}, {"1%", 1}, {"200%", 16}, {"0", maxSlots}, {" 3\n", 3},
	}
	for _, tt := range tests {
		got, err := parseJobs(tt.in, 8)
		if err != nil || got != tt.want {
			t.Errorf("parseJobs(%q, 8) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "x", "1.5", "-x", "+", "%", "-1%", "-8", "-100"} {
		if _, err := parseJobs(bad, 8); err == nil {
			t.Errorf("parseJobs(%q) succeeded", bad)
		}
	}
}

func TestJobsFileIsReread(t *testing.T) {
	path := filepath.Join(t.TempDir(), "jobs")
	write := func(s string) {
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("1\n")
	f, err := jobsFile(path, 4)
	if err != nil {
		t.Fatal(err)
	}
	if got := f(); got != 1 {
		t.Errorf("got %d, want 1", got)
	}
	write("3\n")
	if got := f(); got != 3 {
		t.Errorf("after rewrite got %d, want 3", got)
	}
	write("garbage")
	if got := f(); got != 3 {
		t.Errorf("after garbage got %d, want the last good 3", got)
	}
	if _, err := jobsFile(filepath.Join(t.TempDir(), "missing"), 4); err == nil {
		t.Error("missing file accepted")
	}
}

func TestParseHalt(t *testing.T) {
	tests := []struct {
		in   string
		want runner.Halt
	}{
		{"never", runner.Halt{}},
		{"0", runner.Halt{}},
		{"1", runner.Halt{When: runner.HaltSoon, Count: 1}},
		{"2", runner.Halt{When: runner.HaltNow, Count: 1}},
		{"-1", runner.Halt{When: runner.HaltSoon, Why: runner.HaltOnSuccess, Count: 1}},
		{"-2", runner.Halt{When: runner.HaltNow, Why: runner.HaltOnSuccess, Count: 1}},
		{"now,fail=1", runner.Halt{When: runner.HaltNow, Count: 1}},
		{"soon,fail=3", runner.Halt{When: runner.HaltSoon, Count: 3}},
		{"soon,success=2", runner.Halt{When: runner.HaltSoon, Why: runner.HaltOnSuccess, Count: 2}},
		{"now,done=5", runner.Halt{When: runner.HaltNow, Why: runner.HaltOnDone, Count: 5}},
		{"now,fail=30%", runner.Halt{When: runner.HaltNow, Percent: 30}},
		{"soon,done=12.5%", runner.Halt{When: runner.HaltSoon, Why: runner.HaltOnDone, Percent: 12.5}},
		{"now,success=100%", runner.Halt{When: runner.HaltNow, Why: runner.HaltOnSuccess, Percent: 100}},
	}
	for _, tt := range tests {
		got, err := parseHalt(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("parseHalt(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
		if tt.in != "0" && tt.in[0] != '-' && tt.in != "1" && tt.in != "2" {
			if s := got.String(); s != tt.in {
				t.Errorf("parseHalt(%q).String() = %q", tt.in, s)
			}
		}
	}
	for _, bad := range []string{"", "3", "later", "now", "now,", "now,fail", "now,fail=", "now,fail=0", "now,fail=-1",
		"now,fail=x", "now,fail=1.5", "soon,crash=1", "now,fail=0%", "now,fail=101%", "now,fail=NaN%", "never,fail=1"} {
		if h, err := parseHalt(bad); err == nil {
			t.Errorf("parseHalt(%q) = %+v, want an error", bad, h)
		} else if !strings.Contains(err.Error(), "invalid --halt") {
			t.Errorf("parseHalt(%q) error %q does not name the option", bad, err)
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
		if got, err := parseSize(tt.in); err != nil || got != tt.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "k", "-1", "1X", "1KB", "NaN", "Inf", "1e30G"} {
		if got, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) = %d, want an error", bad, got)
		}
	}
}

// FuzzParseHalt: whatever parseHalt accepts, its String form parses back
// to the same policy.
func FuzzParseHalt(f *testing.F) {
	for _, s := range []string{"never", "1", "-2", "now,fail=1", "soon,done=12.5%", "now,success=100%", "now,fail=0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := parseHalt(s)
		if err != nil {
			return
		}
		back, err := parseHalt(h.String())
		if err != nil || back != h {
			t.Errorf("parseHalt(%q) = %+v, but its String %q parses to %+v, %v", s, h, h.String(), back, err)
		}
	})
}

func TestParseDelimiter(t *testing.T) {
	tests := []struct{ in, want string }{
		{`\n`, "\n"}, {`\t`, "\t"}, {`\0`, "\x00"}, {`\\`, `\`}, {`,`, ","}, {`ab`, "ab"}, {`\x41`, "A"}, {`a\`, `a\`},
	}
	for _, tt := range tests {
		got, err := parseDelimiter(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("parseDelimiter(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", `\x4`, `\xZZ`} {
		if _, err := parseDelimiter(bad); err == nil {
			t.Errorf("parseDelimiter(%q) succeeded, want error", bad)
		}
	}
}
