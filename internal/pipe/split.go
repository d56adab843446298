package pipe

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// DefaultBlockSize is the block size of --pipe when none is given (GNU's 1M).
const DefaultBlockSize = 1 << 20

// maxBlockSize is where a growing block stops growing, as in GNU parallel
// (2 GiB makes trouble for some programs).
const maxBlockSize = 1<<31 - 1

// Options turns a run into GNU parallel's --pipe mode: instead of
// arguments, each job gets a block of the input on its standard input. A
// zero Options (given as Config.Pipe) cuts Input into blocks of at most
// DefaultBlockSize bytes at newlines, one block per job.
type Options struct {
	// Input is the stream cut into blocks (--pipe); nil is an empty stream.
	// It is ignored when PartFile is set.
	Input io.Reader
	// PartFile, when not empty, is a seekable file whose parts are handed
	// to the jobs (--pipe-part): only the bytes around each border are read
	// to find it, and each job reads its own range of the file.
	PartFile string

	// BlockSize is the size of a block in bytes; zero means
	// DefaultBlockSize. With Input a block holds at most BlockSize bytes
	// (whole records only: a record longer than that grows the block); with
	// PartFile a part holds at least BlockSize bytes, up to the next record
	// border, and zero or a negative -n means n parts per job slot (zero:
	// 10, as in GNU parallel).
	BlockSize int64
	// RecStart and RecEnd are what starts and ends a record (--recstart,
	// --recend); blocks are cut only between a RecEnd and a RecStart. When
	// both are empty a record ends with "\n".
	RecStart, RecEnd string
	// Regexp treats RecStart and RecEnd as regular expressions (--regexp).
	Regexp bool
	// RemoveRecSep removes the record separators from each block
	// (--remove-rec-sep): every RecEnd followed by RecStart, a RecStart at
	// the beginning and a RecEnd at the end.
	RemoveRecSep bool
	// RecordsPerJob, when positive (-N), gives each job exactly this many records
	// (the last job may get fewer); BlockSize is then only how much is read
	// at a time.
	RecordsPerJob int
	// Lines, when positive and RecordsPerJob is zero (-L), makes a record this
	// many newline-terminated lines, whatever RecStart and RecEnd say.
	Lines int
	// Header, when not empty, is a regular expression matched at the start
	// of the input (--header); what it matches is given to every job ahead
	// of its block.
	Header string

	// BlockTimeout, when positive (--block-timeout), passes on what has
	// been read of a block when reading it takes longer than this (cut at
	// the last record border, as always); a block then never grows.
	BlockTimeout time.Duration

	// RoundRobin (--round-robin) starts only as many jobs as there are job
	// slots and deals the blocks out among them: each block goes to the
	// job that is first ready to read more.
	RoundRobin bool
	// Cat (--cat) writes each block to a temporary file and passes its name
	// as the job's argument ({}); the file is removed when the job is done.
	Cat bool
	// Fifo (--fifo) is Cat with a named pipe instead of a file: the job must
	// open and read it.
	Fifo bool
}

// ParseBlockSize reads a --block value as GNU parallel does: a number,
// possibly fractional or negative, with an optional suffix: k m g t p
// (powers of 1000), K M G T P (powers of 1024), or Ki Mi Gi Ti Pi in any
// case (powers of 1024). The result is rounded down to whole bytes.
func ParseBlockSize(s string) (int64, error) {
	bad := fmt.Errorf("invalid size %q: want a number with an optional k, K, M, G, T or P suffix", s)
	num := strings.TrimSpace(s)
	mult := 1.0
	if len(num) > 0 {
		unit := num[len(num)-1:]
		if len(num) >= 2 && (unit == "i" || unit == "I") {
			unit = strings.ToUpper(num[len(num)-2 : len(num)-1])
			num = num[:len(num)-1]
		}
		if p := strings.Index("KMGTP", unit); p >= 0 {
			mult = math.Pow(1024, float64(p+1))
			num = num[:len(num)-1]
		} else if p := strings.Index("kmgtp", unit); p >= 0 {
			mult = math.Pow(1000, float64(p+1))
			num = num[:len(num)-1]
		}
	}
	if num == "" || strings.ContainsAny(num, "xXpPeEnN_") {
		return 0, bad // no hex, exponents, Inf, NaN or underscores
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, bad
	}
	v := math.Trunc(f * mult)
	if v > math.MaxInt64/2 || v < math.MinInt64/2 {
		return 0, bad
	}
	return int64(v), nil
}

// UnescapeRecSep expands the escapes GNU parallel allows in a --recstart or
// --recend that is not a regular expression: \0 \r \n \t \' \" and \\.
func UnescapeRecSep(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			if c, ok := map[byte]byte{'0': 0, 'r': '\r', 'n': '\n', 't': '\t', '\'': '\'', '"': '"', '\\': '\\'}[s[i+1]]; ok {
				b.WriteByte(c)
				i++
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// recSeps is how records are told apart, compiled once.
type recSeps struct {
	start, end string // fixed strings, or regexp sources with Regexp
	sep        []byte // end+start, fixed
	regexp     bool
	last       *regexp.Regexp // \A(.*R)S: the last border
	next       *regexp.Regexp // (R)S: the first border
	atStart    *regexp.Regexp // \AS
	remove     [3]*regexp.Regexp
}

func newRecSeps(opt *Options) (*recSeps, error) {
	rs := &recSeps{start: opt.RecStart, end: opt.RecEnd, regexp: opt.Regexp}
	if rs.start == "" && rs.end == "" {
		rs.end = "\n"
	}
	if !rs.regexp {
		rs.sep = []byte(rs.end + rs.start)
		return rs, nil
	}
	r, s := "(?:"+rs.end+")", "(?:"+rs.start+")"
	var err error
	compile := func(what, expr string) *regexp.Regexp {
		re, cerr := regexp.Compile("(?m)" + expr)
		if cerr != nil && err == nil {
			err = fmt.Errorf("invalid %s regular expression: %w", what, cerr)
		}
		return re
	}
	rs.last = compile("--recend/--recstart", `\A((?s:.)*`+r+`)`+s)
	rs.next = compile("--recend/--recstart", "("+r+")"+s)
	rs.atStart = compile("--recstart", `\A`+s)
	rs.remove = [3]*regexp.Regexp{compile("--recend/--recstart", r+s), compile("--recstart", `\A`+s), compile("--recend", r+`\z`)}
	return rs, err
}

// removeSeps drops the record separators from a block, in place.
func (rs *recSeps) removeSeps(b []byte) []byte {
	if rs.regexp {
		b = rs.remove[0].ReplaceAll(b, nil)
		b = rs.remove[1].ReplaceAll(b, nil)
		return rs.remove[2].ReplaceAll(b, nil)
	}
	if len(rs.sep) > 0 {
		w := 0
		for {
			i := bytes.Index(b[w:], rs.sep)
			if i < 0 {
				break
			}
			// Compact as we go: everything before w is final.
			copy(b[w+i:], b[w+i+len(rs.sep):])
			b = b[:len(b)-len(rs.sep)]
			w += i
		}
	}
	b = bytes.TrimPrefix(b, []byte(rs.start))
	return bytes.TrimSuffix(b, []byte(rs.end))
}

// BlockSplitter cuts a stream into blocks of whole records, exactly where
// GNU parallel --pipe cuts it. The zero value is not usable: make one with
// NewBlockSplitter.
type BlockSplitter struct {
	r      io.Reader
	opt    Options
	seps   *recSeps
	header []byte
	// headerDone: the header was looked for.
	headerDone bool
	bs         int64  // current block size; grows past too-long records
	buf        []byte // read but not yet cut
	eof        bool   // the input has ended
	atEOF      bool   // a read that filled the buffer also hit the end
	done       bool
	err        error
	ready      [][]byte // blocks cut, not yet returned
	wrote      bool     // something was cut from the last read
	// garbage: the text before the first RecStart was dealt with (-N with
	// Regexp).
	garbage bool
	getBuf  func(n int) []byte
	timed   *timedReader // with BlockTimeout
}

// NewBlockSplitter returns a splitter reading r (nil is an empty stream),
// cutting it as opt says; opt.Input, PartFile, RoundRobin, Cat and Fifo are
// not used. It fails on an invalid regular expression. The header, if any,
// is read at the first call to Next.
func NewBlockSplitter(r io.Reader, opt Options) (*BlockSplitter, error) {
	seps, err := newRecSeps(&opt)
	if err != nil {
		return nil, err
	}
	if opt.Header != "" {
		if _, err := regexp.Compile(opt.Header); err != nil {
			return nil, fmt.Errorf("invalid --header regular expression: %w", err)
		}
	}
	bs := opt.BlockSize
	if bs <= 0 {
		bs = DefaultBlockSize
	}
	if r == nil {
		r = bytes.NewReader(nil)
	}
	sp := &BlockSplitter{r: r, opt: opt, seps: seps, bs: min(bs, maxBlockSize),
		getBuf: func(n int) []byte { return make([]byte, 0, n) }}
	if opt.BlockTimeout > 0 {
		sp.timed = newTimedReader(r)
		sp.r = sp.timed
	}
	return sp, nil
}

// Header returns the header found at the start of the input (--header),
// which belongs ahead of every block; it is empty until Next was called.
func (s *BlockSplitter) Header() []byte { return s.header }

// Next returns the next block, without the header; the caller owns it. It
// returns io.EOF after the last block, and an empty input has no block.
func (s *BlockSplitter) Next() ([]byte, error) {
	for len(s.ready) == 0 {
		if s.err != nil {
			return nil, s.err
		}
		if s.done {
			return nil, io.EOF
		}
		s.err = s.step()
	}
	b := s.ready[0]
	s.ready[0] = nil
	s.ready = s.ready[1:]
	if s.opt.RemoveRecSep {
		b = s.seps.removeSeps(b)
	}
	return b, nil
}

// step reads one more block's worth of input and cuts what it can, as one
// round of GNU parallel's spreadstdin loop.
func (s *BlockSplitter) step() error {
	if s.opt.Header != "" && !s.headerDone {
		if err := s.readHeader(); err != nil {
			return err
		}
	}
	s.wrote = false
	if err := s.fill(); err != nil {
		return err
	}
	switch {
	case s.opt.Lines > 0 && s.opt.RecordsPerJob <= 0:
		s.cutLines()
	case s.seps.regexp && s.opt.RecordsPerJob > 0:
		s.cutNRegexp()
	case s.seps.regexp:
		if !s.eof {
			if m := s.seps.last.FindSubmatchIndex(s.buf); m != nil {
				s.cutOwn(m[3])
			}
		}
	case s.opt.RecordsPerJob > 0:
		s.cutN()
	default:
		if !s.eof {
			if i := bytes.LastIndex(s.buf, s.seps.sep); i >= 0 {
				s.cutOwn(i + len(s.seps.end))
			}
		}
	}
	if s.eof {
		if len(s.buf) > 0 {
			s.cutOwn(len(s.buf))
		}
		s.done = true
		return nil
	}
	if !s.wrote && s.bs < maxBlockSize && s.opt.BlockTimeout <= 0 {
		// A record is longer than the block: grow it, as GNU does.
		s.bs = min(int64(math.Ceil(float64(s.bs)*1.3+1)), maxBlockSize)
	}
	return nil
}

// readHeader reads, a block at a time, until the --header expression
// matches at the start of the input.
func (s *BlockSplitter) readHeader() error {
	re := regexp.MustCompile(`\A(?:` + s.opt.Header + `)`)
	s.headerDone = true
	bs := int(s.bs)
	buf := s.getBuf(bs)
	for {
		if cap(buf)-len(buf) < bs {
			buf = append(buf, make([]byte, bs)...)[:len(buf)]
		}
		n, err := s.r.Read(buf[len(buf) : len(buf)+bs])
		buf = buf[:len(buf)+n]
		if m := re.FindIndex(buf); n > 0 && m != nil {
			s.header = bytes.Clone(buf[:m[1]])
			s.buf = append(s.getBuf(max(bs, len(buf)-m[1])), buf[m[1]:]...)
			return nil
		}
		if err == io.EOF {
			s.buf, s.eof = buf, true
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading standard input: %w", err)
		}
	}
}

// fill reads up to the next multiple of the block size.
func (s *BlockSplitter) fill() error {
	if s.eof {
		return nil
	}
	if s.atEOF {
		s.eof = true
		return nil
	}
	want := int(s.bs - int64(len(s.buf))%s.bs)
	if cap(s.buf)-len(s.buf) < want {
		nb := s.getBuf(len(s.buf) + want)
		s.buf = append(nb, s.buf...)
	}
	var deadline <-chan time.Time
	if s.timed != nil {
		t := time.NewTimer(s.opt.BlockTimeout)
		defer t.Stop()
		deadline = t.C
	}
	for want > 0 {
		var n int
		var err error
		if s.timed != nil {
			n, err = s.timed.readBefore(s.buf[len(s.buf):len(s.buf)+want], deadline)
		} else {
			n, err = s.r.Read(s.buf[len(s.buf) : len(s.buf)+want])
		}
		if err == errBlockTimeout {
			return nil // pass on what there is
		}
		s.buf = s.buf[:len(s.buf)+n]
		want -= n
		if err == io.EOF {
			if want == 0 {
				s.atEOF = true // GNU sees the end only at the next read
			} else {
				s.eof = true
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading standard input: %w", err)
		}
	}
	return nil
}

// cutOwn cuts the first i bytes off as a block that keeps the buffer; the
// rest moves to a new buffer.
func (s *BlockSplitter) cutOwn(i int) {
	if i <= 0 {
		return
	}
	rest := s.buf[i:]
	var nb []byte
	if len(rest) > 0 {
		// Only the rest of a record, usually: a big buffer is taken when
		// the next read needs it, once a job may have given one back.
		nb = bytes.Clone(rest)
	}
	s.ready = append(s.ready, s.buf[:i])
	s.buf = nb
	s.wrote = true
}

// cutCopies cuts blocks at the given ends (increasing offsets into s.buf),
// copying each, and keeps the rest.
func (s *BlockSplitter) cutCopies(ends []int) {
	if len(ends) == 0 {
		return
	}
	if len(ends) == 1 {
		s.cutOwn(ends[0])
		return
	}
	from := 0
	for _, e := range ends {
		s.ready = append(s.ready, bytes.Clone(s.buf[from:e]))
		from = e
	}
	n := copy(s.buf, s.buf[from:])
	s.buf = s.buf[:n]
	s.wrote = true
}

// cutLines is GNU's pass_n_line_records: as many whole groups of Lines
// lines as the buffer holds, in one block.
func (s *BlockSplitter) cutLines() {
	n := bytes.Count(s.buf, []byte{'\n'})
	last := bytes.LastIndexByte(s.buf, '\n')
	for n%s.opt.Lines != 0 {
		n--
		if last <= 0 {
			last = -1 // Perl's rindex finds nothing before position 0
		} else {
			last = bytes.LastIndexByte(s.buf[:last], '\n')
		}
	}
	s.cutOwn(last + 1)
}

// cutN is GNU's pass_n: blocks of exactly RecordsPerJob records. As in GNU, the
// search for a separator starts at the second byte.
func (s *BlockSplitter) cutN() {
	var ends []int
	from := 0
	for from < len(s.buf) {
		i := from
		for k := 0; k < s.opt.RecordsPerJob; k++ {
			j := -1
			if i+1 <= len(s.buf) {
				j = bytes.Index(s.buf[i+1:], s.seps.sep)
			}
			if j < 0 {
				i = -1
				break
			}
			i += 1 + j
		}
		if i < 0 {
			break
		}
		from = i + len(s.seps.end)
		ends = append(ends, from)
	}
	s.cutCopies(ends)
}

// cutNRegexp is GNU's pass_n_regexps: RecordsPerJob records, each a RecStart, the
// shortest text, and a RecEnd that is followed by a RecStart.
func (s *BlockSplitter) cutNRegexp() {
	rs := s.seps
	var ends []int
	from := 0
	if !s.garbage {
		s.garbage = true
		if rs.atStart.FindIndex(s.buf) == nil {
			// Text before the first record start is a record of its own.
			if m := rs.next.FindSubmatchIndex(s.buf); m != nil && m[3] > 0 {
				ends = append(ends, m[3])
				from = m[3]
			}
		}
	}
	for {
		p := from
		k := 0
		for ; k < s.opt.RecordsPerJob; k++ {
			st := rs.atStart.FindIndex(s.buf[p:])
			if st == nil {
				break
			}
			m := rs.next.FindSubmatchIndex(s.buf[p+st[1]:])
			if m == nil {
				break
			}
			p += st[1] + m[3]
		}
		if k < s.opt.RecordsPerJob || p == from {
			break
		}
		ends = append(ends, p)
		from = p
	}
	s.cutCopies(ends)
}

// ErrNoCommand is returned for --pipe without a command.
var ErrNoCommand = errors.New("--pipe needs a command to feed the blocks to")

// errBlockTimeout reports that --block-timeout passed while reading.
var errBlockTimeout = errors.New("block timeout")

// timedReader reads its reader in a goroutine, so that a read can give up
// at a deadline (--block-timeout) without losing what comes later.
type timedReader struct {
	chunks chan timedChunk
	rest   []byte // of the last chunk, not yet read
	err    error  // the reader's final error
}

type timedChunk struct {
	b   []byte
	err error
}

func newTimedReader(r io.Reader) *timedReader {
	t := &timedReader{chunks: make(chan timedChunk)}
	go func() {
		for {
			b := make([]byte, 64<<10)
			n, err := r.Read(b)
			t.chunks <- timedChunk{b[:n], err}
			if err != nil {
				return
			}
		}
	}()
	return t
}

func (t *timedReader) Read(p []byte) (int, error) { return t.readBefore(p, nil) }

// readBefore reads into p, or gives up with errBlockTimeout when deadline
// fires first (a nil deadline never does).
func (t *timedReader) readBefore(p []byte, deadline <-chan time.Time) (int, error) {
	for len(t.rest) == 0 {
		if t.err != nil {
			return 0, t.err
		}
		select {
		case c := <-t.chunks:
			t.rest, t.err = c.b, c.err
		case <-deadline:
			return 0, errBlockTimeout
		}
	}
	n := copy(p, t.rest)
	t.rest = t.rest[n:]
	return n, nil
}
