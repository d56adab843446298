package runner

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"slices"
	"sync/atomic"
)

// DefaultSpillThreshold is how much of a job's output stream a Buffer keeps
// in memory before it moves it to a temporary file.
const DefaultSpillThreshold = 1 << 20

// Buffer holds one output stream of a job: in memory up to a threshold, then
// in a temporary file that is unlinked as soon as it is created, so that
// memory stays bounded and nothing is left behind if parx is killed. The
// zero value keeps up to DefaultSpillThreshold bytes in memory and spills to
// os.TempDir().
type Buffer struct {
	// Threshold is the most bytes kept in memory; zero means
	// DefaultSpillThreshold.
	Threshold int
	// Dir is where the spill file is made; empty means os.TempDir().
	Dir string
	// Shared, if set, counts the bytes held in memory by every Buffer that
	// shares it; a Buffer spills once the total would pass SharedLimit, so
	// that many finished jobs waiting their turn under -k stay bounded too.
	Shared      *atomic.Int64
	SharedLimit int64

	mem  []byte
	file *os.File
	size int64
}

// Write appends p, spilling to a temporary file once the threshold is passed.
func (b *Buffer) Write(p []byte) (int, error) {
	if b.file == nil {
		limit := b.Threshold
		if limit <= 0 {
			limit = DefaultSpillThreshold
		}
		if len(b.mem)+len(p) <= limit && b.reserve(len(p)) {
			b.mem = append(b.mem, p...)
			b.size += int64(len(p))
			return len(p), nil
		}
		if err := b.spill(); err != nil {
			return 0, err
		}
	}
	n, err := b.file.Write(p)
	b.size += int64(n)
	if err != nil {
		return n, fmt.Errorf("saving job output in %s: %w", b.dirName(), err)
	}
	return n, nil
}

// firstRead is the least room ReadFrom makes for a read into a full
// Buffer; append's growth gives big buffers more.
const firstRead = 512

// ReadFrom reads r to its end into the buffer. It reads straight into the
// buffer's own memory, growing it as data comes, which spares the 32 KiB
// copy buffer io.Copy would take for every stream of every job: most
// streams are empty or short. Past the threshold it spills as Write does.
func (b *Buffer) ReadFrom(r io.Reader) (int64, error) {
	limit := b.Threshold
	if limit <= 0 {
		limit = DefaultSpillThreshold
	}
	var total int64
	for b.file == nil && len(b.mem) < limit {
		room := limit - len(b.mem)
		if cap(b.mem) == len(b.mem) {
			// append's own growth, as Write would get: doubling
			// would leave up to half of a big buffer unused and
			// uncounted against the shared limit.
			b.mem = slices.Grow(b.mem, min(firstRead, room))
		}
		spare := b.mem[len(b.mem):min(cap(b.mem), len(b.mem)+room)]
		n, err := r.Read(spare)
		if n > 0 {
			if !b.reserve(n) {
				// Over the shared limit: to a file, with what just came.
				got := spare[:n]
				if err := b.spill(); err != nil {
					return total, err
				}
				if _, err := b.file.Write(got); err != nil {
					return total, fmt.Errorf("saving job output in %s: %w", b.dirName(), err)
				}
			} else {
				b.mem = b.mem[:len(b.mem)+n]
			}
			b.size += int64(n)
			total += int64(n)
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
	n, err := io.Copy(struct{ io.Writer }{b}, r)
	return total + n, err
}

// reserve counts n more bytes against the shared limit, if there is one.
func (b *Buffer) reserve(n int) bool {
	if b.Shared == nil {
		return true
	}
	if b.Shared.Add(int64(n)) > b.SharedLimit {
		b.Shared.Add(int64(-n))
		return false
	}
	return true
}

func (b *Buffer) dirName() string {
	if b.Dir != "" {
		return b.Dir
	}
	return os.TempDir()
}

func (b *Buffer) spill() error {
	f, err := os.CreateTemp(b.Dir, "parx-*.out")
	if err != nil {
		return fmt.Errorf("saving job output: %w", err)
	}
	// Unlinked at once: the open file keeps the data, and a kill -9 of
	// parx leaves nothing behind.
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return fmt.Errorf("saving job output: %w", err)
	}
	if _, err := f.Write(b.mem); err != nil {
		f.Close()
		return fmt.Errorf("saving job output in %s: %w", b.dirName(), err)
	}
	b.file = f
	b.release()
	return nil
}

func (b *Buffer) release() {
	if b.Shared != nil {
		b.Shared.Add(int64(-len(b.mem)))
	}
	b.mem = nil
}

// Len returns the number of bytes written.
func (b *Buffer) Len() int64 { return b.size }

// WriteTo copies everything written so far to w.
func (b *Buffer) WriteTo(w io.Writer) (int64, error) {
	if b.file == nil {
		n, err := w.Write(b.mem)
		return int64(n), err
	}
	if _, err := b.file.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	return io.Copy(w, b.file)
}

// reader returns a reader of everything written, from the start; it is
// valid until the next Write or Close.
func (b *Buffer) reader() (io.ReadSeeker, error) {
	if b.file == nil {
		return bytes.NewReader(b.mem), nil
	}
	if _, err := b.file.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return io.NewSectionReader(b.file, 0, b.size), nil
}

// Bytes returns everything written, reading it back from the spill file if
// there is one.
func (b *Buffer) Bytes() ([]byte, error) {
	if b.file == nil {
		return b.mem, nil
	}
	var out bytes.Buffer
	_, err := b.WriteTo(&out)
	return out.Bytes(), err
}

// Close releases the spill file. The Buffer is empty afterwards.
func (b *Buffer) Close() error {
	b.release()
	b.size = 0
	if b.file == nil {
		return nil
	}
	err := b.file.Close()
	b.file = nil
	return err
}
