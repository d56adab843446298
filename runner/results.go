package runner

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// resultsKind is the form --results takes, chosen by its name.
type resultsKind int

const (
	resultsDir   resultsKind = iota // DIR/1/VALUE/stdout, or NAME{} files
	resultsCSV                      // FILE.csv, FILE.tsv
	resultsJSON                     // FILE.json: GNU's one object per line
	resultsJSONL                    // FILE.jsonl: parx's richer records
)

// results saves each job's output as --results NAME asks. Its methods are
// called by one goroutine at a time.
type results struct {
	kind   resultsKind
	name   string
	tmpl   *Template      // NAME parsed for replacement strings (kind resultsDir)
	header map[int]string // column names from --header, by 1-based column
	sep    byte           // field separator of resultsCSV

	f          *os.File // the results file, nil when it is stdout
	w          *bufio.Writer
	headerDone bool
}

// kindOfResults tells the form of --results name from its suffix.
func kindOfResults(name string) resultsKind {
	lower := strings.ToLower(name)
	switch {
	case strings.HasSuffix(lower, ".csv"), strings.HasSuffix(lower, ".tsv"):
		return resultsCSV
	case strings.HasSuffix(lower, ".jsonl"):
		return resultsJSONL
	case strings.HasSuffix(lower, ".json"):
		return resultsJSON
	}
	return resultsDir
}

// newResults prepares --results name: it creates the results file, or the
// top directory, at once so that an unwritable name stops the run before any
// job runs. A name of "-.csv", "-.tsv", "-.json" or "-.jsonl" writes the
// file on stdout.
func newResults(name string, topt TemplateOptions, stdout io.Writer) (*results, error) {
	r := &results{name: name, header: map[int]string{}, kind: kindOfResults(name), sep: ','}
	for n, i := range topt.Header {
		r.header[i] = n
	}
	if strings.HasSuffix(strings.ToLower(name), ".tsv") {
		r.sep = '\t'
	}
	if r.kind != resultsDir {
		var out io.Writer = stdout
		if !strings.HasPrefix(name, "-.") {
			f, err := os.Create(name)
			if err != nil {
				return nil, fmt.Errorf("--results: %w", err)
			}
			r.f, out = f, f
		}
		r.w = bufio.NewWriterSize(out, 64<<10)
		return r, nil
	}
	t, err := ParseTemplate([]string{name}, TemplateOptions{Replace: topt.Replace, Header: topt.Header, NoAppend: true, ForceShell: true})
	if err != nil {
		return nil, fmt.Errorf("--results: %w", err)
	}
	if t.HasReplacement() {
		r.tmpl = t
		// The directories before the first replacement string are the
		// same for every job: make them now, so that an unwritable name
		// stops the run before any job runs rather than part way.
		if dir := filepath.Dir(t.LiteralPrefix() + "x"); dir != "." {
			if err := os.MkdirAll(dir, 0o777); err != nil {
				return nil, fmt.Errorf("--results: %w", err)
			}
			if err := checkWritableDir(dir); err != nil {
				return nil, fmt.Errorf("--results: %w", err)
			}
		}
		return r, nil
	}
	if err := os.MkdirAll(name, 0o777); err != nil {
		return nil, fmt.Errorf("--results: %w", err)
	}
	if err := checkWritableDir(name); err != nil {
		return nil, fmt.Errorf("--results: %w", err)
	}
	return r, nil
}

// checkWritableDir makes sure files can be created in dir.
func checkWritableDir(dir string) error {
	f, err := os.CreateTemp(dir, ".parx-check-*")
	if err != nil {
		return err
	}
	f.Close()
	return os.Remove(f.Name())
}

// toFiles reports whether output goes to files per job, as the job runs.
func (r *results) toFiles() bool { return r.kind == resultsDir }

// paths returns where a job's stdout, stderr and seq go (kind resultsDir),
// making the directories they need.
func (r *results) paths(job *Job) (stdout, stderr, seq string, err error) {
	if r.tmpl != nil {
		// Values are data: escaped, they cannot add or climb directory
		// levels, so every file stays under the name's own directories.
		out := r.tmpl.ExpandWith(&Args{Records: job.Args, Seq: job.Seq}, resultsName)
		if filepath.IsAbs(out) && !filepath.IsAbs(r.name) {
			out = "./" + out // an empty value first ({}/): not the root
		}
		if strings.HasSuffix(out, "/") {
			if err := os.MkdirAll(out, 0o777); err != nil {
				return "", "", "", err
			}
			return out + "stdout", out + "stderr", out + "seq", nil
		}
		if dir := filepath.Dir(out); dir != "." {
			if err := os.MkdirAll(dir, 0o777); err != nil {
				return "", "", "", err
			}
		}
		return out, out + ".err", out + ".seq", nil
	}
	dir := filepath.Join(r.name, r.argsAsDir(job.Args))
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return "", "", "", err
	}
	dir += "/"
	return dir + "stdout", dir + "stderr", dir + "seq", nil
}

// maxNameLen is the longest file name most file systems take.
const maxNameLen = 255

// argsAsDir is GNU's args_as_dirname: for each record, for each column in
// the order of its name (column number without --header), the name and the
// value, escaped by resultsName.
func (r *results) argsAsDir(records [][]string) string {
	var parts []string
	for _, rec := range records {
		cols := make([]int, len(rec))
		for i := range rec {
			cols[i] = i + 1
		}
		name := func(c int) string {
			if n, ok := r.header[c]; ok {
				return n
			}
			return strconv.Itoa(c)
		}
		sortColumns(cols, name)
		for _, c := range cols {
			v := resultsName(rec[c-1])
			if len(v) > maxNameLen {
				v = v[:maxNameLen]
			}
			parts = append(parts, name(c), v)
		}
	}
	return strings.Join(parts, "/")
}

// nameEscaper writes \ TAB NUL and / as \\ \t \0 \_, as GNU parallel's
// args_as_dirname does.
var nameEscaper = strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\x00", `\0`, "/", `\_`)

// resultsName is a value as a --results file or directory name holds it:
// escaped by nameEscaper, so that it never holds a /, and with a whole
// value of . or .. written as \. or \.\. (parx only), so that it never
// names the directory it is in or the one above. The escaping can be
// undone: every \ it writes starts a pair.
func resultsName(v string) string {
	switch v {
	case ".":
		return `\.`
	case "..":
		return `\.\.`
	}
	return nameEscaper.Replace(v)
}

// sortColumns orders columns as GNU does: by name as a number (a name that
// is not a number counts as 0), then as a string.
func sortColumns(cols []int, name func(int) string) {
	num := func(s string) float64 {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return 0
		}
		return f
	}
	less := func(a, b int) bool {
		na, nb := num(name(a)), num(name(b))
		if na != nb {
			return na < nb
		}
		return name(a) < name(b)
	}
	for i := 1; i < len(cols); i++ { // few columns: insertion sort, stable
		for j := i; j > 0 && less(cols[j], cols[j-1]); j-- {
			cols[j], cols[j-1] = cols[j-1], cols[j]
		}
	}
}

// open creates a job's files (kind resultsDir) and writes its seq file.
func (r *results) open(job *Job) (stdout, stderr *os.File, err error) {
	outName, errName, seqName, err := r.paths(job)
	if err != nil {
		return nil, nil, fmt.Errorf("--results: %w", err)
	}
	if err := os.WriteFile(seqName, []byte(strconv.FormatInt(job.Seq, 10)), 0o666); err != nil {
		return nil, nil, fmt.Errorf("--results: %w", err)
	}
	if stdout, err = os.Create(outName); err != nil {
		return nil, nil, fmt.Errorf("--results: %w", err)
	}
	if stderr, err = os.Create(errName); err != nil {
		stdout.Close()
		return nil, nil, fmt.Errorf("--results: %w", err)
	}
	return stdout, stderr, nil
}

// write adds one finished job to the results file.
func (r *results) write(res *Result) error {
	var err error
	switch r.kind {
	case resultsCSV:
		err = r.writeCSV(res)
	case resultsJSON:
		err = r.writeJSON(res)
	case resultsJSONL:
		err = r.writeJSONL(res)
	default:
		return nil
	}
	if err == nil {
		err = r.w.Flush()
	}
	if err != nil {
		return fmt.Errorf("--results %s: %w", r.name, err)
	}
	return nil
}

// Close finishes the results file.
func (r *results) Close() error {
	if r.w == nil {
		return nil
	}
	err := r.w.Flush()
	if r.f != nil {
		if cerr := r.f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("--results %s: %w", r.name, err)
	}
	return nil
}

func flatArgs(records [][]string) []string {
	var vs []string
	for _, rec := range records {
		vs = append(vs, rec...)
	}
	return vs
}

// command is the job's command line as a shell would run it.
func command(job *Job) string {
	if job.Line != "" || len(job.Argv) == 0 {
		return job.Line
	}
	words := make([]string, len(job.Argv))
	for i, a := range job.Argv {
		words[i] = ShellQuote(a)
	}
	return strings.Join(words, " ")
}

// gnuExit and gnuTimes are the Exitval, Starttime and JobRuntime columns
// as GNU writes them.
func gnuExit(res *Result) int {
	if res.Signal != 0 || res.ExitCode < 0 {
		return 0
	}
	return res.ExitCode
}

func gnuSeconds(t time.Time) string {
	return strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', 3, 64)
}

// writeCSV writes GNU's CSV or TSV: a header, then one record per job.
func (r *results) writeCSV(res *Result) error {
	vs := flatArgs(res.Job.Args)
	if !r.headerDone {
		cols := []string{"Seq", "Host", "Starttime", "JobRuntime", "Send", "Receive", "Exitval", "Signal", "Command"}
		for i := range vs {
			if n, ok := r.header[i+1]; ok {
				cols = append(cols, n)
			} else {
				cols = append(cols, "V"+strconv.Itoa(i+1))
			}
		}
		cols = append(cols, "Stdout", "Stderr")
		for i, c := range cols {
			r.csvField(i, strings.NewReader(c), int64(len(c)))
		}
		r.w.WriteByte('\n')
		r.headerDone = true
	}
	fields := []string{
		strconv.FormatInt(res.Job.Seq, 10), ":", gnuSeconds(res.Start),
		fmt.Sprintf("%.3f", res.Runtime.Seconds()), "0", strconv.FormatInt(res.Stdout.Len(), 10),
		strconv.Itoa(gnuExit(res)), strconv.Itoa(int(res.Signal)), command(res.Job),
	}
	fields = append(fields, vs...)
	for i, f := range fields {
		r.csvField(i, strings.NewReader(f), int64(len(f)))
	}
	for i, b := range []*Buffer{res.Stdout, res.Stderr} {
		if err := r.csvBuffer(len(fields)+i, b); err != nil {
			return err
		}
	}
	return r.w.WriteByte('\n')
}

// csvField writes field i, quoted as GNU quotes (when it holds a quote,
// white space, the separator or NUL), from src of size n; src is read twice,
// so it must be seekable.
func (r *results) csvField(i int, src io.ReadSeeker, n int64) error {
	if i > 0 {
		r.w.WriteByte(r.sep)
	}
	quote := false
	buf := make([]byte, 32<<10)
	for !quote {
		k, err := src.Read(buf)
		if bytes.ContainsAny(buf[:k], "\" \t\n\r\f\v\x00") || bytes.IndexByte(buf[:k], r.sep) >= 0 {
			quote = true
		}
		if err == io.EOF || k == 0 {
			break
		}
		if err != nil {
			return err
		}
	}
	if _, err := src.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if !quote {
		_, err := io.Copy(r.w, src)
		return err
	}
	r.w.WriteByte('"')
	if _, err := io.Copy(&replaceWriter{w: r.w, old: '"', new: `""`}, src); err != nil {
		return err
	}
	return r.w.WriteByte('"')
}

func (r *results) csvBuffer(i int, b *Buffer) error {
	rs, err := b.reader()
	if err != nil {
		return err
	}
	return r.csvField(i, rs, b.Len())
}

// replaceWriter writes what it is given with every byte old replaced by new.
type replaceWriter struct {
	w   *bufio.Writer
	old byte
	new string
}

func (rw *replaceWriter) Write(p []byte) (int, error) {
	n := len(p)
	for {
		i := bytes.IndexByte(p, rw.old)
		if i < 0 {
			rw.w.Write(p)
			return n, nil
		}
		rw.w.Write(p[:i])
		rw.w.WriteString(rw.new)
		p = p[i+1:]
	}
}

// jsonWriter escapes what it is given for the inside of a JSON string:
// backslash, double quote and control characters. With gnu set it writes
// every control character as \u00XX, as GNU's jsonquote does; otherwise it
// uses \n \t \r as encoding/json does. Other bytes pass as they are.
type jsonWriter struct {
	w   *bufio.Writer
	gnu bool
}

func (j jsonWriter) Write(p []byte) (int, error) {
	for _, c := range p {
		switch {
		case c == '\\':
			j.w.WriteString(`\\`)
		case c == '"':
			j.w.WriteString(`\"`)
		case c == '\n' && !j.gnu:
			j.w.WriteString(`\n`)
		case c == '\t' && !j.gnu:
			j.w.WriteString(`\t`)
		case c == '\r' && !j.gnu:
			j.w.WriteString(`\r`)
		case c < 0x20:
			fmt.Fprintf(j.w, `\u%04x`, c)
		default:
			j.w.WriteByte(c)
		}
	}
	return len(p), nil
}

// writeJSON writes GNU's JSON: one object per job, per line.
func (r *results) writeJSON(res *Result) error {
	w := r.w
	q := jsonWriter{w: w, gnu: true}
	fmt.Fprintf(w, `{ "Seq": %d, "Host": ":", "Starttime": %s, "JobRuntime": %.3f, "Send": 0, "Receive": %d, "Exitval": %d, "Signal": %d, "Command": "`,
		res.Job.Seq, gnuSeconds(res.Start), res.Runtime.Seconds(), res.Stdout.Len(), gnuExit(res), res.Signal)
	io.WriteString(q, command(res.Job))
	w.WriteString(`", "V": [ `)
	for i, v := range flatArgs(res.Job.Args) {
		if i > 0 {
			w.WriteByte(',')
		}
		w.WriteByte('"')
		io.WriteString(q, v)
		w.WriteByte('"')
	}
	w.WriteString(` ], "Stdout": "`)
	if _, err := res.Stdout.WriteTo(q); err != nil {
		return err
	}
	w.WriteString(`", "Stderr": "`)
	if _, err := res.Stderr.WriteTo(q); err != nil {
		return err
	}
	_, err := w.WriteString("\" }\n")
	return err
}

// JSONLRecord is one line of --results FILE.jsonl: everything known about
// a finished job, for programs that read parx's results (decode each line
// into one). Output that is not valid UTF-8 is given in base64, in
// StdoutBase64 or StderrBase64, instead of Stdout or Stderr. The zero value
// describes no job.
type JSONLRecord struct {
	Seq          int64     `json:"seq"`
	Args         []string  `json:"args"`
	Command      string    `json:"command"`
	Exit         int       `json:"exit"`   // -1 if a signal killed the job
	Signal       int       `json:"signal"` // 0 if it exited
	Start        time.Time `json:"start"`
	Runtime      float64   `json:"runtime"` // seconds
	User         float64   `json:"user"`    // CPU seconds in user mode
	System       float64   `json:"system"`  // CPU seconds in the kernel
	MaxRSS       int64     `json:"maxrss"`  // peak resident set, bytes
	Stdout       *string   `json:"stdout,omitempty"`
	StdoutBase64 []byte    `json:"stdout_base64,omitempty"`
	Stderr       *string   `json:"stderr,omitempty"`
	StderrBase64 []byte    `json:"stderr_base64,omitempty"`
}

// writeJSONL writes one JSONLRecord. The output fields are streamed from
// the job's Buffers, never held in memory whole.
func (r *results) writeJSONL(res *Result) error {
	args := flatArgs(res.Job.Args)
	if args == nil {
		args = []string{}
	}
	rec := JSONLRecord{
		Seq: res.Job.Seq, Args: args, Command: command(res.Job), Exit: res.ExitCode,
		Signal: int(res.Signal), Start: res.Start, Runtime: res.Runtime.Seconds(),
		User: res.UserTime.Seconds(), System: res.SysTime.Seconds(), MaxRSS: res.MaxRSS,
	}
	var head bytes.Buffer
	enc := json.NewEncoder(&head)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rec); err != nil {
		return err
	}
	r.w.Write(bytes.TrimRight(head.Bytes(), "}\n")) // without its closing brace
	for _, s := range []struct {
		name string
		b    *Buffer
	}{{"stdout", res.Stdout}, {"stderr", res.Stderr}} {
		valid, err := s.b.validUTF8()
		if err != nil {
			return err
		}
		if !valid {
			fmt.Fprintf(r.w, `,"%s_base64":"`, s.name)
			enc := base64.NewEncoder(base64.StdEncoding, r.w)
			if _, err := s.b.WriteTo(enc); err != nil {
				return err
			}
			enc.Close()
			r.w.WriteByte('"')
			continue
		}
		fmt.Fprintf(r.w, `,"%s":"`, s.name)
		if _, err := s.b.WriteTo(jsonWriter{w: r.w}); err != nil {
			return err
		}
		r.w.WriteByte('"')
	}
	_, err := r.w.WriteString("}\n")
	return err
}

// validUTF8 reports whether the buffer holds valid UTF-8, reading a spill
// file in pieces.
func (b *Buffer) validUTF8() (bool, error) {
	v := &utf8Checker{valid: true}
	if _, err := b.WriteTo(v); err != nil {
		return false, err
	}
	return v.valid && len(v.carry) == 0, nil
}

// utf8Checker checks a stream for valid UTF-8, across write boundaries.
type utf8Checker struct {
	carry []byte
	valid bool
}

func (u *utf8Checker) Write(p []byte) (int, error) {
	n := len(p)
	if !u.valid {
		return n, nil
	}
	if len(u.carry) > 0 {
		need := append(u.carry, p[:min(len(p), utf8.UTFMax)]...)
		r, size := utf8.DecodeRune(need)
		if r == utf8.RuneError && size <= 1 {
			if len(need) < utf8.UTFMax && !utf8.FullRune(need) {
				u.carry = need
				return n, nil
			}
			u.valid = false
			return n, nil
		}
		p = p[size-len(u.carry):]
		u.carry = nil
	}
	// Keep an incomplete rune at the end for the next write.
	end := len(p)
	for i := len(p) - 1; i >= 0 && i >= len(p)-utf8.UTFMax; i-- {
		if utf8.RuneStart(p[i]) {
			if !utf8.FullRune(p[i:]) {
				end = i
			}
			break
		}
	}
	if !utf8.Valid(p[:end]) {
		u.valid = false
		return n, nil
	}
	u.carry = append([]byte(nil), p[end:]...)
	return n, nil
}
