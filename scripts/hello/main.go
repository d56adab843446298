// Command hello is the Go start-up floor of the start-up table of
// scripts/bench.sh: a hello-world built the same way as parx
// (CGO_ENABLED=0 go build), so parx's start-up time and binary size can be
// read beside what any Go program costs.
package main

import "fmt"

func main() {
	fmt.Println("hello, world")
}
