// Command execfloor is the speed floor that scripts/bench.sh measures parx
// against: the least a Go program can do to run a command once per input
// line, P at a time, with os/exec. It reads lines from stdin, and for each
// runs the command with the line appended as its last argument, its output
// going straight to execfloor's own stdout and stderr. There is no ordering,
// grouping, joblog or error handling beyond the exit status: whatever parx
// costs above this is parx's own overhead.
//
//	seq 1000 | execfloor -j 2 true
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"sync"
)

func main() {
	jobs := flag.Int("j", 2, "run `N` commands at once")
	flag.Parse()
	if flag.NArg() == 0 || *jobs < 1 {
		fmt.Fprintln(os.Stderr, "usage: execfloor [-j N] command [args...] < lines")
		os.Exit(2)
	}
	path, err := exec.LookPath(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "execfloor:", err)
		os.Exit(2)
	}
	lines := make(chan string)
	var failed sync.Mutex
	status := 0
	var wg sync.WaitGroup
	for range *jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for line := range lines {
				cmd := exec.Command(path, append(flag.Args()[1:], line)...)
				cmd.Args[0] = flag.Arg(0)
				cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
				if err := cmd.Run(); err != nil {
					failed.Lock()
					status = 1
					failed.Unlock()
				}
			}
		}()
	}
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		lines <- in.Text()
	}
	close(lines)
	wg.Wait()
	os.Exit(status)
}
