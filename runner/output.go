package runner

import (
	"bufio"
	"bytes"
	"io"
)

// Printer writes each finished job's output whole: its stdout, then its
// stderr, never mixed with another job's. Make one with NewPrinter.
type Printer struct {
	stdout, stderr *bufio.Writer
	// ShowCommand (-v) prints the command line on stdout before the output.
	ShowCommand bool
}

// NewPrinter returns a Printer writing to stdout and stderr.
func NewPrinter(stdout, stderr io.Writer) *Printer {
	return &Printer{stdout: bufio.NewWriterSize(stdout, 64<<10), stderr: bufio.NewWriterSize(stderr, 16<<10)}
}

// Print writes one result's output and flushes it.
func (p *Printer) Print(r *Result) error {
	if p.ShowCommand {
		writeTagged(p.stdout, r.Job.Tag, r.Job.Line)
	}
	if err := copyTagged(p.stdout, r.Stdout, r.Job.Tag); err != nil {
		return err
	}
	if err := copyTagged(p.stderr, r.Stderr, r.Job.Tag); err != nil {
		return err
	}
	if err := p.stdout.Flush(); err != nil {
		return err
	}
	return p.stderr.Flush()
}

// Line writes a line of text to stdout, after tag and a TAB if tag is not
// empty (--dry-run). It is buffered: call Flush when done.
func (p *Printer) Line(tag, s string) error {
	return writeTagged(p.stdout, tag, s)
}

func writeTagged(w *bufio.Writer, tag, line string) error {
	if tag != "" {
		w.WriteString(tag)
		w.WriteByte('\t')
	}
	w.WriteString(line)
	return w.WriteByte('\n')
}

// Flush writes out what Line buffered.
func (p *Printer) Flush() error { return p.stdout.Flush() }

// copyTagged copies b to w, with tag and a TAB before every line when the
// tag is not empty.
func copyTagged(w *bufio.Writer, b *Buffer, tag string) error {
	if b.Len() == 0 {
		return nil
	}
	if tag == "" {
		_, err := b.WriteTo(w)
		return err
	}
	tw := &tagWriter{w: w, tag: tag, atStart: true}
	_, err := b.WriteTo(tw)
	return err
}

type tagWriter struct {
	w       *bufio.Writer
	tag     string
	atStart bool
}

func (t *tagWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if t.atStart {
			t.w.WriteString(t.tag)
			t.w.WriteByte('\t')
			t.atStart = false
		}
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			t.w.Write(p)
			break
		}
		t.w.Write(p[:i+1])
		p = p[i+1:]
		t.atStart = true
	}
	return n, nil
}
