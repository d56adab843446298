package runner

import (
	"os"
	"path/filepath"
	"testing"
)

func TestParseJobs(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"4", 4}, {"+2", 10}, {"-2", 6}, {"50%", 4}, {"1%", 1}, {"200%", 16}, {"0", MaxSlots}, {" 3\n", 3},
	}
	for _, tt := range tests {
		got, err := ParseJobs(tt.in, 8)
		if err != nil || got != tt.want {
			t.Errorf("ParseJobs(%q, 8) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "x", "1.5", "-x", "+", "%", "-1%", "-8", "-100"} {
		if _, err := ParseJobs(bad, 8); err == nil {
			t.Errorf("ParseJobs(%q) succeeded", bad)
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
	f, err := JobsFile(path, 4)
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
	if _, err := JobsFile(filepath.Join(t.TempDir(), "missing"), 4); err == nil {
		t.Error("missing file accepted")
	}
}
