package main

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/parx-dev/parx/cmd"
)

var update = flag.Bool("update", false, "update testscript golden output (cmp files) in testdata/script")

// TestMain lets the test binary double as the parx command, so that the
// testscript scripts and the differential tests run the real main() with
// "parx" found in $PATH.
func TestMain(m *testing.M) {
	quickRaceExit()
	if filepath.Base(os.Args[0]) != "parx" { // the test binary, not parx
		moreParallel()
	}
	testscript.Main(m, map[string]func(){
		"parx": func() { os.Exit(cmd.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// quickRaceExit stops every parx the tests start from sleeping at exit.
// A program built with -race (as the test binary, which doubles as parx, is
// under "go test -race") sleeps atexit_sleep_ms, by default a whole second,
// before it exits, in case another thread is about to race; reports already
// under way are waited for anyway, and races found still fail the run (exit
// status 66). The tests run parx hundreds of times, so that second was most
// of their wall time. GORACE is read at start-up: this sets it for the
// children only, keeping any options the caller gave.
func quickRaceExit() {
	gorace := os.Getenv("GORACE")
	if strings.Contains(gorace, "atexit_sleep_ms") {
		return
	}
	os.Setenv("GORACE", strings.TrimSpace(gorace+" atexit_sleep_ms=0"))
}

// moreParallel runs up to 4 parallel tests per CPU unless -parallel is
// given. The default, one per CPU, leaves the CPUs idle: the scripts and
// the differential cases spend most of their time waiting on jobs' sleeps
// and timeouts. (TestDiffGNU keeps its own, smaller cap, as GNU parallel's
// start-up is CPU-bound.)
func moreParallel() {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		flag.Set("test.parallel", strconv.Itoa(4*runtime.GOMAXPROCS(0)))
	}
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *update,
		// testscript gives scripts a fresh environment: pass GORACE on.
		Setup: func(env *testscript.Env) error {
			env.Setenv("GORACE", os.Getenv("GORACE"))
			return nil
		},
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"exitcode":     cmdExitcode,
			"gone":         cmdGone,
			"unprivileged": cmdUnprivileged,
			"burn":         cmdBurn,
		},
	})
}

// cmdExitcode runs a program and checks its exact exit status:
// exitcode N program [args...]. Its stdout and stderr can be checked after.
func cmdExitcode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: %v", err)
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		got = ee.ExitCode()
	} else if err != nil {
		ts.Fatalf("exitcode: %v", err)
	}
	if got != want {
		ts.Fatalf("exit status %d, want %d", got, want)
	}
}

// cmdGone checks that no live process has MARKER in its command line,
// waiting up to two seconds for processes that are being killed: gone
// MARKER. Zombies (exited, not yet reaped) have an empty command line and
// do not count.
func cmdGone(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: gone MARKER")
	}
	var alive []string
	for deadline := time.Now().Add(2 * time.Second); ; {
		alive = processesWith(args[0])
		if len(alive) == 0 {
			return
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	ts.Fatalf("processes still alive: %s", strings.Join(alive, "; "))
}

// processesWith lists "pid: cmdline" for the processes whose command line
// holds marker.
func processesWith(marker string) []string {
	paths, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	var found []string
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil || !bytes.Contains(b, []byte(marker)) {
			continue
		}
		pid := filepath.Base(filepath.Dir(p))
		if pid == strconv.Itoa(os.Getpid()) {
			continue
		}
		found = append(found, pid+": "+string(bytes.ReplaceAll(b, []byte{0}, []byte{' '})))
	}
	return found
}

// cmdUnprivileged runs a bash script as an unprivileged user, so that
// resource limits (ulimit -u, ulimit -n) bind as they do for users: root is
// not held to the process limit. As root it uses setpriv to become nobody
// (65534); otherwise it runs the script as the current user. The script runs
// in a fresh directory nobody may write, with a copy of parx first in PATH;
// stdout and stderr can be checked after, like exec's.
// Usage: [!] unprivileged SCRIPT
func cmdUnprivileged(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: unprivileged SCRIPT")
	}
	dir, err := os.MkdirTemp("", "parx-unprivileged")
	ts.Check(err)
	ts.Defer(func() { os.RemoveAll(dir) })
	ts.Check(os.Chmod(dir, 0o777))
	bin := filepath.Join(dir, "bin")
	ts.Check(os.Mkdir(bin, 0o755))
	self, err := exec.LookPath("parx")
	ts.Check(err)
	data, err := os.ReadFile(self)
	ts.Check(err)
	ts.Check(os.WriteFile(filepath.Join(bin, "parx"), data, 0o755))
	work := filepath.Join(dir, "work")
	ts.Check(os.Mkdir(work, 0o777))
	ts.Check(os.Chmod(work, 0o777)) // past the umask
	script := "cd " + work + " && PATH=" + bin + ":$PATH && " + args[0]
	argv := []string{"bash", "-c", script} // sh has no ulimit -u
	if os.Geteuid() == 0 {
		argv = append([]string{"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "env", "HOME=" + work}, argv...)
	}
	err = ts.Exec(argv[0], argv[1:]...)
	if err != nil && !neg {
		ts.Fatalf("unprivileged: %v", err)
	}
	if err == nil && neg {
		ts.Fatalf("unprivileged: unexpected success")
	}
}

// cmdBurn starts N CPU burners that run until the script ends, so that what
// follows runs on a loaded machine: burn N.
func cmdBurn(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: burn N")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	for range n {
		c := exec.Command("sh", "-c", "while :; do :; done")
		ts.Check(c.Start())
		ts.Defer(func() {
			c.Process.Kill()
			c.Wait()
		})
	}
}
