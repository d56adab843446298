package input

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
)

// Source yields the values of one input source, one at a time, so that input
// streams: Next returns io.EOF after the last value.
type Source interface {
	Next() (string, error)
}

// SliceSource is a Source over fixed values, as given after ":::". The zero
// value is empty.
type SliceSource struct {
	Values []string
	// EOF, when HasEOF is set (-E), ends the values at the first equal to it.
	EOF    string
	HasEOF bool
	i      int
}

// Next returns the next value, or io.EOF.
func (s *SliceSource) Next() (string, error) {
	if s.i >= len(s.Values) || s.HasEOF && s.Values[s.i] == s.EOF {
		return "", io.EOF
	}
	s.i++
	return s.Values[s.i-1], nil
}

// ReaderOptions says how a ReaderSource cuts its input into values. The zero
// value reads newline-terminated lines.
type ReaderOptions struct {
	// Delim ends each value; empty means "\n". -0 is "\x00".
	Delim string
	// EOF, when set (-E), ends the input at the first value equal to it.
	EOF    string
	HasEOF bool
	// SkipEmpty (-r) drops values that are empty or only white space.
	SkipEmpty bool
}

// ReaderSource reads delimited values from a stream as they are needed. Make
// one with NewReaderSource.
type ReaderSource struct {
	r    *bufio.Reader
	opt  ReaderOptions
	done bool
	name string
}

// NewReaderSource returns a Source reading values from r; name is used in
// errors.
func NewReaderSource(r io.Reader, name string, opt ReaderOptions) *ReaderSource {
	if opt.Delim == "" {
		opt.Delim = "\n"
	}
	return &ReaderSource{r: bufio.NewReaderSize(r, 64<<10), opt: opt, name: name}
}

// Next returns the next value, or io.EOF.
func (s *ReaderSource) Next() (string, error) {
	for {
		if s.done {
			return "", io.EOF
		}
		v, err := s.read()
		if err != nil {
			return "", err
		}
		if s.opt.HasEOF && v == s.opt.EOF {
			s.done = true
			return "", io.EOF
		}
		if s.opt.SkipEmpty && strings.TrimSpace(v) == "" {
			continue
		}
		return v, nil
	}
}

func (s *ReaderSource) read() (string, error) {
	d := s.opt.Delim
	last := d[len(d)-1]
	var acc []byte
	for {
		chunk, err := s.r.ReadSlice(last)
		acc = append(acc, chunk...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			s.done = true
			if len(acc) == 0 {
				return "", io.EOF
			}
			return string(acc), nil
		}
		if err != nil {
			return "", fmt.Errorf("reading %s: %w", s.name, err)
		}
		if bytes.HasSuffix(acc, []byte(d)) {
			return string(acc[:len(acc)-len(d)]), nil
		}
	}
}

// SourceSpec is one input source and how it combines with the one before it.
type SourceSpec struct {
	Source Source
	// Pair (:::+ or ::::+) pairs this source with the previous one, value by
	// value, stopping at the shorter, instead of taking every combination.
	Pair bool
}

// Trim says which ends of each value --trim removes white space from.
type Trim struct{ Left, Right bool }

func (t Trim) apply(s string) string {
	if t.Left {
		s = strings.TrimLeft(s, " \t")
	}
	if t.Right {
		s = strings.TrimRight(s, " \t")
	}
	return s
}

// RecordOptions says how sources combine into records. The zero value takes
// every combination of the sources, the last varying fastest.
type RecordOptions struct {
	// Link (--link) pairs all sources value by value, recycling the shorter
	// ones until the longest ends.
	Link bool
	// Colsep (--colsep) splits every value into columns.
	Colsep *regexp.Regexp
	// Trim (--trim) removes white space around every value or column.
	Trim Trim
	// Header (--header) takes the first value of every source as the names
	// of its columns, for {name}.
	Header bool
	// ContinueLines (-L N, -l) joins a value that ends in white space with
	// the next value of its source, as GNU parallel reads lines then.
	ContinueLines bool
	// SkipFirst (--skip-first-line) drops the first value of the first
	// source.
	SkipFirst bool
}

// continuedSource is a Source whose values ending in white space are
// joined with the next one (RecordOptions.ContinueLines). A value still
// open at the end of the input is given as it is.
type continuedSource struct{ src Source }

func (c continuedSource) Next() (string, error) {
	v, err := c.src.Next()
	for err == nil && v != "" && strings.IndexByte(" \t\n\r\f\v", v[len(v)-1]) >= 0 {
		next, nerr := c.src.Next()
		if nerr == io.EOF {
			return v, nil
		}
		v, err = v+next, nerr
	}
	return v, err
}

// Records combines input sources into argument records: one value per
// source (or column, with Colsep). It reads the first source as it goes and
// holds the others in memory, since every value of theirs is needed for
// each value of the first. Make one with NewRecords.
type Records struct {
	opt    RecordOptions
	groups []*group
	// cur holds the current tuple of every group but the first.
	idx       []int
	first     []string
	started   bool
	firstSeen bool
	done      bool
	header    map[string]int
	err       error
}

// group is sources paired value by value.
type group struct {
	srcs    []Source
	loaded  [][]string // every tuple, for all but the first group
	recycle bool
}

// NewRecords combines the sources. It reads the header line now when
// opt.Header is set, so Header can be used to parse the template.
func NewRecords(specs []SourceSpec, opt RecordOptions) (*Records, error) {
	r := &Records{opt: opt}
	if opt.ContinueLines {
		specs = slices.Clone(specs)
		for i := range specs {
			specs[i].Source = continuedSource{specs[i].Source}
		}
	}
	if opt.Link {
		g := &group{recycle: true}
		for _, s := range specs {
			g.srcs = append(g.srcs, s.Source)
		}
		r.groups = []*group{g}
	} else {
		for i, s := range specs {
			if s.Pair && i > 0 {
				g := r.groups[len(r.groups)-1]
				g.srcs = append(g.srcs, s.Source)
				continue
			}
			r.groups = append(r.groups, &group{srcs: []Source{s.Source}})
		}
	}
	if opt.SkipFirst && len(specs) > 0 {
		if _, err := r.groups[0].srcs[0].Next(); err != nil && err != io.EOF {
			return nil, err
		}
	}
	if opt.Header {
		r.header = map[string]int{}
		col := 1
		for _, g := range r.groups {
			for _, s := range g.srcs {
				v, err := s.Next()
				if err == io.EOF {
					continue
				}
				if err != nil {
					return nil, err
				}
				for _, name := range r.split(v) {
					if _, dup := r.header[name]; !dup && name != "" {
						r.header[name] = col
					}
					col++
				}
			}
		}
	}
	// Every group but the first is read whole now; recycling needs to know
	// every length, so a linked first group is read whole too.
	for i, g := range r.groups {
		if i == 0 && !g.recycle {
			continue
		}
		tuples, err := g.readAll()
		if err != nil {
			return nil, err
		}
		if len(tuples) == 0 {
			if len(r.groups) == 1 {
				r.done = true
			} else {
				// GNU parallel gives an empty source in a product one
				// empty value, rather than making the product empty.
				tuples = [][]string{make([]string, len(g.srcs))}
			}
		}
		g.loaded = tuples
	}
	r.idx = make([]int, len(r.groups))
	return r, nil
}

// Header returns the column names read by --header, mapped to 1-based
// positions, or nil without --header.
func (r *Records) Header() map[string]int { return r.header }

func (g *group) next() ([]string, error) {
	tuple := make([]string, 0, len(g.srcs))
	for _, s := range g.srcs {
		v, err := s.Next()
		if err != nil {
			return nil, err // io.EOF: the shortest source ends the pairing
		}
		tuple = append(tuple, v)
	}
	return tuple, nil
}

func (g *group) readAll() ([][]string, error) {
	if !g.recycle {
		var out [][]string
		for {
			t, err := g.next()
			if err == io.EOF {
				return out, nil
			}
			if err != nil {
				return nil, err
			}
			out = append(out, t)
		}
	}
	cols := make([][]string, len(g.srcs))
	longest := 0
	for i, s := range g.srcs {
		for {
			v, err := s.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, err
			}
			cols[i] = append(cols[i], v)
		}
		longest = max(longest, len(cols[i]))
	}
	var out [][]string
	for k := 0; k < longest; k++ {
		t := make([]string, len(cols))
		for i, c := range cols {
			if len(c) == 0 {
				return nil, nil
			}
			t[i] = c[k%len(c)]
		}
		out = append(out, t)
	}
	return out, nil
}

// Next returns the next record, or io.EOF after the last.
func (r *Records) Next() ([]string, error) {
	if r.err != nil {
		return nil, r.err
	}
	if r.done || len(r.groups) == 0 {
		return nil, io.EOF
	}
	if err := r.advance(); err != nil {
		if err == io.EOF {
			r.done = true
		} else {
			r.err = err
		}
		return nil, err
	}
	var rec []string
	rec = append(rec, r.first...)
	for i := 1; i < len(r.groups); i++ {
		rec = append(rec, r.groups[i].loaded[r.idx[i]]...)
	}
	if r.opt.Colsep != nil {
		var cols []string
		for _, v := range rec {
			cols = append(cols, r.split(v)...)
		}
		rec = cols
	} else {
		for i, v := range rec {
			rec[i] = r.opt.Trim.apply(v)
		}
	}
	return rec, nil
}

func (r *Records) split(v string) []string {
	if r.opt.Colsep == nil {
		return []string{r.opt.Trim.apply(v)}
	}
	cols := r.opt.Colsep.Split(v, -1)
	for i, c := range cols {
		cols[i] = r.opt.Trim.apply(c)
	}
	return cols
}

// advance moves to the next combination: the last group fastest, the first
// group (streamed) slowest.
func (r *Records) advance() error {
	n := len(r.groups)
	if r.started {
		for i := n - 1; i >= 1; i-- {
			r.idx[i]++
			if r.idx[i] < len(r.groups[i].loaded) {
				return nil
			}
			r.idx[i] = 0
		}
	}
	r.started = true
	g := r.groups[0]
	if g.loaded != nil || g.recycle {
		if r.idx[0] >= len(g.loaded) {
			return io.EOF
		}
		r.first = g.loaded[r.idx[0]]
		r.idx[0]++
		return nil
	}
	t, err := g.next()
	if err == io.EOF && !r.firstSeen && len(r.groups) > 1 {
		t, err = make([]string, len(g.srcs)), nil // an empty source in a product gives one empty value
	}
	if err != nil {
		return err
	}
	r.firstSeen = true
	r.first = t
	return nil
}

// CountRecords returns how many records specs make under opt, when that is
// cheap and exact: every source is an unread SliceSource (values given after
// ":::"). It returns ok false for a stream source, a source already read
// from, or more than limit records; it reads none of the sources it is
// given.
func CountRecords(specs []SourceSpec, opt RecordOptions, limit int64) (n int64, ok bool) {
	fresh := make([]SourceSpec, len(specs))
	for i, s := range specs {
		ss, isSlice := s.Source.(*SliceSource)
		if !isSlice || ss.i != 0 {
			return 0, false
		}
		fresh[i] = SourceSpec{Source: &SliceSource{Values: ss.Values, EOF: ss.EOF, HasEOF: ss.HasEOF}, Pair: s.Pair}
	}
	recs, err := NewRecords(fresh, opt)
	if err != nil {
		return 0, false
	}
	for ; n <= limit; n++ {
		if _, err := recs.Next(); err != nil {
			return n, err == io.EOF
		}
	}
	return 0, false
}
