package main

// Reliability checks of output (issue 4), run against the real parx
// binary: MIX (lines never mix), RAM (memory stays bounded), CLEANUP (a
// kill -9 leaves no temp file), DISKFULL (a full temp dir is an error, not
// truncated output), and the progress bar on a real terminal (tmux).

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func parxPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("parx")
	if err != nil {
		t.Fatalf("parx not found in $PATH (TestMain should put it there): %v", err)
	}
	return p
}

// TestMix: two jobs each write megabytes of lines to stdout and stderr at
// once; in every mode but -u, each line printed is one whole line of one
// job, and no byte is lost.
func TestMix(t *testing.T) {
	parx := parxPath(t)
	// A multiple of both line lengths: no job ends in a partial line.
	const size = 100 * 78 * 512
	// Each job writes lines of its own letter (its value), in both streams
	// at once, in chunks that do not end at line ends.
	job := fmt.Sprintf(`yes {} | head -c %d & yes {} | head -c %d >&2; wait`, size, size)
	lineA := strings.Repeat("A", 99)
	lineB := strings.Repeat("B", 77)
	for _, mode := range [][]string{{"--group"}, {"--line-buffer"}, {"--line-buffer", "-k"}, {"-k"}, {"--lb", "--tag"}} {
		t.Run(strings.Join(mode, " "), func(t *testing.T) {
			args := append(append([]string{"-j2"}, mode...), job, ":::", lineA, lineB)
			cmd := exec.Command(parx, args...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("parx: %v\n%s", err, stderr.Bytes()[:min(stderr.Len(), 500)])
			}
			tagged := slices.Contains(mode, "--tag")
			for name, out := range map[string][]byte{"stdout": stdout.Bytes(), "stderr": stderr.Bytes()} {
				counts := map[string]int{}
				total := 0
				sc := bufio.NewScanner(bytes.NewReader(out))
				sc.Buffer(nil, 1<<20)
				for sc.Scan() {
					line := sc.Text()
					if tagged {
						tag, rest, _ := strings.Cut(line, "\t")
						if tag != lineA && tag != lineB || !strings.HasPrefix(tag, rest) {
							t.Fatalf("%s: a line mixes two jobs' output, or has the wrong tag: %.80q…", name, line)
						}
						line = rest
					}
					total += len(line) + 1
					if line != lineA && line != lineB {
						t.Fatalf("%s: a line mixes two jobs' output: %.80q…", name, line)
					}
					counts[line[:1]]++
				}
				if total != 2*size || counts["A"] != size/100 || counts["B"] != size/78 {
					t.Errorf("%s: %d bytes, want %d; line counts %v", name, total, 2*size, counts)
				}
			}
		})
	}
}

// TestRAM: parx's peak RSS stays under 64 MiB, and every byte comes out,
// when 8 jobs each print 256 MiB with -k -j4 (big outputs spill to disk),
// and when 1000 jobs' small outputs wait behind a slow first job (the -k
// queue is bounded). It measures a parx built without the race detector
// (which multiplies memory use), and takes ~15 s; in -short mode the jobs
// print 8 × 32 MiB and the queue case is left out.
func TestRAM(t *testing.T) {
	per := int64(256 << 20)
	if testing.Short() {
		per = 32 << 20
	}
	parx := filepath.Join(t.TempDir(), "parx")
	if out, err := exec.Command("go", "build", "-o", parx, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Run("big", func(t *testing.T) {
		checkRSS(t, exec.Command(parx, "-k", "-j4", "--tmpdir", t.TempDir(),
			"head -c "+strconv.FormatInt(per, 10)+" /dev/zero; : {}", ":::", "1", "2", "3", "4", "5", "6", "7", "8"), 8*per)
	})
	if testing.Short() {
		return
	}
	t.Run("queue", func(t *testing.T) {
		cmds := "sleep 4\n" + strings.Repeat("head -c 61440 /dev/zero\n", 1000)
		cmd := exec.Command(parx, "-k", "-j4", "--tmpdir", t.TempDir())
		cmd.Stdin = strings.NewReader(cmds)
		checkRSS(t, cmd, 1000*61440)
	})
}

// checkRSS runs cmd, checks that it prints want zero bytes, and that its
// peak RSS is under 64 MiB.
func checkRSS(t *testing.T, cmd *exec.Cmd, want int64) {
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	hwm := make(chan int64)
	stop := make(chan struct{})
	go func() { hwm <- pollHWM(cmd.Process.Pid, stop) }()
	var n int64
	buf := make([]byte, 1<<20)
	zeros := make([]byte, len(buf))
	for {
		k, err := out.Read(buf)
		// bytes.Equal first: a byte-by-byte scan of gigabytes is slow
		// under the race detector, and would make parx wait on the reader.
		if !bytes.Equal(buf[:k], zeros[:k]) {
			i := bytes.IndexFunc(buf[:k], func(r rune) bool { return r != 0 })
			t.Fatalf("byte %d is not 0", n+int64(i))
		}
		n += int64(k)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	rss := <-hwm
	if err := cmd.Wait(); err != nil {
		t.Fatalf("parx: %v\n%s", err, stderr.Bytes())
	}
	if n != want {
		t.Errorf("%d bytes out, want %d", n, want)
	}
	t.Logf("%d MiB out in %v, peak RSS %.1f MiB", n>>20, time.Since(start).Round(time.Millisecond), float64(rss)/(1<<20))
	if rss >= 64<<20 {
		t.Errorf("peak RSS %d MiB, want < 64 MiB", rss>>20)
	}
}

// pollHWM reads the peak RSS (VmHWM) of process pid until stop is closed
// (parx has then written all its output but not yet been reaped).
func pollHWM(pid int, stop <-chan struct{}) int64 {
	var peak int64
	for {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err == nil {
			for _, line := range strings.Split(string(data), "\n") {
				if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
					kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
					peak = max(peak, kb*1024)
				}
			}
		}
		select {
		case <-stop:
			return peak
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// TestCleanupKill9: parx killed with SIGKILL while it holds spilled output
// leaves no file in the temp dir (spill files are unlinked at once).
func TestCleanupKill9(t *testing.T) {
	parx := parxPath(t)
	tmp := t.TempDir()
	// Job 1 is slow, so job 2's 5 MiB wait (spilled) for their turn.
	cmd := exec.Command(parx, "-k", "-j2", "--tmpdir", tmp, ":::", "sleep 3", "head -c 5000000 /dev/zero")
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	pid := cmd.Process.Pid
	deadline := time.Now().Add(10 * time.Second)
	for !holdsDeletedFile(pid, tmp) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("parx never held a spill file in the temp dir")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	entries, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("left behind in the temp dir: %s", e.Name())
	}
}

// holdsDeletedFile reports whether process pid has open a file of dir that
// has been unlinked.
func holdsDeletedFile(pid int, dir string) bool {
	fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	for _, fd := range fds {
		target, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
		if err == nil && strings.HasPrefix(target, dir+"/") && strings.HasSuffix(target, " (deleted)") {
			return true
		}
	}
	return false
}

// TestDiskFull: when the temp dir is full, parx says so and exits
// non-zero, and prints none of the job's output rather than part of it.
// It needs to mount a tiny tmpfs (root); elsewhere it is skipped.
func TestDiskFull(t *testing.T) {
	parx := parxPath(t)
	full := filepath.Join(t.TempDir(), "full")
	if err := os.Mkdir(full, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", full).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tiny tmpfs (needs root): %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", full).Run() })
	for _, tt := range []struct {
		args []string
		exit int
	}{
		{[]string{"-k", "--tmpdir", full}, 255},
		{[]string{"--lb", "--tmpdir", full}, 255},
		// The job writes its files itself: it fails (GNU does the same).
		{[]string{"--results", full + "/r"}, 2},
	} {
		t.Run(strings.Join(tt.args[:1], " "), func(t *testing.T) {
			cmd := exec.Command(parx, append(tt.args, "head -c 3000000 /dev/zero; echo end", ":::", "1", "2")...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			if cmd.ProcessState.ExitCode() != tt.exit {
				t.Errorf("exit status %d (%v), want %d", cmd.ProcessState.ExitCode(), err, tt.exit)
			}
			if tt.exit == 255 && (!strings.Contains(stderr.String(), "no space left on device") || !strings.HasPrefix(stderr.String(), "parx: ")) {
				t.Errorf("stderr = %q, want parx: … no space left on device", stderr.String())
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout has %d bytes: truncated output printed", stdout.Len())
			}
		})
	}
}

// TestProgressNoTerminal: without a terminal, --bar draws nothing: no
// escape codes or carriage returns anywhere, and stdout is exact.
func TestProgressNoTerminal(t *testing.T) {
	parx := parxPath(t)
	for _, flag := range []string{"--bar", "--progress", "--eta"} {
		cmd := exec.Command(parx, "-k", flag, "echo", ":::", "a", "b")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatal(err)
		}
		if stdout.String() != "a\nb\n" || stderr.Len() != 0 {
			t.Errorf("%s without a terminal: stdout %q, stderr %q", flag, stdout.String(), stderr.String())
		}
	}
	// Forced, the bar is drawn on stderr only.
	cmd := exec.Command(parx, "-k", "--bar", "--force-progress", "echo", ":::", "a", "b")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	if stdout.String() != "a\nb\n" || !strings.Contains(stderr.String(), "100%") || !strings.Contains(stderr.String(), "2/2") {
		t.Errorf("--force-progress: stdout %q, stderr %q", stdout.String(), stderr.String())
	}
}

// barRE matches the bar's count: (done/total), or (done/-) while the
// total is not known.
var barRE = regexp.MustCompile(`\((\d+)/(?:20|-)[,)]`)

// TestProgressTmux runs parx --bar on a real terminal (a tmux pane), reads
// the screen, and checks that the bar is drawn while stdout, redirected to
// a file, gets only the jobs' output. tmux is installed by .ci/run.
func TestProgressTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("terminal test skipped in -short mode")
	}
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Fatalf("tmux is required for the progress bar test (apt-get install -y tmux; .ci/run does): %v", err)
	}
	parx := parxPath(t)
	dir := t.TempDir()
	sock := fmt.Sprintf("parx-test-%d-%d", os.Getpid(), time.Now().UnixNano())
	run := func(args ...string) string {
		out, err := exec.Command(tmux, append([]string{"-L", sock, "-f", "/dev/null"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	// Jobs also write to stderr, the bar's terminal: their lines must show
	// whole, with the bar cleared off them.
	script := fmt.Sprintf(`%s --bar -j2 'sleep 0.2; echo {}; echo err{} >&2' ::: $(seq 20) > %s/out; echo $? > %s/done; sleep 60`, parx, dir, dir)
	run("new-session", "-d", "-x", "120", "-y", "20", "sh", "-c", script)
	defer exec.Command(tmux, "-L", sock, "kill-server").Run()

	seen := map[string]bool{}
	deadline := time.Now().Add(20 * time.Second)
	for {
		for _, m := range barRE.FindAllStringSubmatch(run("capture-pane", "-p"), -1) {
			seen[m[1]] = true
		}
		if _, err := os.Stat(filepath.Join(dir, "done")); err == nil {
			// parx has exited; tmux may still be reading its last bytes
			// from the terminal when the machine is busy.
			for end := time.Now().Add(3 * time.Second); !seen["20"] && time.Now().Before(end); {
				time.Sleep(100 * time.Millisecond)
				for _, m := range barRE.FindAllStringSubmatch(run("capture-pane", "-p"), -1) {
					seen[m[1]] = true
				}
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("parx did not finish; screen:\n%s", run("capture-pane", "-p"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	screen := run("capture-pane", "-p")
	if n := len(regexp.MustCompile(`(?m)^err\d+ *$`).FindAllString(screen, -1)); n < 10 {
		t.Errorf("%d whole lines of the jobs' stderr on the screen, want at least 10:\n%s", n, screen)
	}
	if !seen["20"] || len(seen) < 2 {
		t.Errorf("bar counts seen on the screen: %v; want it drawn while running and at 20/20; screen:\n%s", seen, run("capture-pane", "-p"))
	}
	out, err := os.ReadFile(filepath.Join(dir, "out"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != 20 || bytes.ContainsAny(out, "\x1b\r%|") {
		t.Errorf("stdout is not just the jobs' output: %q", out)
	}
}
