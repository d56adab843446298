// Package runner runs many commands in parallel, GNU parallel style: it
// reads input sources as streams, turns each input record into a command
// through a Template, runs the commands on a bounded Pool of job slots, and
// hands back results in input order or as they finish.
//
// It has two levels. Pool and Map are the library core, a process pool's
// map for commands: give jobs, get results (exit status, signal, output,
// timings), cancel with a context. Config and Run are the whole parx run
// that the command line drives: input sources, templates, batching (-n, -X),
// output and exit status.
//
// Nothing here knows about flags or terminals; package cmd does that.
package runner
