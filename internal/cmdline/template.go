package cmdline

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mattn/go-shellwords"
)

// ReplaceStrings names the replacement strings a template recognises. An
// empty field means GNU parallel's default for it; the zero value is the
// defaults: {} {.} {/} {//} {/.} {#} {%}.
type ReplaceStrings struct {
	Value     string // -I: the whole argument, default "{}"
	NoExt     string // --er: the argument without extension, default "{.}"
	Base      string // --bnr: the basename, default "{/}"
	Dir       string // --dnr: the dirname, default "{//}"
	BaseNoExt string // --bner: the basename without extension, default "{/.}"
	Seq       string // --seqreplace: the job's sequence number, default "{#}"
	Slot      string // --slotreplace: the job slot, default "{%}"
}

func (r ReplaceStrings) withDefaults() ReplaceStrings {
	def := func(s *string, d string) {
		if *s == "" {
			*s = d
		}
	}
	def(&r.Value, "{}")
	def(&r.NoExt, "{.}")
	def(&r.Base, "{/}")
	def(&r.Dir, "{//}")
	def(&r.BaseNoExt, "{/.}")
	def(&r.Seq, "{#}")
	def(&r.Slot, "{%}")
	return r
}

// transform is what a replacement string does to an argument.
type transform uint8

const (
	trNone      transform = iota // {}
	trNoExt                      // {.}
	trBase                       // {/}
	trDir                        // {//}
	trBaseNoExt                  // {/.}
)

func (t transform) apply(s string) string {
	switch t {
	case trNoExt:
		return removeExt(s)
	case trBase:
		return basename(s)
	case trDir:
		return dirname(s)
	case trBaseNoExt:
		return removeExt(basename(s))
	}
	return s
}

// removeExt removes a final ".ext" whose ext holds no dot or slash, like
// GNU's s:\.[^/.]*$::.
func removeExt(s string) string {
	for i := len(s) - 1; i >= 0; i-- {
		switch s[i] {
		case '/':
			return s
		case '.':
			return s[:i]
		}
	}
	return s
}

// basename removes everything up to the last slash, like GNU's s:^.*/::
// (so "dir/" gives "", unlike basename(1)).
func basename(s string) string {
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// dirname follows POSIX dirname(1), which is what GNU's {//} gives.
func dirname(s string) string {
	if s == "" {
		return "."
	}
	t := strings.TrimRight(s, "/")
	if t == "" {
		return "/"
	}
	i := strings.LastIndexByte(t, '/')
	if i < 0 {
		return "."
	}
	t = strings.TrimRight(t[:i], "/")
	if t == "" {
		return "/"
	}
	return t
}

type fieldKind uint8

const (
	fkAll  fieldKind = iota // every argument of the job ({}, {.}, …)
	fkPos                   // one positional argument ({1}, {-1}, {name})
	fkSeq                   // {#}
	fkSlot                  // {%}
)

// segment is a piece of a template: literal text, or a replacement field.
type segment struct {
	lit   string
	field bool
	kind  fieldKind
	pos   int // fkPos: 1-based; negative counts from the end
	tr    transform
}

// rawWord is a whitespace-delimited run of the template text, with the
// whitespace that follows it. Context replacement (-X, -N) repeats whole raw
// words, as GNU repeats \S*{}\S*.
type rawWord struct {
	segs   []segment
	sep    string
	hasAll bool
}

// Template is a command line parsed once into literal text and replacement
// fields; expanding it for a job is then a cheap walk. Create one with
// ParseTemplate; the zero value is an empty command.
type Template struct {
	raw     []rawWord   // the template text, for the shell line
	argv    [][]segment // the words, when the command can be run without a shell
	direct  bool
	hasRepl bool
	quoted  bool // -q: argv is the words as given
	context bool
}

// TemplateOptions controls how ParseTemplate reads a command. The zero value
// parses GNU parallel's default replacement strings, appends " {}" when the
// command has none, and runs commands without a shell when it can.
type TemplateOptions struct {
	Replace ReplaceStrings
	// Quote is -q: each word is one argument of the command, never
	// re-split or interpreted by a shell.
	Quote bool
	// Context is -X/-N/-L: a word holding {} is repeated for each argument.
	Context bool
	// Header maps column names (from --header) to 1-based positions for {name}.
	Header map[string]int
	// Literal treats the text as a finished command line with no replacement
	// strings (no-command mode, where each input line is a command).
	Literal bool
	// ForceShell always runs the command with a shell; tests use it to
	// check that both paths agree.
	ForceShell bool
	// NoAppend stops " {}" being appended to a command without replacement
	// strings.
	NoAppend bool
}

// ErrPerlExpression is returned for {= perl expression =} replacement strings,
// which parx does not implement.
var ErrPerlExpression = errors.New("perl expressions {= ... =} are not supported")

// ParseTemplate parses the command words (as given on the command line) into
// a Template. Without Quote the words are joined with spaces and re-read as a
// shell command line, as GNU parallel does.
func ParseTemplate(words []string, opt TemplateOptions) (*Template, error) {
	t := &Template{quoted: opt.Quote, context: opt.Context}
	rs := opt.Replace.withDefaults()
	if opt.Quote {
		for _, w := range words {
			segs, err := parseSegments(w, rs, opt)
			if err != nil {
				return nil, err
			}
			t.argv = append(t.argv, segs)
			t.raw = append(t.raw, rawWord{segs: segs, sep: " ", hasAll: hasAllField(segs)})
			if hasField(segs) {
				t.hasRepl = true
			}
		}
		if len(t.raw) > 0 {
			t.raw[len(t.raw)-1].sep = ""
		}
		if !t.hasRepl && !opt.NoAppend && !opt.Literal {
			segs := []segment{{field: true, kind: fkAll}}
			t.argv = append(t.argv, segs)
			if len(t.raw) > 0 {
				t.raw[len(t.raw)-1].sep = " "
			}
			t.raw = append(t.raw, rawWord{segs: segs, hasAll: true})
			t.hasRepl = true
		}
		t.direct = true
		return t, nil
	}

	text := strings.Join(words, " ")
	segs, err := parseSegments(text, rs, opt)
	if err != nil {
		return nil, err
	}
	t.hasRepl = hasField(segs)
	if !t.hasRepl && !opt.NoAppend && !opt.Literal {
		segs = append(segs, segment{lit: " "}, segment{field: true, kind: fkAll})
		t.hasRepl = true
	}
	t.raw = splitRaw(segs)
	if !opt.ForceShell {
		t.argv, t.direct = directWords(segs)
	}
	return t, nil
}

func hasField(segs []segment) bool {
	for _, s := range segs {
		if s.field {
			return true
		}
	}
	return false
}

func hasAllField(segs []segment) bool {
	for _, s := range segs {
		if s.field && s.kind == fkAll {
			return true
		}
	}
	return false
}

// Direct reports whether jobs run without a shell.
func (t *Template) Direct() bool { return t.direct }

// UsesSlot reports whether the command holds {%}, so that the same job
// may give a different command line in another run.
func (t *Template) UsesSlot() bool {
	for _, w := range t.raw {
		for _, s := range w.segs {
			if s.field && s.kind == fkSlot {
				return true
			}
		}
	}
	return false
}

// HasReplacement reports whether the command holds a replacement string
// (counting the " {}" that ParseTemplate appends).
func (t *Template) HasReplacement() bool { return t.hasRepl }

type token struct {
	text string
	seg  segment
}

// parseSegments splits text into literal runs and replacement fields.
func parseSegments(text string, rs ReplaceStrings, opt TemplateOptions) ([]segment, error) {
	if opt.Literal {
		return []segment{{lit: text}}, nil
	}
	toks := []token{
		{rs.Value, segment{field: true, kind: fkAll, tr: trNone}},
		{rs.NoExt, segment{field: true, kind: fkAll, tr: trNoExt}},
		{rs.Base, segment{field: true, kind: fkAll, tr: trBase}},
		{rs.Dir, segment{field: true, kind: fkAll, tr: trDir}},
		{rs.BaseNoExt, segment{field: true, kind: fkAll, tr: trBaseNoExt}},
		{rs.Seq, segment{field: true, kind: fkSeq}},
		{rs.Slot, segment{field: true, kind: fkSlot}},
	}
	// Longest first, so that {//} is not read as {/} and so on.
	sort.SliceStable(toks, func(i, j int) bool { return len(toks[i].text) > len(toks[j].text) })

	var segs []segment
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			segs = append(segs, segment{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(text); {
		if strings.HasPrefix(text[i:], "{=") && strings.Contains(text[i+2:], "=}") {
			return nil, ErrPerlExpression
		}
		matched := false
		for _, tk := range toks {
			if tk.text != "" && strings.HasPrefix(text[i:], tk.text) {
				flush()
				segs = append(segs, tk.seg)
				i += len(tk.text)
				matched = true
				break
			}
		}
		if matched {
			continue
		}
		if text[i] == '{' {
			if seg, n, ok := parsePositional(text[i:], opt.Header); ok {
				flush()
				segs = append(segs, seg)
				i += n
				continue
			}
		}
		lit.WriteByte(text[i])
		i++
	}
	flush()
	return segs, nil
}

// parsePositional reads {n}, {-n}, {n.}, {n/}, {n//}, {n/.} or {name} at the
// start of s.
func parsePositional(s string, header map[string]int) (segment, int, bool) {
	end := strings.IndexByte(s, '}')
	if end < 2 {
		return segment{}, 0, false
	}
	body := s[1:end]
	digits := 0
	if body[0] == '-' {
		digits = 1
	}
	for digits < len(body) && body[digits] >= '0' && body[digits] <= '9' {
		digits++
	}
	numEnd := digits
	var pos int
	if numEnd > 0 && !(numEnd == 1 && body[0] == '-') {
		n, err := strconv.Atoi(body[:numEnd])
		if err != nil || n == 0 {
			return segment{}, 0, false
		}
		pos = n
	} else if header != nil {
		// {name} or {name.} etc.: the longest header name that fits.
		best := ""
		for name := range header {
			if strings.HasPrefix(body, name) && len(name) > len(best) {
				best = name
			}
		}
		if best == "" {
			return segment{}, 0, false
		}
		pos = header[best]
		numEnd = len(best)
	} else {
		return segment{}, 0, false
	}
	var tr transform
	switch body[numEnd:] {
	case "":
		tr = trNone
	case ".":
		tr = trNoExt
	case "/":
		tr = trBase
	case "//":
		tr = trDir
	case "/.":
		tr = trBaseNoExt
	default:
		return segment{}, 0, false
	}
	return segment{field: true, kind: fkPos, pos: pos, tr: tr}, end + 1, true
}

// splitRaw cuts the segments into whitespace-delimited raw words.
func splitRaw(segs []segment) []rawWord {
	var words []rawWord
	var cur rawWord
	inSep := false
	push := func() {
		if len(cur.segs) > 0 || cur.sep != "" {
			words = append(words, cur)
		}
		cur = rawWord{}
	}
	for _, s := range segs {
		if s.field {
			if inSep {
				push()
				inSep = false
			}
			cur.segs = append(cur.segs, s)
			if s.kind == fkAll {
				cur.hasAll = true
			}
			continue
		}
		text := s.lit
		for len(text) > 0 {
			if inSep {
				n := leadingSpace(text)
				cur.sep += text[:n]
				text = text[n:]
				if len(text) > 0 {
					push()
					inSep = false
				}
				continue
			}
			i := strings.IndexAny(text, " \t\n")
			if i < 0 {
				cur.segs = append(cur.segs, segment{lit: text})
				break
			}
			if i > 0 {
				cur.segs = append(cur.segs, segment{lit: text[:i]})
			}
			inSep = true
			text = text[i:]
		}
	}
	push()
	return words
}

func leadingSpace(s string) int {
	n := 0
	for n < len(s) && (s[n] == ' ' || s[n] == '\t' || s[n] == '\n') {
		n++
	}
	return n
}

// placeholder stands for field i while the literal text is split into
// words; runes from the private use area do not occur in commands.
func placeholder(i int) string { return string(rune(0xF0000 + i)) }

// directWords decides whether the command can run without a shell and, if
// so, splits it into argv words. It refuses anything a shell would treat
// specially, so that running the words directly means exactly what sh -c
// would mean.
func directWords(segs []segment) ([][]segment, bool) {
	var b strings.Builder
	var fields []segment
	for _, s := range segs {
		if s.field {
			b.WriteString(placeholder(len(fields)))
			fields = append(fields, s)
			continue
		}
		b.WriteString(s.lit)
	}
	line := b.String()
	if strings.ContainsFunc(line, func(r rune) bool { return r >= 0xF0000 && int(r-0xF0000) >= len(fields) }) {
		return nil, false // the command itself holds such runes: leave it to a shell
	}
	if needsShell(line) || !utf8.ValidString(line) {
		// (go-shellwords reads runes, so invalid UTF-8 in the command
		// itself is left to the shell, which keeps bytes as they are.)
		return nil, false
	}
	p := shellwords.NewParser()
	words, err := p.Parse(line)
	if err != nil || len(words) == 0 {
		return nil, false
	}
	if isShellWord(words[0]) || strings.ContainsRune(words[0], '=') {
		return nil, false
	}
	out := make([][]segment, 0, len(words))
	for _, w := range words {
		var ws []segment
		var lit strings.Builder
		for _, r := range w {
			if r >= 0xF0000 && int(r-0xF0000) < len(fields) {
				if lit.Len() > 0 {
					ws = append(ws, segment{lit: lit.String()})
					lit.Reset()
				}
				ws = append(ws, fields[r-0xF0000])
				continue
			}
			lit.WriteRune(r)
		}
		if lit.Len() > 0 {
			ws = append(ws, segment{lit: lit.String()})
		}
		out = append(out, ws)
	}
	return out, true
}

// needsShell reports whether a command line (with fields already replaced by
// placeholders) holds anything a shell would interpret: operators,
// expansions, globs, comments, escapes, or a replacement field inside quotes
// (GNU pastes a quoted value inside the user's quotes; only a shell gives
// that the same meaning).
func needsShell(line string) bool {
	quote := byte(0)
	wordStart := true
	for i := 0; i < len(line); i++ {
		c := line[i]
		if quote != 0 {
			switch {
			case c == quote:
				quote = 0
			case c == 0xF3 && i+1 < len(line) && line[i+1] >= 0xB0: // a placeholder (U+F0000…)
				return true
			case quote == '"' && (c == '$' || c == '`' || c == '\\'):
				return true
			}
			continue
		}
		switch c {
		case '\'', '"':
			quote = c
		case '|', '&', ';', '<', '>', '(', ')', '$', '`', '\\', '*', '?', '[', ']', '{', '}', '~', '\n':
			return true
		case '\r':
			return true // a word character to sh, a separator to go-shellwords
		case '#', '!':
			if wordStart {
				return true
			}
		}
		wordStart = c == ' ' || c == '\t'
	}
	return quote != 0
}

// isShellWord reports whether a command name is a shell keyword or a builtin
// that has no program of its own (or behaves differently from it).
func isShellWord(w string) bool {
	switch w {
	case "if", "then", "else", "elif", "fi", "case", "esac", "for", "while", "until",
		"do", "done", "function", "select", "time", "coproc", "{", "}", "[[", "]]", "!",
		".", ":", "source", "eval", "exec", "exit", "export", "readonly", "return", "set",
		"shift", "times", "trap", "unset", "cd", "alias", "unalias", "ulimit", "umask",
		"wait", "jobs", "fg", "bg", "read", "getopts", "command", "builtin", "local",
		"declare", "typeset", "let", "hash", "type", "break", "continue", "pushd", "popd",
		"dirs", "shopt", "enable", "history", "disown", "suspend", "logout", "mapfile",
		"readarray", "bind", "caller", "compgen", "complete", "fc", "help":
		return true
	}
	return false
}

// Args is what a template is expanded with: the job's arguments, grouped by
// input record (one value per input source or column), and its numbers.
type Args struct {
	Records [][]string
	Seq     int64
	Slot    int
}

func (a *Args) flatLen() int {
	n := 0
	for _, r := range a.Records {
		n += len(r)
	}
	return n
}

func (a *Args) flat(i int) (string, bool) {
	if i < 0 {
		i += a.flatLen()
		if i < 0 {
			return "", false
		}
	}
	for _, r := range a.Records {
		if i < len(r) {
			return r[i], true
		}
		i -= len(r)
	}
	return "", false
}

// values appends the values a field stands for. rec is the record a
// context-replaced word is being repeated for, or -1 for all of them.
func (s *segment) values(dst []string, a *Args, rec int) []string {
	switch s.kind {
	case fkSeq:
		return append(dst, strconv.FormatInt(a.Seq, 10))
	case fkSlot:
		return append(dst, strconv.Itoa(a.Slot))
	case fkPos:
		idx := s.pos - 1
		if s.pos < 0 {
			idx = s.pos
		}
		if v, ok := a.flat(idx); ok {
			return append(dst, s.tr.apply(v))
		}
		return dst
	}
	if rec >= 0 {
		for _, v := range a.Records[rec] {
			dst = append(dst, s.tr.apply(v))
		}
		return dst
	}
	for _, r := range a.Records {
		for _, v := range r {
			dst = append(dst, s.tr.apply(v))
		}
	}
	return dst
}

// Argv expands the template into the argument vector of a job run without a
// shell. It returns nil when the template needs a shell (see Direct).
func (t *Template) Argv(a *Args) []string {
	if !t.direct {
		return nil
	}
	out := make([]string, 0, len(t.argv)+len(a.Records))
	var vals []string
	for _, w := range t.argv {
		// A job of no records (-N 0, -L 0) still gets the word once,
		// without a value, as in GNU parallel: repeating it per record
		// would drop it.
		if t.context && hasAllField(w) && len(a.Records) > 0 {
			for r := range a.Records {
				out, vals = expandWord(out, vals, w, a, r)
			}
			continue
		}
		out, vals = expandWord(out, vals, w, a, -1)
	}
	return out
}

// expandWord appends the argv words one template word gives. A field with
// several values splits the word at each value, just as the shell splits
// GNU's space-joined quoted values; a word made only of fields that give
// nothing vanishes.
func expandWord(out, vals []string, w []segment, a *Args, rec int) ([]string, []string) {
	var cur strings.Builder
	started := false
	for i := range w {
		s := &w[i]
		if !s.field {
			cur.WriteString(s.lit)
			started = true
			continue
		}
		vals = s.values(vals[:0], a, rec)
		for j, v := range vals {
			if j > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
			cur.WriteString(v)
			started = true
		}
	}
	if started {
		out = append(out, cur.String())
	}
	return out, vals
}

// Line expands the template into a shell command line, with every
// substituted value shell-quoted. It is what a shell runs when the command
// is not direct, and what --dry-run, -t, -v and --joblog show.
func (t *Template) Line(a *Args) string {
	var b strings.Builder
	var vals []string
	if t.quoted {
		argv := t.Argv(a)
		for i, w := range argv {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(ShellQuote(w))
		}
		return b.String()
	}
	for _, w := range t.raw {
		if t.context && w.hasAll && len(a.Records) > 0 { // as in Argv
			first := true
			for r := range a.Records {
				if !first {
					b.WriteByte(' ')
				}
				first = false
				vals = writeRaw(&b, vals, w.segs, a, r)
			}
		} else {
			vals = writeRaw(&b, vals, w.segs, a, -1)
		}
		b.WriteString(w.sep)
	}
	return b.String()
}

func writeRaw(b *strings.Builder, vals []string, segs []segment, a *Args, rec int) []string {
	for i := range segs {
		s := &segs[i]
		if !s.field {
			b.WriteString(s.lit)
			continue
		}
		vals = s.values(vals[:0], a, rec)
		for j, v := range vals {
			if j > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(ShellQuote(v))
		}
	}
	return vals
}

// Unquoted expands the template with values inserted as they are, not
// quoted: what --tagstring shows.
func (t *Template) Unquoted(a *Args) string { return t.ExpandWith(a, nil) }

// ExpandWith expands the template with each substituted value passed
// through conv (as it is when conv is nil), several values of a field
// joined by spaces.
func (t *Template) ExpandWith(a *Args, conv func(string) string) string {
	var b strings.Builder
	var vals []string
	for _, w := range t.raw {
		for i := range w.segs {
			s := &w.segs[i]
			if !s.field {
				b.WriteString(s.lit)
				continue
			}
			vals = s.values(vals[:0], a, -1)
			for j, v := range vals {
				if j > 0 {
					b.WriteByte(' ')
				}
				if conv != nil {
					v = conv(v)
				}
				b.WriteString(v)
			}
		}
		b.WriteString(w.sep)
	}
	return b.String()
}

// LiteralPrefix is the template's text up to its first replacement field.
func (t *Template) LiteralPrefix() string {
	var b strings.Builder
	for _, w := range t.raw {
		for i := range w.segs {
			if w.segs[i].field {
				return b.String()
			}
			b.WriteString(w.segs[i].lit)
		}
		b.WriteString(w.sep)
	}
	return b.String()
}

// lineCost returns how much adding record r (0-based, the job then holding
// r+1 records) lengthens the shell line: the measure -s and -X use, in
// GNU's way of counting.
func (t *Template) lineCost(rec []string) int {
	n := 0
	for _, w := range t.raw {
		if t.context && w.hasAll {
			n++ // the space before the repeated word
			for i := range w.segs {
				s := &w.segs[i]
				if !s.field {
					n += len(s.lit)
					continue
				}
				if s.kind == fkAll {
					for k, v := range rec {
						if k > 0 {
							n++
						}
						n += len(ShellQuote(s.tr.apply(v)))
					}
				}
			}
			continue
		}
		for i := range w.segs {
			s := &w.segs[i]
			if s.field && s.kind == fkAll {
				for _, v := range rec {
					n += 1 + len(ShellQuote(s.tr.apply(v)))
				}
			}
		}
	}
	return n
}

// firstCost is what lineCost over-counts for the first record of a job: the
// space before the first value of each place that takes arguments.
func (t *Template) firstCost() int {
	n := 0
	for _, w := range t.raw {
		if t.context && w.hasAll {
			n++
			continue
		}
		for i := range w.segs {
			if s := &w.segs[i]; s.field && s.kind == fkAll {
				n++
			}
		}
	}
	return n
}

// fmtTooLong formats GNU's error for an argument that cannot fit a line.
func fmtTooLong(length, max int, input int64, rec []string) error {
	args := strings.Join(rec, " ")
	if len(args) > 50 {
		args = args[:50] + "..."
	}
	return fmt.Errorf("command line too long (%d >= %d) at input %d: %s", length, max, input, args)
}
