package cmdline

import (
	"os/exec"
	"reflect"
	"strings"
	"testing"
)

func TestShellQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"", "''"},
		{"a b", "'a b'"},
		{"a'b", `'a'"'"'b'`},
		{"'", `"'"`},
		{"''x", `"''"'x'`},
		{"x'", `'x'"'"`},
		{`a"b`, `'a"b'`},
		{"$HOME", "'$HOME'"},
		{"-x", "-x"},
		{"+", "+"},
		{"a/b.c_d-e", "a/b.c_d-e"},
		{"é", "'é'"},
		{"a\nb", "'a\nb'"},
		{"{}", "'{}'"},
	}
	for _, tt := range tests {
		if got := ShellQuote(tt.in); got != tt.want {
			t.Errorf("ShellQuote(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTransforms(t *testing.T) {
	// Expected values are GNU parallel 20221122's output for {.} {/} {//} {/.}.
	tests := []struct{ in, noext, base, dir, basenoext string }{
		{"a", "a", "a", ".", "a"},
		{"a.b.c", "a.b", "a.b.c", ".", "a.b"},
		{"dir/a.b", "dir/a", "a.b", "dir", "a"},
		{"/a", "/a", "a", "/", "a"},
		{"/", "/", "", "/", ""},
		{"dir/", "dir/", "", ".", ""},
		{"dir.x/a", "dir.x/a", "a", "dir.x", "a"},
		{".bashrc", "", ".bashrc", ".", ""},
		{"a/b/", "a/b/", "", "a", ""},
		{"../a.b", "../a", "a.b", "..", "a"},
		{"", "", "", ".", ""},
		{"..", ".", "..", ".", "."},
		{"//a//", "//a//", "", "/", ""},
		{"a//b", "a//b", "b", "a", "b"},
	}
	for _, tt := range tests {
		got := []string{trNoExt.apply(tt.in), trBase.apply(tt.in), trDir.apply(tt.in), trBaseNoExt.apply(tt.in)}
		want := []string{tt.noext, tt.base, tt.dir, tt.basenoext}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %q, want %q", tt.in, got, want)
		}
	}
}

func TestTemplateExpand(t *testing.T) {
	tests := []struct {
		name    string
		words   []string
		opt     TemplateOptions
		records [][]string
		direct  bool
		argv    []string
		line    string
	}{
		{"append", []string{"echo"}, TemplateOptions{}, [][]string{{"a b"}}, true, []string{"echo", "a b"}, "echo 'a b'"},
		{"fields", []string{"cp", "{}", "{.}.bak"}, TemplateOptions{}, [][]string{{"d/x.txt"}}, true, []string{"cp", "d/x.txt", "d/x.bak"}, "cp d/x.txt d/x.bak"},
		{"two sources", []string{"echo"}, TemplateOptions{}, [][]string{{"a", "b c"}}, true, []string{"echo", "a", "b c"}, "echo a 'b c'"},
		{"split word", []string{"echo", "x{}y"}, TemplateOptions{}, [][]string{{"1"}, {"2"}}, true, []string{"echo", "x1", "2y"}, "echo x1 2y"},
		{"context", []string{"echo", "x{}y"}, TemplateOptions{Context: true}, [][]string{{"1"}, {"2"}}, true, []string{"echo", "x1y", "x2y"}, "echo x1y x2y"},
		{"positional", []string{"echo", "{2}-{1}", "{-1}"}, TemplateOptions{}, [][]string{{"a", "b"}}, true, []string{"echo", "b-a", "b"}, "echo b-a b"},
		{"missing positional vanishes", []string{"echo", "{3}"}, TemplateOptions{}, [][]string{{"a"}}, true, []string{"echo"}, "echo "},
		{"empty value stays", []string{"echo", "{}"}, TemplateOptions{}, [][]string{{""}}, true, []string{"echo", ""}, "echo ''"},
		{"pipe needs shell", []string{"echo {} | cat"}, TemplateOptions{}, [][]string{{"a"}}, false, nil, "echo a | cat"},
		{"quoted field needs shell", []string{"echo '{}'"}, TemplateOptions{}, [][]string{{"a"}}, false, nil, "echo 'a'"},
		{"quotes elsewhere are fine", []string{"echo 'a  b' {}"}, TemplateOptions{}, [][]string{{"c"}}, true, []string{"echo", "a  b", "c"}, "echo 'a  b' c"},
		{"variable needs shell", []string{"echo $HOME"}, TemplateOptions{}, [][]string{{"c"}}, false, nil, "echo $HOME c"},
		{"builtin needs shell", []string{"cd", "/tmp"}, TemplateOptions{}, [][]string{{"x"}}, false, nil, "cd /tmp x"},
		{"assignment needs shell", []string{"A=1", "env"}, TemplateOptions{}, [][]string{{"x"}}, false, nil, "A=1 env x"},
		{"glob needs shell", []string{"ls", "*.go"}, TemplateOptions{}, [][]string{{"x"}}, false, nil, "ls *.go x"},
		{"quote option", []string{"printf", "%s %s\n", "{}"}, TemplateOptions{Quote: true}, [][]string{{"a b"}}, true, []string{"printf", "%s %s\n", "a b"}, "printf '%s %s\n' 'a b'"},
		{"seq and slot", []string{"echo", "{#}/{%}"}, TemplateOptions{}, [][]string{{"a"}}, true, []string{"echo", "7/2"}, "echo 7/2"},
		{"renamed", []string{"echo", "XX", "{}"}, TemplateOptions{Replace: ReplaceStrings{Value: "XX"}}, [][]string{{"a"}}, false, nil, "echo a {}"},
		{"header name", []string{"echo", "{name}"}, TemplateOptions{Header: map[string]int{"name": 2}}, [][]string{{"x", "y"}}, true, []string{"echo", "y"}, "echo y"},
		{"no records", []string{"echo", "x"}, TemplateOptions{}, nil, true, []string{"echo", "x"}, "echo x "},
		{"context, no records (-N 0)", []string{"echo", "x{}y", "{}"}, TemplateOptions{Context: true}, nil, true, []string{"echo", "xy"}, "echo xy "},
		{"context, an empty record", []string{"echo", "x{}y"}, TemplateOptions{Context: true}, [][]string{{}}, true, []string{"echo", "xy"}, "echo xy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tm, err := ParseTemplate(tt.words, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			a := &Args{Records: tt.records, Seq: 7, Slot: 2}
			if tm.Direct() != tt.direct {
				t.Errorf("Direct() = %v, want %v", tm.Direct(), tt.direct)
			}
			if got := tm.Argv(a); !reflect.DeepEqual(got, tt.argv) {
				t.Errorf("Argv = %q, want %q", got, tt.argv)
			}
			if got := tm.Line(a); got != tt.line {
				t.Errorf("Line = %q, want %q", got, tt.line)
			}
		})
	}
}

func TestTemplatePerlRefused(t *testing.T) {
	if _, err := ParseTemplate([]string{"echo", "{= s/a/b/ =}"}, TemplateOptions{}); err != ErrPerlExpression {
		t.Fatalf("err = %v, want ErrPerlExpression", err)
	}
}

// runBoth runs a template's job both ways: directly and through sh -c with
// the quoted line, and returns the two outputs.
func runBoth(t *testing.T, tm *Template, a *Args) (direct, shell string, ok bool) {
	argv := tm.Argv(a)
	if argv == nil {
		return "", "", false
	}
	d, err1 := exec.Command(argv[0], argv[1:]...).CombinedOutput()
	s, err2 := exec.Command("/bin/sh", "-c", tm.Line(a)).CombinedOutput()
	if (err1 == nil) != (err2 == nil) {
		t.Fatalf("direct err %v, shell err %v", err1, err2)
	}
	return string(d), string(s), true
}

// FuzzDirectMatchesShell checks that running a command directly gives the
// same argv as the shell gives for the quoted line: values are data, on
// both paths.
func FuzzDirectMatchesShell(f *testing.F) {
	for _, s := range []string{"a b", "it's", "$(id)", "`id`", "*", "a;b", "", "x\ny", "\xff\xfe", "'\"'", "-n", "{}", "~"} {
		f.Add(s, "c")
	}
	words := []string{"printf", "<%s>", "x{}y", "{}", "{2}"}
	tm, err := ParseTemplate([]string{strings.Join(words[:1], " "), "'<%s>'", "x{}y", "{}", "{2}"}, TemplateOptions{})
	if err != nil {
		f.Fatal(err)
	}
	if !tm.Direct() {
		f.Fatal("template should run directly")
	}
	f.Fuzz(func(t *testing.T, v1, v2 string) {
		if strings.ContainsRune(v1+v2, 0) {
			return // NUL cannot be in an argument on either path
		}
		a := &Args{Records: [][]string{{v1, v2}}}
		d, s, ok := runBoth(t, tm, a)
		if !ok {
			t.Fatal("no argv")
		}
		if d != s {
			t.Fatalf("direct %q != shell %q for %q %q", d, s, v1, v2)
		}
	})
}

// FuzzParseTemplate checks that any template parses or fails cleanly, and
// that a direct template's argv agrees with the shell's reading of its line.
func FuzzParseTemplate(f *testing.F) {
	for _, s := range []string{"echo {}", "echo {.} {/} {//} {/.} {#} {%}", "a{1}b {-1}", "echo '{}' | cat", "x=1 y", "{= 1 =}", "echo \"a b\" {}", "{", "}{", "{1", "{-}", "{0}"} {
		f.Add(s, "v a")
	}
	f.Fuzz(func(t *testing.T, cmd, v string) {
		if strings.ContainsRune(cmd+v, 0) {
			return
		}
		tm, err := ParseTemplate([]string{cmd}, TemplateOptions{})
		if err != nil {
			return
		}
		a := &Args{Records: [][]string{{v, "w"}}, Seq: 1, Slot: 1}
		argv := tm.Argv(a)
		if argv == nil {
			return
		}
		// The shell must split the line into exactly argv.
		script := `set -- ` + tm.Line(a) + `; for a in "$@"; do printf '%s\0' "$a"; done`
		got, err := exec.Command("/bin/sh", "-c", script).Output()
		if err != nil {
			t.Fatalf("template %q runs directly, but the shell rejects its line %q: %v", cmd, script, err)
		}
		want := strings.Join(argv, "\x00") + "\x00"
		if len(argv) == 0 {
			want = ""
		}
		if string(got) != want {
			t.Fatalf("template %q value %q: direct argv %q, shell gives %q", cmd, v, argv, strings.Split(string(got), "\x00"))
		}
	})
}
