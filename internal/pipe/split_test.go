package pipe

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// blocks returns every block of in, header first when there is one.
func blocks(t *testing.T, r io.Reader, opt Options) []string {
	t.Helper()
	sp, err := NewBlockSplitter(r, opt)
	if err != nil {
		t.Fatal(err)
	}
	return drain(t, sp)
}

// drain returns the blocks left in sp, each with the header.
func drain(t *testing.T, sp *BlockSplitter) []string {
	t.Helper()
	var out []string
	for {
		b, err := sp.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(sp.Header())+string(b))
	}
	return out
}

// The expected blocks are what GNU parallel 20221122 gives each job.
func TestPipeBlocks(t *testing.T) {
	seq10 := "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n"
	fasta := ">a\nx\n>b\ny\n>c\nz\n"
	tests := []struct {
		name string
		in   string
		opt  Options
		want []string
	}{
		{"records straddle block borders", seq10, Options{BlockSize: 5},
			[]string{"1\n2\n", "3\n4\n", "5\n6\n", "7\n8\n", "9\n10\n"}},
		{"default block holds all", seq10, Options{}, []string{seq10}},
		{"empty input has no block", "", Options{}, nil},
		{"1-byte block", "1\n22\n3\n", Options{BlockSize: 1}, []string{"1\n", "22\n", "3\n"}},
		{"record bigger than the block grows it", strings.Repeat("a", 22) + "\nb\n", Options{BlockSize: 3},
			[]string{strings.Repeat("a", 22) + "\n", "b\n"}},
		{"no final newline", "ab\nc", Options{BlockSize: 4}, []string{"ab\n", "c"}},
		{"input exactly a block", "abc", Options{BlockSize: 3}, []string{"abc"}},
		{"CRLF records", "a\r\nb\r\nc\r\n", Options{BlockSize: 4, RecEnd: "\r\n"}, []string{"a\r\n", "b\r\n", "c\r\n"}},
		{"NUL records", "ab\x00c\x00de\x00", Options{BlockSize: 4, RecEnd: "\x00"}, []string{"ab\x00", "c\x00", "de\x00"}},
		{"NUL records, -N1", "a\x00b\x00c\x00", Options{RecordsPerJob: 1, RecEnd: "\x00"}, []string{"a\x00", "b\x00", "c\x00"}},
		{"-N3", seq10, Options{BlockSize: 5, RecordsPerJob: 3}, []string{"1\n2\n3\n", "4\n5\n6\n", "7\n8\n9\n", "10\n"}},
		{"-N1 skips a separator at the very start, as GNU", "\n\na\n\nb\n", Options{RecordsPerJob: 1},
			[]string{"\n\n", "a\n", "\nb\n"}},
		{"-L4 small block", seq10, Options{BlockSize: 5, Lines: 4}, []string{"1\n2\n3\n4\n", "5\n6\n7\n8\n", "9\n10\n"}},
		{"-L4 fills the block with groups", seq10, Options{BlockSize: 20, Lines: 4}, []string{"1\n2\n3\n4\n5\n6\n7\n8\n", "9\n10\n"}},
		{"-L2 leading newline", "\nabc\nd", Options{BlockSize: 3, Lines: 2}, []string{"\nabc\n", "d"}},
		{"--recstart", fasta, Options{BlockSize: 5, RecStart: ">"}, []string{">a\nx\n", ">b\ny\n", ">c\nz\n"}},
		{"--recstart -N1", fasta, Options{RecordsPerJob: 1, RecStart: ">"}, []string{">a\nx\n", ">b\ny\n", ">c\nz\n"}},
		{"--recstart --recend --remove-rec-sep", fasta, Options{RecordsPerJob: 1, RecStart: ">", RecEnd: "\n", RemoveRecSep: true},
			[]string{"a\nx", "b\ny", "c\nz"}},
		{"--recstart --recend --remove-rec-sep, two records", fasta, Options{BlockSize: 6, RecStart: ">", RecEnd: "\n", RemoveRecSep: true},
			[]string{"a\nx", "b\ny", "c\nz"}},
		{"--regexp -N1", "a1b22c333d", Options{Regexp: true, RecEnd: "[0-9]+", RecordsPerJob: 1}, []string{"a1", "b22", "c333", "d"}},
		{"--regexp greedy at the border", "a1b22c333d", Options{Regexp: true, RecEnd: "[0-9]+", BlockSize: 3}, []string{"a1", "b22", "c33", "3d"}},
		{"--regexp --remove-rec-sep", "a1b22c333d", Options{Regexp: true, RecEnd: "[0-9]+", RecordsPerJob: 1, RemoveRecSep: true}, []string{"a", "b", "c", "d"}},
		{"--regexp text before the first record start", "xa1b22c333d", Options{Regexp: true, RecStart: "[a-d]", RecEnd: "[0-9]+", RecordsPerJob: 2},
			[]string{"xa1", "b22c333", "d"}},
		{"--regexp --recstart alone: records end anywhere", "\n>\n\n>>\n>\n\x00", Options{Regexp: true, RecStart: ">", RecordsPerJob: 1},
			[]string{"\n", ">\n\n", ">", ">\n", ">\n\x00"}},
		{"--regexp --recstart alone --remove-rec-sep", ">a\n>b", Options{Regexp: true, RecStart: ">", RecordsPerJob: 1, RemoveRecSep: true},
			[]string{"a\n", "b"}},
		{"--header : in every block", "h1\nh2\na\nb\nc\nd\n", Options{BlockSize: 4, Header: `(.*\n)`},
			[]string{"h1\nh2\n", "h1\na\nb\n", "h1\nc\nd\n"}},
		{"--header 2 -N1", "h1\nh2\na\nb\n", Options{RecordsPerJob: 1, Header: `(.*\n)(.*\n)`},
			[]string{"h1\nh2\na\n", "h1\nh2\nb\n"}},
		{"--header that never matches", "a\nb\n", Options{Header: `x\n`}, []string{"a\nb\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := blocks(t, strings.NewReader(tt.in), tt.opt)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("blocks %q, want %q", got, tt.want)
			}
			// Reads of one byte at a time cut the same blocks.
			if got := blocks(t, iotest.OneByteReader(strings.NewReader(tt.in)), tt.opt); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("one byte at a time: blocks %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseBlockSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"1", 1}, {"10", 10}, {"1k", 1000}, {"1K", 1024}, {"1M", 1 << 20}, {"1m", 1000000}, {"2G", 2 << 30},
		{"1g", 1e9}, {"1T", 1 << 40}, {"1.5k", 1500}, {"1.5M", 1572864}, {"0.5K", 512}, {"1Ki", 1024},
		{"1mi", 1 << 20}, {"-1", -1}, {"-10", -10}, {"0", 0}, {" 3 ", 3}, {"1.9", 1},
	}
	for _, tt := range tests {
		got, err := ParseBlockSize(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseBlockSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "k", "1x", "ten", "1MM", "0x10", "1e3", "NaN", "Inf", "1_000", "--1"} {
		if n, err := ParseBlockSize(bad); err == nil {
			t.Errorf("ParseBlockSize(%q) = %d, want an error", bad, n)
		}
	}
}

func TestUnescapeRecSep(t *testing.T) {
	for in, want := range map[string]string{`\n`: "\n", `\r\n`: "\r\n", `\0`: "\x00", `\t`: "\t", `\\`: `\`, `a\'b\"`: `a'b"`, `\x`: `\x`, `x\`: `x\`} {
		if got := UnescapeRecSep(in); got != want {
			t.Errorf("UnescapeRecSep(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPipeBadOptions(t *testing.T) {
	for _, opt := range []Options{
		{Regexp: true, RecEnd: "("},
		{Regexp: true, RecStart: "[a"},
		{Header: "("},
	} {
		if _, err := NewBlockSplitter(strings.NewReader("x"), opt); err == nil {
			t.Errorf("NewBlockSplitter(%+v): no error", opt)
		}
	}
}

// FuzzPipeBlocks: whatever the input, block size and separators, the blocks
// put back together are the input, byte for byte, and each block but the
// last ends with a record end (fixed-string --recend).
func FuzzPipeBlocks(f *testing.F) {
	for _, s := range []string{"1\n2\n3\n", "", "\n\n\n", "a\r\nb\r\n", "a\x00b\x00", "no newline", ">a\nx\n>b\n"} {
		f.Add(s, uint16(1), "\n", "", uint8(0), uint8(0))
		f.Add(s, uint16(3), "\r\n", "", uint8(1), uint8(0))
		f.Add(s, uint16(2), "", ">", uint8(0), uint8(2))
	}
	f.Fuzz(func(t *testing.T, in string, bs uint16, recEnd, recStart string, records, lines uint8) {
		opt := Options{BlockSize: int64(bs%64) + 1, RecEnd: recEnd, RecStart: recStart, RecordsPerJob: int(records % 4), Lines: int(lines % 4)}
		var got []string
		done := make(chan struct{})
		go func() { defer close(done); got = blocks(t, iotest.HalfReader(strings.NewReader(in)), opt) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("hang: %q %+v", in, opt)
		}
		if joined := strings.Join(got, ""); joined != in {
			t.Fatalf("blocks %q joined give %q, want %q", got, joined, in)
		}
		for i, b := range got {
			if b == "" {
				t.Fatalf("block %d of %q is empty", i, got)
			}
		}
		sep := recEnd + recStart
		if sep == "" {
			sep = "\n"
		}
		if opt.Lines > 0 && opt.RecordsPerJob == 0 {
			return // lines, not the separators, make the records
		}
		for i, b := range got[:max(len(got)-1, 0)] {
			// A block ends where the separator's end part is followed by its
			// start part in the next block.
			end := recEnd
			if recEnd == "" && recStart == "" {
				end = "\n"
			}
			if !strings.HasSuffix(b, end) || !strings.HasPrefix(strings.Join(got[i+1:], ""), recStart) {
				t.Fatalf("block %d %q is not cut at a record border (%q)", i, b, sep)
			}
		}
	})
}

func TestFileParts(t *testing.T) {
	dir := t.TempDir()
	var body strings.Builder
	for i := range 1000 {
		body.WriteString(strings.Repeat("x", i%17) + "\n")
	}
	path := filepath.Join(dir, "f")
	content := "name\n" + body.String()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, opt := range []Options{
		{BlockSize: 100}, {BlockSize: 1}, {}, {BlockSize: -1}, {BlockSize: 1 << 20},
		{BlockSize: 100, Header: `(.*\n)`}, {BlockSize: 50, RecStart: "xx"}, {BlockSize: 64, Regexp: true, RecEnd: `x\n`},
	} {
		head, borders, err := FileParts(path, opt, 4)
		if err != nil {
			t.Fatal(err)
		}
		if string(head) != map[bool]string{true: "name\n", false: ""}[opt.Header != ""] {
			t.Errorf("%+v: header %q", opt, head)
		}
		if borders[0] != int64(len(head)) || borders[len(borders)-1] != int64(len(content)) {
			t.Errorf("%+v: borders %v do not span the file after the header", opt, borders)
		}
		for i := 1; i < len(borders); i++ {
			part := content[borders[i-1]:borders[i]]
			if borders[i] <= borders[i-1] {
				t.Fatalf("%+v: borders %v do not increase", opt, borders)
			}
			if opt.BlockSize > 0 && i < len(borders)-1 && int64(len(part)) < opt.BlockSize {
				t.Fatalf("%+v: part %d is %d bytes, less than the block", opt, i, len(part))
			}
			if i < len(borders)-1 && !opt.Regexp && opt.RecStart == "" && !strings.HasSuffix(part, "\n") {
				t.Fatalf("%+v: part %d %q does not end a record", opt, i, part)
			}
			if i > 1 && opt.RecStart != "" && !strings.HasPrefix(part, opt.RecStart) {
				t.Fatalf("%+v: part %d %q does not start a record", opt, i, part)
			}
		}
		if opt.BlockSize == 0 && len(borders)-1 < 30 {
			t.Errorf("default block: %d parts, want about 10 per slot", len(borders)-1)
		}
	}
	if _, _, err := FileParts("/dev/stdin", Options{}, 1); err == nil && !isRegular("/dev/stdin") {
		t.Error("FileParts accepted a stream")
	}
	if _, _, err := FileParts(filepath.Join(dir, "missing"), Options{}, 1); err == nil {
		t.Error("FileParts accepted a missing file")
	}
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, nil, 0o644)
	if _, borders, err := FileParts(empty, Options{}, 1); err != nil || len(borders) != 1 {
		t.Errorf("empty file: borders %v, %v; want no part", borders, err)
	}
}

func isRegular(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

// A job handed its first block but never started (the pool stopped as it
// was fetched) gives the block back, in input order, to the running jobs.
func TestRobinDealerReturnsUnstartedBlocks(t *testing.T) {
	d := newDealer(context.Background(), func() int { return 3 }, func([]byte) {})
	for _, b := range []string{"a\n", "b\n", "c\n", "d\n"} {
		d.queue = append(d.queue, &blockReader{body: []byte(b)})
	}
	d.eof = true
	_, first, err := d.nextJob()
	if err != nil {
		t.Fatal(err)
	}
	d.nextJob()
	d.nextJob()
	d.Started(first)
	d.StopStarting() // the second and third never start
	if _, _, err := d.nextJob(); err != io.EOF {
		t.Errorf("nextJob after stopStarting: %v, want io.EOF", err)
	}
	got, err := io.ReadAll(first)
	if err != nil || string(got) != "a\nb\nc\nd\n" {
		t.Errorf("the running job read %q, %v; want every block", got, err)
	}
}

func TestBlockReaderSeek(t *testing.T) {
	// A retried job reads its block again from the start.
	r := &blockReader{head: []byte("h\n"), body: []byte("a\nb\n")}
	first, _ := io.ReadAll(r)
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	r.WriteTo(&again)
	if string(first) != "h\na\nb\n" || again.String() != string(first) {
		t.Errorf("first read %q, second %q", first, again.String())
	}
}

func TestPipeBlockTimeout(t *testing.T) {
	// A slow writer: the first lines come at once, the rest much later.
	pr, pw := io.Pipe()
	go func() {
		pw.Write([]byte("a\nb\nc"))
		time.Sleep(time.Second)
		pw.Write([]byte("\nd\n"))
		pw.Close()
	}()
	start := time.Now()
	sp, err := NewBlockSplitter(pr, Options{BlockSize: 1 << 20, BlockTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	first, err := sp.Next()
	if err != nil || string(first) != "a\nb\n" {
		t.Fatalf("first block %q, %v; want the lines read before the timeout", first, err)
	}
	if waited := time.Since(start); waited > 700*time.Millisecond {
		t.Errorf("first block came after %v, not at the timeout", waited)
	}
	if rest := drain(t, sp); strings.Join(rest, "") != "c\nd\n" {
		t.Errorf("rest %q, want the rest of the input", rest)
	}
}

// FuzzFileParts: the parts of any file, for any block size and separator,
// put back together (after the header) are the file, and every border but
// the last is a record border.
func FuzzFileParts(f *testing.F) {
	f.Add("1\n2\n3\n", uint16(1), "\n", "")
	f.Add(">a\nx\n>b\n", uint16(2), "", ">")
	f.Add("a\r\nb\r\nc", uint16(3), "\r\n", "")
	path := filepath.Join(f.TempDir(), "f")
	f.Fuzz(func(t *testing.T, in string, bs uint16, recEnd, recStart string) {
		if err := os.WriteFile(path, []byte(in), 0o644); err != nil {
			t.Fatal(err)
		}
		opt := Options{BlockSize: int64(bs%64) + 1, RecEnd: recEnd, RecStart: recStart}
		_, borders, err := FileParts(path, opt, 2)
		if err != nil {
			t.Fatal(err)
		}
		if borders[0] != 0 || borders[len(borders)-1] != int64(len(in)) {
			t.Fatalf("borders %v do not span %d bytes", borders, len(in))
		}
		end, start := recEnd, recStart
		if end == "" && start == "" {
			end = "\n"
		}
		for i := 1; i < len(borders)-1; i++ {
			b := borders[i]
			if b <= borders[i-1] || !strings.HasSuffix(in[:b], end) || !strings.HasPrefix(in[b:], start) {
				t.Fatalf("border %d at %d of %q is not a record border (%v)", i, b, in, borders)
			}
		}
	})
}
