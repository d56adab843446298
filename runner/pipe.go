package runner

import (
	"io"

	"github.com/parx-dev/parx/internal/pipe"
)

// PipeOptions configures --pipe and --pipe-part (Config.Pipe): how stdin or
// a file is cut into blocks of whole records, one block per job. See
// internal/pipe for the fields; the zero value cuts Input into blocks of at
// most 1 MiB of newline-ended records.
type PipeOptions = pipe.Options

// BlockSplitter cuts a stream into blocks of whole records as --pipe does.
type BlockSplitter = pipe.BlockSplitter

// NewBlockSplitter returns a splitter of r, or an error for options that
// cannot be used (a bad --regexp, say).
func NewBlockSplitter(r io.Reader, opt PipeOptions) (*BlockSplitter, error) {
	return pipe.NewBlockSplitter(r, opt)
}

// FileParts finds the blocks of a seekable file as --pipe-part does, reading
// only around the borders: the --header block, and the byte offsets where
// each job's part starts, ending with the file's size.
func FileParts(path string, opt PipeOptions, slots int) (header []byte, borders []int64, err error) {
	return pipe.FileParts(path, opt, slots)
}
