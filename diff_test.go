package main

// Differential test: every case in testdata/diff/cases.txt is run through GNU
// parallel and through parx, and their stdout and exit status (and, for cases
// marked [stderr], their stderr) must be identical.
//
// Set PARX_DIFF_SELF=1 to run GNU parallel on both sides: every case must then
// pass, which proves that the cases themselves are deterministic.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	diffCasesFile   = "testdata/diff/cases.txt"
	diffCaseTimeout = 30 * time.Second
	// diffShowLines is how many lines of each output a failure report shows.
	diffShowLines = 40
)

// diffCase is one line of cases.txt.
type diffCase struct {
	line   int
	flags  map[string]bool
	script string
}

// Flags a case may carry, as a "[flag,flag]" prefix.
var diffKnownFlags = map[string]string{
	"sort":   "compare stdout as sorted lines (output order is not deterministic)",
	"stderr": "also compare stderr byte for byte",
	"rconly": "compare only the exit status (stdout wording differs legitimately, e.g. usage text)",
}

// diffResult is what one side of a case produced.
type diffResult struct {
	stdout, stderr []byte
	exit           string // "0", "1", … or "signal: killed" etc.
	timedOut       bool
	err            error // failure to run at all
}

func parseDiffCases(path string) ([]diffCase, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var cases []diffCase
	for i, raw := range strings.Split(string(data), "\n") {
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		c := diffCase{line: i + 1, flags: map[string]bool{}}
		if strings.HasPrefix(line, "[") {
			end := strings.Index(line, "]")
			if end < 0 {
				return nil, fmt.Errorf("%s:%d: unterminated flag list", path, i+1)
			}
			for _, f := range strings.Split(line[1:end], ",") {
				f = strings.TrimSpace(f)
				if _, ok := diffKnownFlags[f]; !ok {
					return nil, fmt.Errorf("%s:%d: unknown flag %q", path, i+1, f)
				}
				c.flags[f] = true
			}
			line = strings.TrimSpace(line[end+1:])
		}
		if !strings.Contains(line, "PARALLEL") {
			return nil, fmt.Errorf("%s:%d: case does not use PARALLEL: %s", path, i+1, line)
		}
		c.script = line
		cases = append(cases, c)
	}
	return cases, nil
}

// diffFixtures are the files every case finds in its working directory.
func diffFixtures() map[string]string {
	var long strings.Builder
	for _, n := range []int{1000, 10000, 30000} {
		long.WriteString(strings.Repeat("ab c'd ", n/7+1)[:n])
		long.WriteString("\n")
	}
	return map[string]string{
		// show prints each argument in brackets, so that argument boundaries are visible.
		"show":      "#!/bin/sh\nfor a in \"$@\"; do printf '[%s]' \"$a\"; done\necho\n",
		"f2":        "x\ny\n",
		"f3":        "1\n2\n3\n",
		"g1.txt":    "",
		"g2.txt":    "",
		"cs.txt":    "a,b\n c , d \n,\ne\n",
		"h.csv":     "name,age\nbob,3\nal,5\n",
		"h.tsv":     "a b\tc\n1\t2\n",
		"tab.tsv":   "x\ty\n1\t2\n",
		"crlf.txt":  "a\r\nb c\r\n",
		"nonl.txt":  "x\ny",
		"blank.txt": "a\n\nb\n  \n\t\nc\n",
		"cmds.txt":  "echo a\necho b | tr b B\nexit 3\nsleep 0.2; echo c\n\necho 'd  e'\n",
		"paths.txt": strings.Join([]string{"a", "a.b", "a.b.c", "dir/a.b", "/a", "/", "dir/",
			"dir.x/a", ".bashrc", "dir/.bashrc", "a/b/", "./a", "../a.b", "a..b", "a.", ".", "..",
			"dir/a.", "//a", "a//b", "dir/a b.c d", "é/ü.x", ""}, "\n") + "\n",
		"nasty.txt": strings.Join([]string{"plain", "a b", "  lead and trail  ", "a'b", `a"b`,
			"$HOME", "*", "g?.txt", "[ab]", "`echo BACKTICK`", "$(echo SUBST)", "$(touch pwned1)",
			"`touch pwned2`", "a;touch pwned3", "a|b", "a&b", "a>pwned4", "(a)", "{a,b}", "~", "~root",
			"-n", "--help", `a\b`, `a\\nb`, "é", "\xff\xfe", "#x", "a=b", "%s%d", "!x", "tab\there",
			"{}", "{.}", "'", `"`, `\`}, "\n") + "\n",
		"nul.bin":  "a\nb\x00c'd\x00$(touch pwned5)\x00\xff\x00 \x00\x00e\nf\n\x00",
		"long.txt": long.String(),
		"huge.txt": strings.Repeat("a", 200000) + "\n",
	}
}

func writeDiffFixtures(dir string) error {
	for name, content := range diffFixtures() {
		mode := os.FileMode(0o644)
		if name == "show" {
			mode = 0o755
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), mode); err != nil {
			return err
		}
	}
	return nil
}

// diffEnv is the environment both sides run with: the test's own, minus
// anything that configures GNU parallel, with HOME pointing at a directory
// that holds .parallel/will-cite and a fixed locale.
func diffEnv(home string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case name == "HOME", name == "PARALLEL", strings.HasPrefix(name, "PARALLEL_"),
			strings.HasPrefix(name, "LC_"), name == "LANG", name == "LANGUAGE":
			continue
		}
		env = append(env, kv)
	}
	return append(env, "HOME="+home, "LC_ALL=C")
}

// writeDiffWrapper creates dir/PARALLEL, a script that execs prog, so that a
// case's shell fragment can say PARALLEL (and still use $PARALLEL_SEQ).
func writeDiffWrapper(dir, prog string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	script := "#!/bin/sh\nexec " + strconv.Quote(prog) + " \"$@\"\n"
	if strings.ContainsAny(prog, "\"$`\\") {
		return fmt.Errorf("unsupported characters in path %q", prog)
	}
	return os.WriteFile(filepath.Join(dir, "PARALLEL"), []byte(script), 0o755)
}

func runDiffSide(c diffCase, bindir, workdir string, env []string) diffResult {
	if err := writeDiffFixtures(workdir); err != nil {
		return diffResult{err: err}
	}
	ctx, cancel := context.WithTimeout(context.Background(), diffCaseTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", c.script)
	cmd.Dir = workdir
	path := bindir
	for _, kv := range env {
		if p, ok := strings.CutPrefix(kv, "PATH="); ok {
			path += string(os.PathListSeparator) + p
		}
	}
	cmd.Env = append(slices.DeleteFunc(slices.Clone(env), func(kv string) bool {
		return strings.HasPrefix(kv, "PATH=")
	}), "PATH="+path)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// Own process group, so that a timeout kills the whole tree.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
	err := cmd.Run()
	// Whatever happened, leave no stray process of this case behind.
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	r := diffResult{stdout: stdout.Bytes(), stderr: stderr.Bytes(), timedOut: ctx.Err() != nil}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		r.exit = "0"
	case errors.As(err, &exitErr):
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			r.exit = "signal: " + ws.Signal().String()
		} else {
			r.exit = strconv.Itoa(exitErr.ExitCode())
		}
	default:
		r.err = err
	}
	return r
}

func TestDiffGNU(t *testing.T) {
	if testing.Short() {
		t.Skip("differential test against GNU parallel skipped in -short mode")
	}
	gnu, err := exec.LookPath("parallel")
	if err != nil {
		t.Fatalf("GNU parallel is required for the differential test but was not found in $PATH (%v); "+
			"install it with: apt-get install -y parallel", err)
	}
	if out, err := exec.Command(gnu, "--version").Output(); err != nil || !bytes.Contains(out, []byte("GNU parallel")) {
		t.Fatalf("%s is not GNU parallel (moreutils' parallel?); install it with: apt-get install -y parallel", gnu)
	}
	self := os.Getenv("PARX_DIFF_SELF") == "1"
	var parx string
	if self {
		parx = gnu
		t.Logf("PARX_DIFF_SELF=1: comparing GNU parallel with itself (harness self-check)")
	} else if parx, err = exec.LookPath("parx"); err != nil {
		t.Fatalf("parx not found in $PATH (TestMain should put it there): %v", err)
	}

	cases, err := parseDiffCases(diffCasesFile)
	if err != nil {
		t.Fatal(err)
	}
	base := t.TempDir()
	home := filepath.Join(base, "home")
	if err := os.MkdirAll(filepath.Join(home, ".parallel"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".parallel", "will-cite"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	gnuBin, parxBin := filepath.Join(base, "bin-gnu"), filepath.Join(base, "bin-parx")
	if err := writeDiffWrapper(gnuBin, gnu); err != nil {
		t.Fatal(err)
	}
	if err := writeDiffWrapper(parxBin, parx); err != nil {
		t.Fatal(err)
	}
	env := diffEnv(home)
	// Let GNU parallel measure and cache the maximal command line length in
	// $HOME/.parallel once, instead of in every concurrent case.
	warm := exec.Command(gnu, "--max-line-length-allowed")
	warm.Env = env
	if out, err := warm.CombinedOutput(); err != nil {
		t.Fatalf("GNU parallel does not run: %v\n%s", err, out)
	}

	// GNU parallel is CPU-heavy to start (perl), so keep concurrency small.
	sem := make(chan struct{}, max(2, runtime.NumCPU()))
	for _, c := range cases {
		t.Run(fmt.Sprintf("line%03d", c.line), func(t *testing.T) {
			t.Parallel()
			sem <- struct{}{}
			defer func() { <-sem }()

			var want, got diffResult
			var wg sync.WaitGroup
			wg.Add(2)
			go func() { defer wg.Done(); want = runDiffSide(c, gnuBin, t.TempDir(), env) }()
			go func() { defer wg.Done(); got = runDiffSide(c, parxBin, t.TempDir(), env) }()
			wg.Wait()
			checkDiffCase(t, c, want, got)
		})
	}
}

func checkDiffCase(t *testing.T, c diffCase, want, got diffResult) {
	t.Helper()
	if want.err != nil || want.timedOut {
		t.Fatalf("%s:%d: GNU parallel side failed (a broken case): err=%v timedOut=%v\n  case: %s\n%s",
			diffCasesFile, c.line, want.err, want.timedOut, c.script, describeDiffSide("GNU parallel", c, want))
	}
	var problems []string
	if got.err != nil {
		problems = append(problems, fmt.Sprintf("parx side could not run: %v", got.err))
	}
	if got.timedOut {
		problems = append(problems, fmt.Sprintf("parx side timed out after %v", diffCaseTimeout))
	}
	if want.exit != got.exit {
		problems = append(problems, fmt.Sprintf("exit status: GNU %s, parx %s", want.exit, got.exit))
	}
	if !c.flags["rconly"] {
		w, g := normDiffOut(c, want.stdout), normDiffOut(c, got.stdout)
		if !bytes.Equal(w, g) {
			problems = append(problems, "stdout differs"+firstDiffLine(w, g))
		}
	}
	if c.flags["stderr"] && !bytes.Equal(want.stderr, got.stderr) {
		problems = append(problems, "stderr differs"+firstDiffLine(want.stderr, got.stderr))
	}
	if len(problems) == 0 {
		return
	}
	t.Errorf("%s:%d: %s\n  case: %s\n%s%s", diffCasesFile, c.line, strings.Join(problems, "; "), c.script,
		describeDiffSide("GNU parallel (want)", c, want), describeDiffSide("parx (got)", c, got))
}

func normDiffOut(c diffCase, out []byte) []byte {
	if !c.flags["sort"] || len(out) == 0 {
		return out
	}
	lines := strings.SplitAfter(string(out), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if last := lines[len(lines)-1]; !strings.HasSuffix(last, "\n") {
		lines[len(lines)-1] = last + "\n" // so a missing final newline sorts like any line
	}
	slices.Sort(lines)
	return []byte(strings.Join(lines, ""))
}

// firstDiffLine says where two outputs first differ, by line.
func firstDiffLine(want, got []byte) string {
	w, g := strings.SplitAfter(string(want), "\n"), strings.SplitAfter(string(got), "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf(" (first at line %d: want %s, got %s)", i+1, clipDiff(strconv.Quote(wl)), clipDiff(strconv.Quote(gl)))
		}
	}
	return ""
}

func clipDiff(s string) string {
	if len(s) > 200 {
		return s[:200] + fmt.Sprintf("…(%d bytes)", len(s))
	}
	return s
}

func describeDiffSide(name string, c diffCase, r diffResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  --- %s: exit %s", name, r.exit)
	if r.timedOut {
		b.WriteString(" (TIMED OUT)")
	}
	b.WriteString("\n")
	for _, s := range []struct {
		name string
		data []byte
	}{{"stdout", normDiffOut(c, r.stdout)}, {"stderr", r.stderr}} {
		fmt.Fprintf(&b, "    %s (%d bytes):\n", s.name, len(s.data))
		sc := bufio.NewScanner(bytes.NewReader(s.data))
		sc.Buffer(nil, 1<<20)
		sc.Split(scanLinesKeepEnd)
		n := 0
		for sc.Scan() {
			if n++; n > diffShowLines {
				b.WriteString("      …\n")
				break
			}
			fmt.Fprintf(&b, "      %s\n", clipDiff(strconv.Quote(sc.Text())))
		}
	}
	return b.String()
}

// scanLinesKeepEnd is bufio.ScanLines but keeps the "\n" (and "\r"), so the
// report shows whether the last line ends with a newline.
func scanLinesKeepEnd(data []byte, atEOF bool) (int, []byte, error) {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return i + 1, data[:i+1], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}
