package subproc_test

import (
	"bytes"
	"context"
	"fmt"

	"github.com/parx-dev/parx/subproc"
)

func Example() {
	var out bytes.Buffer
	res, err := subproc.Run(context.Background(), &subproc.Cmd{
		Path:   "echo",
		Args:   []string{"echo", "hello"},
		Stdout: &out,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	if res.ExitCode != 0 {
		fmt.Println("exit status", res.ExitCode)
	}
	fmt.Print(out.String())
	// Output: hello
}
