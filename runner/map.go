package runner

import (
	"context"
	"fmt"
	"io"
	"syscall"
	"time"
)

// Completed is a finished job with its output read into memory, as Map
// returns it.
type Completed struct {
	// Seq is the job's position in the input, from 1.
	Seq int64
	// ExitCode is the exit status; -1 if a signal killed the job, 127 if its
	// program was not found.
	ExitCode int
	Signal   syscall.Signal
	Start    time.Time
	Runtime  time.Duration
	Stdout   []byte
	Stderr   []byte
	// Cancelled reports that the job was killed unfinished because ctx
	// was cancelled.
	Cancelled bool
	// TimedOut reports that the Pool's Timeout killed the job; it then
	// counts as failed, with ExitCode -1 if it exited 0 on the signal.
	TimedOut bool
	// Err is set when the job could not be run or its output not kept.
	Err error
}

// Map runs each command (an argv, run without a shell) on the pool and
// returns the results in the order of commands, whatever order they finish
// in. A command with no program is an error, before anything runs. The
// pool's KeepOrder is ignored. When ctx is cancelled, running jobs
// are stopped (and marked Cancelled), jobs not yet started are left out,
// and ctx's error is returned with what ran.
func Map(ctx context.Context, p *Pool, commands [][]string) ([]Completed, error) {
	for i, argv := range commands {
		if len(argv) == 0 || argv[0] == "" {
			// It would run nothing, and pass for a success.
			return nil, fmt.Errorf("command %d of %d is empty: no program to run", i+1, len(commands))
		}
	}
	out := make([]Completed, 0, len(commands))
	i := 0
	src := JobSourceFunc(func(int) (*Job, error) {
		if i >= len(commands) {
			return nil, io.EOF
		}
		i++
		return &Job{Argv: commands[i-1]}, nil
	})
	pool := *p
	pool.KeepOrder = true
	err := pool.Run(ctx, src, func(r *Result) error {
		c := Completed{Seq: r.Job.Seq, ExitCode: r.ExitCode, Signal: r.Signal, Start: r.Start, Runtime: r.Runtime, Cancelled: r.Cancelled, TimedOut: r.TimedOut, Err: r.Err}
		var err error
		if c.Stdout, err = r.Stdout.Bytes(); err != nil {
			return err
		}
		if c.Stderr, err = r.Stderr.Bytes(); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	if err == nil {
		err = ctx.Err()
	}
	return out, err
}
