package cmd

import (
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/parx-dev/parx/runner"
)

// pipeOpts parses args as parx's flags and returns the pipe options.
func pipeOpts(t *testing.T, args ...string) (*runner.PipeOptions, error) {
	t.Helper()
	fs := pflag.NewFlagSet("parx", pflag.ContinueOnError)
	o := &options{}
	defineFlags(fs, o)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	n := 0
	if fs.Changed("max-replace-args") {
		n = o.maxReplace
	}
	lines, _ := o.lineCount(fs)
	return o.pipe.options(fs, strings.NewReader(""), o.argFiles, n, lines, o.header)
}

func TestPipeFlags(t *testing.T) {
	tests := []struct {
		args []string
		want runner.PipeOptions
	}{
		{[]string{"--pipe"}, runner.PipeOptions{}},
		{[]string{"--spreadstdin", "--block", "1.5k"}, runner.PipeOptions{BlockSize: 1500}},
		{[]string{"--pipe", "--block-size", "2M"}, runner.PipeOptions{BlockSize: 2 << 20}},
		{[]string{"--pipe", "--recend", `\r\n`}, runner.PipeOptions{RecEnd: "\r\n"}},
		{[]string{"--pipe", "--recstart", ">"}, runner.PipeOptions{RecStart: ">"}},
		{[]string{"--pipe", "--regexp", "--recend", `\n+`}, runner.PipeOptions{RecEnd: `\n+`, Regexp: true}},
		{[]string{"--pipe", "-N", "3"}, runner.PipeOptions{RecordsPerJob: 3}},
		{[]string{"--pipe", "-L", "2"}, runner.PipeOptions{Lines: 2}},
		{[]string{"--pipe", "-N", "3", "-L", "2"}, runner.PipeOptions{RecordsPerJob: 6}},
		{[]string{"--pipe", "--header", ":"}, runner.PipeOptions{Header: `(.*\n)`}},
		{[]string{"--pipe", "--header", "2"}, runner.PipeOptions{Header: `(.*\n)(.*\n)`}},
		{[]string{"--pipe", "--header", "^#.*\n"}, runner.PipeOptions{Header: "^#.*\n"}},
		{[]string{"--pipe", "--rrs", "--round-robin"}, runner.PipeOptions{RemoveRecSep: true, RoundRobin: true}},
		{[]string{"--cat"}, runner.PipeOptions{Cat: true}},
		{[]string{"--fifo"}, runner.PipeOptions{Fifo: true}},
		{[]string{"--pipe", "--bt", "2.5"}, runner.PipeOptions{BlockTimeout: 2 * time.Second}},
		{[]string{"--pipe-part", "-a", "f", "--block", "-2"}, runner.PipeOptions{PartFile: "f", BlockSize: -2}},
	}
	for _, tt := range tests {
		got, err := pipeOpts(t, tt.args...)
		if err != nil || got == nil {
			t.Errorf("%q: %v, %v", tt.args, got, err)
			continue
		}
		got.Input = nil
		if *got != tt.want {
			t.Errorf("%q: got %+v, want %+v", tt.args, *got, tt.want)
		}
	}
	if got, err := pipeOpts(t, "-N", "2"); got != nil || err != nil {
		t.Errorf("no --pipe: got %+v, %v; want no pipe mode", got, err)
	}
	for _, bad := range [][]string{
		{"--pipe", "--block", "x"}, {"--pipe", "--block", "-1"}, {"--pipe-part"}, {"--pipe-part", "-a", "-"},
		{"--pipe-part", "-a", "a", "-a", "b"}, {"--pipe", "--recend", ""}, {"--pipe", "--block-timeout", "0.5"},
	} {
		if got, err := pipeOpts(t, bad...); err == nil {
			t.Errorf("%q: got %+v, want an error", bad, got)
		}
	}
}

// TestPipeOnlyFlags checks that an option of pipe mode given without
// --pipe or --pipe-part is an error naming it, not silently ignored.
func TestPipeOnlyFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--block", "10M"}, "--block works only with --pipe or --pipe-part"},
		{[]string{"--blocksize", "1k"}, "--blocksize works only with --pipe or --pipe-part"},
		{[]string{"--recend", "x"}, "--recend works only with --pipe or --pipe-part"},
		{[]string{"--recstart", ">"}, "--recstart works only with --pipe or --pipe-part"},
		{[]string{"--regexp"}, "--regexp works only with --pipe or --pipe-part"},
		{[]string{"--rrs"}, "--rrs works only with --pipe or --pipe-part"},
		{[]string{"--round-robin"}, "--round-robin works only with --pipe or --pipe-part"},
		{[]string{"--bt", "2"}, "--bt works only with --pipe or --pipe-part"},
	}
	for _, tt := range tests {
		got, err := pipeOpts(t, tt.args...)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%q: got %+v, %v; want error %q", tt.args, got, err, tt.want)
		}
	}
	// --cat and --fifo imply --pipe.
	for _, ok := range [][]string{{"--cat", "--block", "1k"}, {"--fifo", "--recend", "x"}, {"--pipe-part", "-a", "f", "--block", "1k"}} {
		if _, err := pipeOpts(t, ok...); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
}
