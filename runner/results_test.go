package runner

import (
	"bufio"
	"bytes"
	"os"
	"strings"
	"testing"
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
