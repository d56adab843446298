package runner

import (
	"io"

	"github.com/parx-dev/parx/internal/cmdline"
	"github.com/parx-dev/parx/internal/input"
)

// The input side of a run lives in internal/input (sources and records) and
// internal/cmdline (templates, quoting and batching); these names are their
// public face, so that a library caller can build a Config.

// Source yields the values of one input source, one at a time; Next returns
// io.EOF after the last value.
type Source = input.Source

// SliceSource is a Source over fixed values, as given after ":::". The zero
// value is empty.
type SliceSource = input.SliceSource

// ReaderSource reads delimited values from a stream as they are needed. Make
// one with NewReaderSource.
type ReaderSource = input.ReaderSource

// ReaderOptions says how a ReaderSource cuts its input into values. The zero
// value reads newline-terminated lines.
type ReaderOptions = input.ReaderOptions

// NewReaderSource returns a Source reading values from r; name is used in
// error messages.
func NewReaderSource(r io.Reader, name string, opt ReaderOptions) *ReaderSource {
	return input.NewReaderSource(r, name, opt)
}

// SourceSpec is one input source of a run and how it combines with the one
// before it. The zero value is an empty source.
type SourceSpec = input.SourceSpec

// Trim is --trim: which sides of each value lose their white space. The zero
// value trims nothing.
type Trim = input.Trim

// RecordOptions says how the sources' values become records (--colsep,
// --header, --trim, -L). The zero value takes one value from each source per
// record, unsplit.
type RecordOptions = input.RecordOptions

// RecordReader yields argument records, one []string per record, and
// io.EOF after the last.
type RecordReader = cmdline.RecordReader

// ReplaceStrings names the replacement strings a template recognises; the
// zero value is GNU parallel's defaults: {} {.} {/} {//} {/.} {#} {%}.
type ReplaceStrings = cmdline.ReplaceStrings

// TemplateOptions controls how a command template is read. The zero value
// parses GNU parallel's default replacement strings, appends " {}" when the
// command has none, and runs commands without a shell when it can.
type TemplateOptions = cmdline.TemplateOptions

// Template is a command line parsed once into literal text and replacement
// fields. Create one with ParseTemplate; the zero value is an empty command.
type Template = cmdline.Template

// Args is what a Template is expanded with for one job: its records, and
// its sequence number and slot. The zero value has no records.
type Args = cmdline.Args

// ParseTemplate parses command words into a Template.
func ParseTemplate(words []string, opt TemplateOptions) (*Template, error) {
	return cmdline.ParseTemplate(words, opt)
}

// ShellQuote quotes s for a POSIX shell, leaving it bare when that is safe.
func ShellQuote(s string) string { return cmdline.ShellQuote(s) }

// ErrPerlExpression is returned for {= perl expression =} replacement
// strings, which parx does not implement.
var ErrPerlExpression = cmdline.ErrPerlExpression

// BatchOptions says how many records go into one job (-n, -N, -L, -X, -m,
// -s). The zero value puts one record in each job.
type BatchOptions = cmdline.BatchOptions

// DefaultMaxLine is the line limit -X, -m and -n use without -s, the same as
// GNU parallel's on Linux.
const DefaultMaxLine = cmdline.DefaultMaxLine
