// Package pipe is parx's --pipe and --pipe-part: it cuts a stream or a
// seekable file into blocks of whole records as GNU parallel does (block
// size, record end and start, regular expressions, -N records and -L lines
// per job, a header ahead of every block), and feeds the blocks to jobs with
// bounded memory: Feed hands each job slot its block (as stdin, or as a
// --cat file or --fifo), and Dealer deals --round-robin blocks to the jobs
// that are running.
//
// It knows nothing of jobs, templates or the command line; package runner
// drives it, and runner.PipeOptions is its Options.
package pipe
