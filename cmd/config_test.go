package cmd

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/parx-dev/parx/runner"
)

// configFor parses args as the command line does and returns the
// runner.Config they map to, running nothing.
func configFor(t *testing.T, args ...string) (runner.Config, error) {
	t.Helper()
	var cfg runner.Config
	var buildErr error
	var stdout, stderr bytes.Buffer
	stdin := strings.NewReader("")
	root := newRootCmd(stdin, &stdout, &stderr, func(c *cobra.Command, o *options, pos []string) {
		var release func()
		cfg, release, buildErr = buildConfig(c.Flags(), o, pos, stdin, &stdout, &stderr)
		release()
	})
	root.SetArgs(attachedL(root.Flags(), args))
	if err := root.Execute(); err != nil {
		return cfg, explainFlagError(err)
	}
	return cfg, buildErr
}

// The flags land in the runner.Config fields they stand for.
func TestFlagsToConfig(t *testing.T) {
	tests := []struct {
		args  []string
		check func(runner.Config) bool
		want  string
	}{
		{[]string{"echo", ":::", "a", "b"}, func(c runner.Config) bool {
			return len(c.Command) == 1 && c.Command[0] == "echo" && len(c.Sources) == 1
		}, "command echo, one source"},
		{[]string{"echo", ":::", "a", ":::+", "1", "::::", "/dev/null"}, func(c runner.Config) bool {
			return len(c.Sources) == 3 && c.Sources[1].Pair && !c.Sources[2].Pair
		}, "three sources, the second paired"},
		{[]string{"-k", "-j3", "--delay", "0.5", "--nice", "5", "echo"}, func(c runner.Config) bool {
			return c.Pool.KeepOrder && c.Pool.Slots == 3 && c.Pool.Delay == 500*time.Millisecond && c.Pool.Nice == 5
		}, "pool: keep order, 3 slots, 0.5 s delay, nice 5"},
		{[]string{"--timeout", "2", "--retries", "3", "--halt", "soon,fail=2", "echo"}, func(c runner.Config) bool {
			return c.Pool.Timeout == 2*time.Second && c.Pool.Retries == 3 && c.Pool.Halt.When == runner.HaltSoon && c.Pool.Halt.Count == 2
		}, "job control: timeout, retries, halt"},
		{[]string{"-X", "echo"}, func(c runner.Config) bool {
			return c.Batch.Fill && c.Template.Context && c.Batch.MaxLine == runner.DefaultMaxLine
		}, "-X fills lines with context"},
		{[]string{"-n", "2", "echo"}, func(c runner.Config) bool {
			return c.Batch.MaxArgs == 2 && c.Batch.MaxArgsSet && !c.Template.Context
		}, "-n 2: two args a job"},
		{[]string{"-N", "2", "echo"}, func(c runner.Config) bool {
			return c.Batch.MaxArgs == 2 && c.Template.Context
		}, "-N 2: two args, positional"},
		{[]string{"--colsep", ",", "echo"}, func(c runner.Config) bool {
			return c.Records.Colsep != nil && c.Records.Trim == runner.Trim{Left: true, Right: true}
		}, "--colsep trims both ends by default"},
		{[]string{"-t", "-v", "--dry-run", "--tag", "--shuf", "echo"}, func(c runner.Config) bool {
			return c.Trace && c.ShowCommand && c.DryRun && c.Tag && c.Shuffle
		}, "trace, show, dry run, tag, shuffle"},
		{[]string{"--pipe", "--block", "1k", "wc"}, func(c runner.Config) bool {
			return c.Pipe != nil && c.Pipe.BlockSize == 1000
		}, "--pipe with a 1k block"},
		{[]string{"echo"}, func(c runner.Config) bool { return c.Pipe == nil && c.JobLog == nil }, "no pipe, no joblog"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			cfg, err := configFor(t, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(cfg) {
				t.Errorf("want %s; got %+v", tt.want, cfg)
			}
		})
	}
}

// Bad values are errors before anything runs.
func TestFlagsToConfigErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--colsep", "(", "echo"},
		{"-j", "x", "echo"},
		{"--delay", "soon", "echo"},
		{"--trim", "q", "echo"},
		{"echo", "::::", "/nonexistent/file"},
	} {
		if _, err := configFor(t, args...); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}
