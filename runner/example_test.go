package runner_test

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/parx-dev/parx/runner"
)

// Map is a process pool's map for commands: results come back in input
// order, whichever finishes first.
func ExampleMap() {
	pool := &runner.Pool{Slots: 4}
	results, err := runner.Map(context.Background(), pool, [][]string{
		{"sh", "-c", "sleep 0.2; echo slow"},
		{"echo", "fast"},
		{"sh", "-c", "exit 3"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range results {
		fmt.Printf("%d: exit %d, %q\n", r.Seq, r.ExitCode, r.Stdout)
	}
	// Output:
	// 1: exit 0, "slow\n"
	// 2: exit 0, "fast\n"
	// 3: exit 3, ""
}

// A Template turns input values into commands, quoting them for the shell
// only when a shell is needed.
func ExampleParseTemplate() {
	t, err := runner.ParseTemplate([]string{"convert", "{}", "{.}.png"}, runner.TemplateOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	args := &runner.Args{Records: [][]string{{"my photo.jpg"}}}
	fmt.Printf("%q\n", t.Argv(args))
	fmt.Println(t.Line(args))
	// Output:
	// ["convert" "my photo.jpg" "my photo.png"]
	// convert 'my photo.jpg' 'my photo'.png
}

// Run is a whole parx run: here the equivalent of
// parx -k echo {1}-{2} ::: a b ::: 1 2.
func ExampleRun() {
	cfg := runner.Config{
		Command: []string{"echo", "{1}-{2}"},
		Sources: []runner.SourceSpec{
			{Source: &runner.SliceSource{Values: []string{"a", "b"}}},
			{Source: &runner.SliceSource{Values: []string{"1", "2"}}},
		},
		Pool:   runner.Pool{Slots: 2, KeepOrder: true},
		Stdout: os.Stdout,
		Stderr: io.Discard,
	}
	sum, err := runner.Run(context.Background(), cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("exit status", sum.ExitStatus())
	// Output:
	// a-1
	// a-2
	// b-1
	// b-2
	// exit status 0
}

// Output modes: here parx --line-buffer -k --tag 'echo {}1; echo {}2' ::: a b.
// Lines are printed as the jobs write them, whole, tagged; with KeepOrder
// the oldest job's are printed live and later jobs' when their turn comes.
func ExampleOutputMode() {
	cfg := runner.Config{
		Command: []string{"echo {}1; echo {}2"},
		Sources: []runner.SourceSpec{{Source: &runner.SliceSource{Values: []string{"a", "b"}}}},
		Pool:    runner.Pool{Slots: 2, KeepOrder: true},
		Output:  runner.LineBuffer,
		Tag:     true,
		Stdout:  os.Stdout,
		Stderr:  os.Stderr,
	}
	if _, err := runner.Run(context.Background(), cfg); err != nil {
		fmt.Println(err)
	}
	// Output:
	// a	a1
	// a	a2
	// b	b1
	// b	b2
}
