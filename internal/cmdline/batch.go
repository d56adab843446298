package cmdline

import (
	"io"
)

// RecordReader yields argument records; Records is one.
type RecordReader interface {
	Next() ([]string, error)
}

// BatchOptions says how many records go into one job. The zero value puts
// one record in each job.
type BatchOptions struct {
	// MaxArgs is -n/-N/-L: at most this many records per job. Zero means
	// one per job unless Fill is set, when it means no limit.
	MaxArgs int
	// MaxArgsSet tells a MaxArgs of zero (-n0: a job takes one record and
	// passes none) from an unset one.
	MaxArgsSet bool
	// Fill is -X/-m/--xargs: put as many records in a job as the line
	// allows, and at the end of input spread the last ones over the job
	// slots (unless NoSpread).
	Fill bool
	// NoSpread (--xargs) fills the last line too, as xargs does.
	NoSpread bool
	// MaxLine is -s (or the default line limit with Fill): the shell line
	// must stay shorter than this. Zero means no check.
	MaxLine int
}

// Batcher groups records into the argument lists of jobs, as GNU parallel
// fills command lines. Make one with NewBatcher.
type Batcher struct {
	in       RecordReader
	tmpl     *Template
	opt      BatchOptions
	slots    func() int
	pending  [][]string // records read ahead or given back
	eof      bool
	spread   bool
	inputNo  int64
	maxArgs  int
	baseLine int
}

// NewBatcher returns a Batcher reading records from in for jobs of template
// t. slots reports the number of job slots, for spreading the last records
// of -X and -m over them.
func NewBatcher(in RecordReader, t *Template, opt BatchOptions, slots func() int) *Batcher {
	b := &Batcher{in: in, tmpl: t, opt: opt, slots: slots, maxArgs: opt.MaxArgs}
	if !opt.MaxArgsSet && !opt.Fill {
		b.maxArgs = 1
	}
	if opt.MaxLine > 0 {
		b.baseLine = len(t.Line(&Args{}))
	}
	return b
}

func (b *Batcher) get() ([]string, error) {
	if n := len(b.pending); n > 0 {
		r := b.pending[0]
		b.pending = b.pending[1:]
		return r, nil
	}
	if b.eof {
		return nil, io.EOF
	}
	r, err := b.in.Next()
	if err == io.EOF {
		b.eof = true
	}
	if err == nil {
		b.inputNo++
	}
	return r, err
}

func (b *Batcher) unget(recs ...[]string) {
	b.pending = append(append([][]string{}, recs...), b.pending...)
}

// empty reports whether no record is left, reading one ahead if it must.
func (b *Batcher) empty() (bool, error) {
	if len(b.pending) > 0 {
		return false, nil
	}
	r, err := b.get()
	if err == io.EOF {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	b.unget(r)
	return false, nil
}

// Next returns the records of the next job, or io.EOF.
func (b *Batcher) Next() ([][]string, error) {
	if b.opt.MaxArgsSet && b.opt.MaxArgs == 0 {
		// -n0: one record is read per job, and none is passed.
		if _, err := b.get(); err != nil {
			return nil, err
		}
		return [][]string{}, nil
	}
	var recs [][]string
	length := b.baseLine
	for {
		r, err := b.get()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		recs = append(recs, r)
		if b.opt.MaxLine > 0 {
			length += b.tmpl.lineCost(r)
			if len(recs) == 1 {
				length -= b.tmpl.firstCost()
			}
			if length >= b.opt.MaxLine {
				if len(recs) > 1 {
					b.unget(recs[len(recs)-1])
					recs = recs[:len(recs)-1]
					break
				}
				return nil, fmtTooLong(length, b.opt.MaxLine, b.inputNo, r)
			}
		}
		if b.maxArgs > 0 && len(recs) >= b.maxArgs {
			break
		}
	}
	if len(recs) == 0 {
		return nil, io.EOF
	}
	if b.opt.Fill && !b.opt.NoSpread && !b.spread {
		empty, err := b.empty()
		if err != nil {
			return nil, err
		}
		if empty {
			// At the end of input, spread what is left over the job slots
			// rather than give it all to one job.
			b.spread = true
			if slots := b.slots(); slots > 0 && len(recs) > 1 {
				b.maxArgs = (len(recs) + slots - 1) / slots
				b.unget(recs[b.maxArgs:]...)
				recs = recs[:b.maxArgs]
			}
		}
	}
	return recs, nil
}

// DefaultMaxLine is the line limit -X, -m and -n use without -s: GNU
// parallel's usable command line length on Linux, (130329-3000)/2, so that
// parx fills command lines exactly as GNU parallel does.
const DefaultMaxLine = 63664
