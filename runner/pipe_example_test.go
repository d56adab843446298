package runner_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/parx-dev/parx/runner"
)

// Cutting a stream into blocks of whole lines, as parx --pipe --block 8 does.
func ExampleBlockSplitter() {
	sp, err := runner.NewBlockSplitter(strings.NewReader("one\ntwo\nthree\nfour\n"), runner.PipeOptions{BlockSize: 8})
	if err != nil {
		panic(err)
	}
	for {
		b, err := sp.Next()
		if err == io.EOF {
			break
		}
		fmt.Printf("%q\n", b)
	}
	// Output:
	// "one\ntwo\n"
	// "three\n"
	// "four\n"
}

// Counting the lines of each block with wc -l, blocks in input order.
func ExampleRun_pipe() {
	in := strings.NewReader("a\nb\nc\nd\ne\n")
	_, err := runner.Run(context.Background(), runner.Config{
		Command: []string{"wc -l"},
		Pipe:    &runner.PipeOptions{Input: in, RecordsPerJob: 2},
		Pool:    runner.Pool{Slots: 2, KeepOrder: true},
		Stdout:  os.Stdout,
		Stderr:  os.Stderr,
	})
	if err != nil {
		panic(err)
	}
	// Output:
	// 2
	// 2
	// 1
}
