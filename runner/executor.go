package runner

import (
	"context"
	"errors"
	"io"
	"os/exec"
	"strings"
	"sync"

	"github.com/parx-dev/parx/subproc"
)

// Executor is where a Pool's jobs actually run: this machine (LocalExecutor,
// the default), a host reached over SSH, or a worker of a database queue.
// The Pool decides which job runs when and in which slot; the Executor only
// starts one attempt of one job, waits for it to end, and reports how it
// ended. An Executor must be safe for concurrent use: the Pool calls Run from
// each running job's goroutine.
//
// Run starts launch, feeds it launch.Stdin, writes what it prints to
// launch.Stdout and launch.Stderr until both streams have ended, and returns
// once the job has ended and nothing of it is left running. The
// subproc.Result says how the job ended, with ExitCode, Signal and Killed as
// subproc documents them; fields an Executor cannot know (a remote job's
// rusage) stay zero.
//
// When ctx is done before the job ends, Run stops the job's whole process
// group, wherever it runs, with launch.TermSeq (a closed launch.Kill cuts
// that short to SIGKILL), and sets Result.Killed.
//
// The error is nil when the job ran, whatever its exit status. Otherwise it
// is one of:
//   - a *subproc.StartError: the job could not be started (the program is
//     missing or not executable, with ExitCode 127 or 126, or the system
//     lacks processes or descriptors: ResourceShortage, and the Pool starts
//     the job again later);
//   - a *TransportError: the place it runs could not be reached, or was
//     lost while the job ran, so the job's own exit status is unknown;
//   - any other error: its input or output could not be carried (a full
//     temp dir), and the run stops.
type Executor interface {
	Run(ctx context.Context, launch *Launch) (subproc.Result, error)
}

// Launch is one attempt of one job, as a Pool hands it to its Executor. The
// Pool fills every field; an Executor must not keep the Launch past Run.
type Launch struct {
	// Job is the job; Slot is the job slot it runs in, from 1.
	Job  *Job
	Slot int
	// Argv, when not empty, is the program and its arguments, run without
	// a shell (Argv[0] as the user gave it). Otherwise Shell runs Job.Line
	// as "Shell -c Line".
	Argv  []string
	Shell string
	// Env is the job's whole environment, PARALLEL_SEQ, PARALLEL_JOBSLOT
	// and PARALLEL_PID included.
	Env []string
	// Stdin is the job's standard input; an *os.File may be handed to a
	// local job as it is. Stdout and Stderr receive its output; they may
	// be the same writer.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Nice is the niceness to run at; 0 leaves it alone.
	Nice int
	// TermSeq and Kill say how to stop the job when Run's context is done
	// (subproc.Cmd's fields of the same names).
	TermSeq []subproc.TermStep
	Kill    <-chan struct{}
}

// TransportError reports that the place a job runs could not be reached,
// or was lost while the job ran: the job's own exit status is unknown. The
// Pool counts the job as failed (and runs it again while retries are left);
// the run goes on. The zero value reports nothing.
type TransportError struct {
	// Where names the host or worker, as the user gave it.
	Where string
	// Err is the cause.
	Err error
}

// Error reads "WHERE: CAUSE".
func (e *TransportError) Error() string {
	if e.Err == nil {
		return e.Where + ": lost"
	}
	return e.Where + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *TransportError) Unwrap() error { return e.Err }

// IsTransport reports whether err is, or wraps, a *TransportError.
func IsTransport(err error) bool {
	var te *TransportError
	return errors.As(err, &te)
}

// LocalExecutor runs jobs on this machine with subproc, each in its own
// process group. The zero value is ready to use; it remembers where it
// found each program in PATH, the one per-job cost a direct exec can skip.
type LocalExecutor struct {
	paths sync.Map // program name -> path
}

// Run implements Executor.
func (e *LocalExecutor) Run(ctx context.Context, l *Launch) (subproc.Result, error) {
	cmd := &subproc.Cmd{
		Env:     l.Env,
		Stdin:   l.Stdin,
		Stdout:  l.Stdout,
		Stderr:  l.Stderr,
		Nice:    l.Nice,
		TermSeq: l.TermSeq,
		Kill:    l.Kill,
	}
	if len(l.Argv) > 0 {
		cmd.Path = e.lookPath(l.Argv[0])
		cmd.Args = l.Argv
		if name := l.Argv[0]; !strings.Contains(name, "/") && exportedBashFunc(l.Env, name) {
			// A bash function exported with export -f: bash runs it, as
			// it would in the user's shell, and as in GNU parallel.
			cmd.Path = e.lookPath("bash")
			cmd.Args = append([]string{"bash", "-c", name + ` "$@"`, name}, l.Argv[1:]...)
		}
	} else {
		cmd.Path = l.Shell
		cmd.Args = []string{l.Shell, "-c", l.Job.Line}
	}
	return subproc.Run(ctx, cmd)
}

// exportedBashFunc reports whether env holds a bash function name exported
// with export -f (bash passes it as BASH_FUNC_name%%=() { ...).
func exportedBashFunc(env []string, name string) bool {
	for _, kv := range env {
		if strings.HasPrefix(kv, "BASH_FUNC_") && strings.HasPrefix(kv[len("BASH_FUNC_"):], name+"%%=") {
			return true
		}
	}
	return false
}

func (e *LocalExecutor) lookPath(name string) string {
	if strings.Contains(name, "/") {
		return name
	}
	if p, ok := e.paths.Load(name); ok {
		return p.(string)
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return name // subproc reports it as not found
	}
	e.paths.Store(name, p)
	return p
}
