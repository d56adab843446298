package input

import (
	"io"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func values(t *testing.T, s Source) []string {
	t.Helper()
	var out []string
	for {
		v, err := s.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
}

func TestReaderSource(t *testing.T) {
	tests := []struct {
		name string
		in   string
		opt  ReaderOptions
		want []string
	}{
		{"lines", "a\nb\n", ReaderOptions{}, []string{"a", "b"}},
		{"no final newline", "a\nb", ReaderOptions{}, []string{"a", "b"}},
		{"empty input", "", ReaderOptions{}, nil},
		{"empty lines kept", "a\n\n  \nb\n", ReaderOptions{}, []string{"a", "", "  ", "b"}},
		{"-r drops blank", "a\n\n  \n\t\nb\n", ReaderOptions{SkipEmpty: true}, []string{"a", "b"}},
		{"CR kept", "a\r\nb\r\n", ReaderOptions{}, []string{"a\r", "b\r"}},
		{"NUL", "a b\x00c\nd\x00", ReaderOptions{Delim: "\x00"}, []string{"a b", "c\nd"}},
		{"multi-char", "aXYbXYc\n", ReaderOptions{Delim: "XY"}, []string{"a", "b", "c\n"}},
		{"overlapping delimiter", "aXXYb", ReaderOptions{Delim: "XY"}, []string{"aX", "b"}},
		{"-E", "a\nb\nstop\nc\n", ReaderOptions{EOF: "stop", HasEOF: true}, []string{"a", "b"}},
		{"-E exact", "a\n stop\nc\n", ReaderOptions{EOF: "stop", HasEOF: true}, []string{"a", " stop", "c"}},
		{"long line", strings.Repeat("x", 200000) + "\ny", ReaderOptions{}, []string{strings.Repeat("x", 200000), "y"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := values(t, NewReaderSource(strings.NewReader(tt.in), "test", tt.opt))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func records(t *testing.T, specs []SourceSpec, opt RecordOptions) [][]string {
	t.Helper()
	r, err := NewRecords(specs, opt)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rec)
	}
}

func src(v ...string) SourceSpec     { return SourceSpec{Source: &SliceSource{Values: v}} }
func pairSrc(v ...string) SourceSpec { return SourceSpec{Source: &SliceSource{Values: v}, Pair: true} }

func TestRecords(t *testing.T) {
	tests := []struct {
		name  string
		specs []SourceSpec
		opt   RecordOptions
		want  [][]string
	}{
		{"one", []SourceSpec{src("a", "b")}, RecordOptions{}, [][]string{{"a"}, {"b"}}},
		{"product", []SourceSpec{src("a", "b"), src("1", "2")}, RecordOptions{}, [][]string{{"a", "1"}, {"a", "2"}, {"b", "1"}, {"b", "2"}}},
		{"pair truncates", []SourceSpec{src("a", "b", "c"), pairSrc("1", "2")}, RecordOptions{}, [][]string{{"a", "1"}, {"b", "2"}}},
		{"pair then product", []SourceSpec{src("a", "b"), pairSrc("1", "2", "3"), src("X", "Y")}, RecordOptions{}, [][]string{{"a", "1", "X"}, {"a", "1", "Y"}, {"b", "2", "X"}, {"b", "2", "Y"}}},
		{"link recycles", []SourceSpec{src("a", "b", "c"), src("1", "2")}, RecordOptions{Link: true}, [][]string{{"a", "1"}, {"b", "2"}, {"c", "1"}}},
		{"empty alone", []SourceSpec{src()}, RecordOptions{}, nil},
		{"empty in product", []SourceSpec{src("a"), src()}, RecordOptions{}, [][]string{{"a", ""}}},
		{"empty first in product", []SourceSpec{src(), src("a")}, RecordOptions{}, [][]string{{"", "a"}}},
		{"colsep", []SourceSpec{src("a,b", "c")}, RecordOptions{Colsep: regexp.MustCompile(",")}, [][]string{{"a", "b"}, {"c"}}},
		{"colsep sources concatenated", []SourceSpec{src("a,b"), src("c,d")}, RecordOptions{Colsep: regexp.MustCompile(",")}, [][]string{{"a", "b", "c", "d"}}},
		{"trim", []SourceSpec{src(" a ")}, RecordOptions{Trim: Trim{Left: true}}, [][]string{{"a "}}},
		{"header", []SourceSpec{src("n,a", "x,1")}, RecordOptions{Header: true, Colsep: regexp.MustCompile(",")}, [][]string{{"x", "1"}}},
		{"skip first", []SourceSpec{src("h", "a", "b")}, RecordOptions{SkipFirst: true}, [][]string{{"a"}, {"b"}}},
		{"skip first of the first source only", []SourceSpec{src("h", "a"), src("x", "y")}, RecordOptions{SkipFirst: true}, [][]string{{"a", "x"}, {"a", "y"}}},
		{"skip first of nothing", []SourceSpec{src()}, RecordOptions{SkipFirst: true}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := records(t, tt.specs, tt.opt)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestHeaderNames(t *testing.T) {
	r, err := NewRecords([]SourceSpec{src("name,age", "bob,3"), src("v", "1")}, RecordOptions{Header: true, Colsep: regexp.MustCompile(",")})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"name": 1, "age": 2, "v": 3}
	if got := r.Header(); !reflect.DeepEqual(got, want) {
		t.Errorf("Header() = %v, want %v", got, want)
	}
}

// FuzzReaderSource checks that splitting never loses or changes a byte:
// joining the values with the delimiter gives back the input (less a final
// delimiter).
func FuzzReaderSource(f *testing.F) {
	for _, s := range []string{"a\nb\n", "", "\n\n", "aXYbX", "XYXY", "a\x00b"} {
		f.Add(s, "\n")
		f.Add(s, "XY")
		f.Add(s, "\x00")
	}
	f.Fuzz(func(t *testing.T, in, delim string) {
		if delim == "" {
			return
		}
		got := values(t, NewReaderSource(strings.NewReader(in), "fuzz", ReaderOptions{Delim: delim}))
		joined := strings.Join(got, delim)
		if joined != in && joined+delim != in {
			t.Fatalf("values %q joined with %q give %q, want %q", got, delim, joined, in)
		}
	})
}

// TestContinueLines: with -L or -l, a value ending in white space goes on
// with the next value of its source, as GNU parallel reads lines.
func TestContinueLines(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"none", []string{"a", "b"}, []string{"a", "b"}},
		{"space", []string{"a ", "b", "c"}, []string{"a b", "c"}},
		{"tab, then an empty line", []string{"a\t", "", "b"}, []string{"a\tb"}},
		{"several", []string{"a ", "b ", "c", "d"}, []string{"a b c", "d"}},
		{"open at the end", []string{"a", "b "}, []string{"a", "b "}},
		{"space inside only", []string{"a b", "c"}, []string{"a b", "c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := flatArgs(records(t, []SourceSpec{{Source: &SliceSource{Values: tt.in}}}, RecordOptions{ContinueLines: true}))
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// flatArgs lists the values of records, one record after another.
func flatArgs(records [][]string) []string {
	var out []string
	for _, r := range records {
		out = append(out, r...)
	}
	return out
}
