package runner

import (
	"bufio"
	"bytes"
	"os"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

func TestArgsAsDir(t *testing.T) {
	tests := []struct {
		header  map[int]string
		records [][]string
		want    string
	}{
		{nil, [][]string{{"a", "1"}}, "1/a/2/1"},
		{nil, [][]string{{`a/b\c` + "\t\x00"}}, `1/a\_b\\c\t\0`},
		{map[int]string{1: "b", 2: "a"}, [][]string{{"x", "y"}}, "a/y/b/x"},
		{map[int]string{1: "10", 2: "9"}, [][]string{{"x", "y"}}, "9/y/10/x"},
		{nil, [][]string{{"a"}, {"b"}}, "1/a/1/b"},
		{nil, [][]string{{strings.Repeat("v", 300)}}, "1/" + strings.Repeat("v", 255)},
		{nil, [][]string{{".", ".."}}, `1/\./2/\.\.`},
	}
	for _, tt := range tests {
		r := &results{header: tt.header}
		if got := r.argsAsDir(tt.records); got != tt.want {
			t.Errorf("argsAsDir(%q) with header %v = %q, want %q", tt.records, tt.header, got, tt.want)
		}
	}
}

// TestResultsPaths: with a --results name holding replacement strings,
// values are escaped as in the directory form, so that no value can put a
// file outside the name's own directories.
func TestResultsPaths(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		stdout string
	}{
		{"out/{}", []string{"a"}, "out/a"},
		{"out/{}", []string{"../../../../x"}, `out/..\_..\_..\_..\_x`},
		{"out/{}", []string{"/etc/passwd"}, `out/\_etc\_passwd`},
		{"out/{}", []string{"a/b"}, `out/a\_b`},
		{"out/{}", []string{"."}, `out/\.`},
		{"out/{}", []string{".."}, `out/\.\.`},
		{"out/{}", []string{"..."}, "out/..."},
		{"out/{}", []string{`a\b` + "\t\x00"}, `out/a\\b\t\0`},
		{"out/{}/", []string{".."}, `out/\.\./stdout`},
		{"out/{//}/{/}", []string{"../x/.."}, `out/..\_x/\.\.`},
		{"out/{1}-{2}", []string{"..", "/"}, `out/\.\.-\_`},
		{"{}/", []string{""}, ".//stdout"},
		{"{}", []string{".."}, `\.\.`},
		{"out/x{#}", []string{".."}, "out/x3"},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		name := dir + "/" + tt.name
		if strings.HasPrefix(tt.name, "{") {
			name = tt.name
			t.Chdir(dir)
		}
		r, err := newResults(name, TemplateOptions{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		stdout, _, _, err := r.paths(&Job{Seq: 3, Args: [][]string{tt.values}})
		if err != nil {
			t.Errorf("%s with %q: %v", tt.name, tt.values, err)
			continue
		}
		want := tt.stdout
		if name != tt.name {
			want = dir + "/" + want
		}
		if stdout != want {
			t.Errorf("%s with %q: stdout in %q, want %q", tt.name, tt.values, stdout, want)
		}
	}
}

func TestResultsNameCreatesDirs(t *testing.T) {
	dir := t.TempDir()
	if _, err := newResults(dir+"/new/deeper/{}", TemplateOptions{}, nil); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(dir + "/new/deeper"); err != nil || !st.IsDir() {
		t.Errorf("the name's directories were not made before the jobs: %v", err)
	}
	if _, err := newResults("/dev/null/x/{}", TemplateOptions{}, nil); err == nil {
		t.Errorf("an unwritable --results name is not an error before the jobs")
	}
}

func TestCSVField(t *testing.T) {
	tests := []struct {
		sep      byte
		in, want string
	}{
		{',', "plain", "plain"},
		{',', "a,b", `"a,b"`},
		{',', `say "hi"`, `"say ""hi"""`},
		{',', "two\nlines\n", "\"two\nlines\n\""},
		{',', "a b", `"a b"`},
		{',', "a\x00b", "\"a\x00b\""},
		{',', "", ""},
		{'\t', "a,b", "a,b"},
		{'\t', "a\tb", "\"a\tb\""},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		r := &results{sep: tt.sep, w: bufio.NewWriter(&b)}
		if err := r.csvField(0, strings.NewReader(tt.in), int64(len(tt.in))); err != nil {
			t.Fatal(err)
		}
		r.w.Flush()
		if b.String() != tt.want {
			t.Errorf("csvField(%q, sep %q) = %q, want %q", tt.in, tt.sep, b.String(), tt.want)
		}
	}
}

// TestUTF8Checker feeds text in every split into two writes.
func TestUTF8Checker(t *testing.T) {
	for _, s := range []string{"", "plain", "é€𝄞 mixed", "bad \xff byte", "cut \xe2\x82", "\xe2\x82\xac"} {
		for i := 0; i <= len(s); i++ {
			u := &utf8Checker{valid: true}
			u.Write([]byte(s[:i]))
			u.Write([]byte(s[i:]))
			if got := u.valid && len(u.carry) == 0; got != utf8.ValidString(s) {
				t.Errorf("%q split at %d: valid = %v", s, i, got)
			}
		}
	}
}

// TestLineWriter: whole lines only, from concurrent writers, with tags;
// a partial line is printed at the end as it is.
func TestLineWriter(t *testing.T) {
	var out, errb bytes.Buffer
	p := NewPrinter(&out, &errb)
	var wg sync.WaitGroup
	for _, tag := range []string{"x", "y"} {
		jo, err := p.Live(&Job{Seq: 1, Tag: tag}, LineBuffer)
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				jo.Stdout.Write([]byte("ab"))
				jo.Stdout.Write([]byte("c\nde"))
				jo.Stdout.Write([]byte("f\n"))
			}
			if err := jo.Close(); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	jo, _ := p.Live(&Job{Seq: 2, Tag: "z"}, LineBuffer)
	jo.Stdout.Write([]byte("ta"))
	jo.Stdout.Write([]byte("il"))
	jo.Close()
	lines := strings.Split(out.String(), "\n")
	counts := map[string]int{}
	for _, l := range lines {
		counts[l]++
	}
	for _, tag := range []string{"x", "y"} {
		if counts[tag+"\tabc"] != 500 || counts[tag+"\tdef"] != 500 {
			t.Errorf("tag %s: counts %v", tag, counts)
		}
	}
	if !strings.HasSuffix(out.String(), "\nz\ttail") || len(lines) != 2001 {
		t.Errorf("%d lines; partial lines: %q", len(lines), lines[len(lines)-1])
	}
}

// TestLineWriterOrdered: with Ordered, a later job's output waits for Done.
func TestLineWriterOrdered(t *testing.T) {
	var out bytes.Buffer
	p := NewPrinter(&out, &out)
	p.Ordered = true
	j1, _ := p.Live(&Job{Seq: 1}, LineBuffer)
	j2, _ := p.Live(&Job{Seq: 2}, LineBuffer)
	j2.Stdout.Write([]byte("two\npart"))
	j2.Close()
	j1.Stdout.Write([]byte("one\n"))
	if out.String() != "one\n" {
		t.Fatalf("before Done: %q", out.String())
	}
	j1.Close()
	if err := p.Done(1); err != nil {
		t.Fatal(err)
	}
	if out.String() != "one\ntwo\npart" {
		t.Errorf("after Done: %q", out.String())
	}
}

// TestBufferSpillError: a spill that cannot be made is an error, never
// silently lost output.
func TestBufferSpillError(t *testing.T) {
	b := &Buffer{Threshold: 4, Dir: "/nonexistent"}
	if _, err := b.Write([]byte("abc")); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Write([]byte("defg")); err == nil || !strings.Contains(err.Error(), "saving job output") {
		t.Errorf("Write past the threshold into a missing dir: %v", err)
	}
}

func TestKnownTotal(t *testing.T) {
	vals := func(v ...string) SourceSpec { return SourceSpec{Source: &SliceSource{Values: v}} }
	tests := []struct {
		cfg  Config
		want int64
	}{
		{Config{Command: []string{"echo"}, Sources: []SourceSpec{vals("a", "b", "c")}}, 3},
		{Config{Command: []string{"echo"}, Sources: []SourceSpec{vals("a", "b"), vals("1", "2", "3")}}, 6},
		{Config{Command: []string{"echo"}, Sources: []SourceSpec{vals("a", "b"), {Source: &SliceSource{Values: []string{"1", "2", "3"}}, Pair: true}}}, 2},
		{Config{Command: []string{"echo"}, Sources: []SourceSpec{{Source: &SliceSource{Values: []string{"a", "STOP", "b"}, EOF: "STOP", HasEOF: true}}}}, 1},
		{Config{Command: []string{"echo"}, Sources: []SourceSpec{vals("a", "b", "c")}, Batch: BatchOptions{MaxArgs: 2, MaxArgsSet: true}}, 0},
		{Config{Command: []string{"echo"}, Sources: []SourceSpec{{Source: NewReaderSource(strings.NewReader("a\n"), "stdin", ReaderOptions{})}}}, 0},
		{Config{Sources: []SourceSpec{vals("echo a")}}, 0},
	}
	for i, tt := range tests {
		if got := knownTotal(&tt.cfg); got != tt.want {
			t.Errorf("case %d: knownTotal = %d, want %d", i, got, tt.want)
		}
	}
}

// TestLineWriterDrop: a cancelled job's held output is never printed, and
// the next job goes live.
func TestLineWriterDrop(t *testing.T) {
	var out bytes.Buffer
	p := NewPrinter(&out, &out)
	p.Ordered = true
	j1, _ := p.Live(&Job{Seq: 1}, LineBuffer)
	j2, _ := p.Live(&Job{Seq: 2}, LineBuffer)
	j3, _ := p.Live(&Job{Seq: 3}, LineBuffer)
	j2.Stdout.Write([]byte("two\n"))
	j3.Stdout.Write([]byte("three\n"))
	j1.Close()
	p.Done(1)
	p.Drop(3) // cancelled while waiting: never printed
	j2.Stdout.Write([]byte("more\n"))
	j2.Close()
	p.Done(2)
	if out.String() != "two\nmore\n" {
		t.Errorf("output %q", out.String())
	}
}
