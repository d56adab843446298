package pipe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// blockReader is a job's standard input in pipe mode: the header, then the
// block, which is either bytes in memory (--pipe) or a range of a file
// (--pipe-part). It can be read again from the start (Seek), so that a
// retried job gets the same block.
type blockReader struct {
	head       []byte
	body       []byte
	file       *os.File // with --pipe-part: the body is file[start:end]
	start, end int64
	off        int64
}

func (b *blockReader) size() int64 {
	if b.file != nil {
		return int64(len(b.head)) + b.end - b.start
	}
	return int64(len(b.head) + len(b.body))
}

// readAt reads the block from offset off into p.
func (b *blockReader) readAt(p []byte, off int64) (int, error) {
	if h := int64(len(b.head)); off < h {
		return copy(p, b.head[off:]), nil
	}
	off -= int64(len(b.head))
	if b.file == nil {
		if off >= int64(len(b.body)) {
			return 0, io.EOF
		}
		return copy(p, b.body[off:]), nil
	}
	left := b.end - b.start - off
	if left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > left {
		p = p[:left]
	}
	n, err := b.file.ReadAt(p, b.start+off)
	if err == io.EOF && n > 0 {
		err = nil
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF // the file shrank under us
	}
	return n, err
}

func (b *blockReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, err := b.readAt(p, b.off)
	b.off += int64(n)
	return n, err
}

// WriteTo writes the rest of the block in as few writes as possible: the
// bytes in memory in one, a file range in 1 MiB pieces.
func (b *blockReader) WriteTo(w io.Writer) (int64, error) {
	if b.file == nil {
		start := b.off
		var before int64 // bytes of the parts before this one
		for _, part := range [][]byte{b.head, b.body} {
			from := min(max(b.off-before, 0), int64(len(part)))
			n, err := w.Write(part[from:])
			b.off += int64(n)
			before += int64(len(part))
			if err != nil {
				return b.off - start, err
			}
		}
		return b.off - start, nil
	}
	var buf []byte
	var written int64
	for {
		if buf == nil {
			buf = make([]byte, min(1<<20, max(b.size()-b.off, 1)))
		}
		n, err := b.readAt(buf, b.off)
		if n > 0 {
			m, werr := w.Write(buf[:n])
			b.off += int64(m)
			written += int64(m)
			if werr != nil {
				return written, werr
			}
		}
		if err == io.EOF {
			return written, nil
		}
		if err != nil {
			return written, err
		}
	}
}

// Seek lets a retried job read its block again.
func (b *blockReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		offset += b.off
	case io.SeekEnd:
		offset += b.size()
	}
	if offset < 0 {
		return b.off, errors.New("seek before the start of the block")
	}
	b.off = offset
	return offset, nil
}

// fifoGrace is how long a --fifo job's block may still be being written
// once the job is done.
const fifoGrace = time.Second

// pipeItem is one block handed from the reading goroutine to the jobs.
type pipeItem struct {
	r   *blockReader
	err error
}

// Feed hands blocks to jobs: a goroutine reads and cuts the input at
// most one block ahead of the jobs (its channel is unbuffered), and every
// block is freed when the job slot that ran it is given another job, so
// memory stays at about (slots + 1) blocks.
type Feed struct {
	ctx    context.Context
	opt    Options
	tmpDir string
	slots  func() int
	items  chan pipeItem
	free   chan []byte // buffers of finished blocks, for reuse
	done   chan struct{}
	wg     sync.WaitGroup

	mu    sync.Mutex
	owned map[int]func() // slot -> frees the block of the job last run there
	dir   string         // private temp dir for --cat and --fifo
	n     int            // files made in dir
	Robin *Dealer        // --round-robin
	// skipped counts the empty blocks not given to a job since
	// takeSkipped was last called.
	skipped int64
	file    *os.File // --pipe-part
}

// NewFeed starts reading opt.Input (or opt.PartFile) into blocks for jobs
// in up to slots() slots; --cat and --fifo files go in tmpDir. Reading stops
// when ctx is done or Close is called.
func NewFeed(ctx context.Context, opt Options, slots func() int, tmpDir string) (*Feed, error) {
	f := &Feed{ctx: ctx, opt: opt, slots: slots, tmpDir: tmpDir, items: make(chan pipeItem),
		free: make(chan []byte, 4), done: make(chan struct{}), owned: map[int]func(){}}
	if opt.PartFile != "" {
		parts, file, head, err := openParts(opt, slots())
		if err != nil {
			return nil, err
		}
		f.file = file
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			defer close(f.items)
			for i := 0; i+1 < len(parts); i++ {
				r := &blockReader{head: head, file: file, start: parts[i], end: parts[i+1]}
				select {
				case f.items <- pipeItem{r: r}:
				case <-f.done:
					return
				}
			}
		}()
		return f, nil
	}
	sp, err := NewBlockSplitter(opt.Input, opt)
	if err != nil {
		return nil, err
	}
	sp.getBuf = f.getBuf
	if opt.RoundRobin {
		f.Robin = newDealer(ctx, slots, f.putBuf)
		go f.Robin.fill(sp)
		return f, nil
	}
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		defer close(f.items)
		for {
			b, err := sp.Next()
			if err == io.EOF {
				return
			}
			it := pipeItem{err: err}
			if err == nil {
				it.r = &blockReader{head: sp.Header(), body: b}
			}
			select {
			case f.items <- it:
			case <-f.done:
				return
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return f, nil
}

// getBuf returns an empty buffer of at least n bytes, reusing a freed one
// if it is big enough.
func (f *Feed) getBuf(n int) []byte {
	select {
	case b := <-f.free:
		if cap(b) >= n {
			return b[:0]
		}
	default:
	}
	return make([]byte, 0, n)
}

func (f *Feed) putBuf(b []byte) {
	if cap(b) == 0 {
		return
	}
	select {
	case f.free <- b[:0]:
	default:
	}
}

// release frees what the job last run in slot held.
func (f *Feed) release(slot int) {
	f.mu.Lock()
	rel := f.owned[slot]
	delete(f.owned, slot)
	f.mu.Unlock()
	if rel != nil {
		rel()
	}
}

// Next returns the argument record and standard input of the job about to
// run in slot, or io.EOF when the input is used up.
func (f *Feed) Next(slot int) ([][]string, io.Reader, error) {
	f.release(slot)
	if f.Robin != nil {
		return f.Robin.nextJob()
	}
	var r *blockReader
	for r == nil {
		var it pipeItem
		ok := false
		select {
		case it, ok = <-f.items:
		case <-f.ctx.Done():
		}
		if !ok {
			return nil, nil, io.EOF
		}
		if it.err != nil {
			return nil, nil, it.err
		}
		if it.r.size() > 0 || !f.opt.RemoveRecSep {
			r = it.r
			continue
		}
		// --remove-rec-sep left nothing: GNU parallel runs no command
		// for it, but the block keeps its number.
		f.putBuf(it.r.body)
		f.mu.Lock()
		f.skipped++
		f.mu.Unlock()
	}
	freeBody := func() {
		body := r.body
		r.body, r.head = nil, nil
		f.putBuf(body)
	}
	if !f.opt.Cat && !f.opt.Fifo {
		f.own(slot, freeBody)
		return [][]string{}, r, nil
	}
	name, err := f.tempName()
	if err != nil {
		freeBody()
		return nil, nil, err
	}
	if f.opt.Cat {
		err := writeFile(name, r)
		freeBody()
		if err != nil {
			os.Remove(name)
			return nil, nil, err
		}
		f.own(slot, func() { os.Remove(name) })
		return [][]string{{name}}, nil, nil
	}
	if err := unix.Mkfifo(name, 0o600); err != nil {
		freeBody()
		return nil, nil, fmt.Errorf("--fifo: %w", &os.PathError{Op: "mkfifo", Path: name, Err: err})
	}
	written := make(chan struct{})
	go func() {
		defer close(written)
		if w, err := os.OpenFile(name, os.O_WRONLY, 0); err == nil {
			r.WriteTo(w) // a job that stops reading is not an error
			w.Close()
		}
	}()
	f.own(slot, func() {
		select {
		case <-written:
		default:
			// A job that never opened the fifo leaves the writer waiting
			// in open: be its reader for a moment, so it gets EPIPE.
			if rd, err := os.OpenFile(name, os.O_RDONLY|unix.O_NONBLOCK, 0); err == nil {
				rd.Close()
			}
			select {
			case <-written:
			case <-time.After(fifoGrace):
				// Something the job left behind holds the fifo open
				// without reading: let the writer go.
				os.Remove(name)
				return
			}
		}
		os.Remove(name)
		freeBody()
	})
	return [][]string{{name}}, nil, nil
}

// TakeSkipped returns how many blocks were skipped as empty since the last
// call, so that the next job's {#} counts them as GNU parallel does.
func (f *Feed) TakeSkipped() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := f.skipped
	f.skipped = 0
	return n
}

func (f *Feed) own(slot int, rel func()) {
	f.mu.Lock()
	f.owned[slot] = rel
	f.mu.Unlock()
}

// tempName returns a new name in the run's private temporary directory.
func (f *Feed) tempName() (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dir == "" {
		d, err := os.MkdirTemp(f.tmpDir, "parx")
		if err != nil {
			return "", fmt.Errorf("temporary directory for --cat/--fifo: %w", err)
		}
		f.dir = d
	}
	f.n++
	return filepath.Join(f.dir, "par"+strconv.Itoa(f.n)), nil
}

func writeFile(name string, r io.WriterTo) error {
	w, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("--cat: %w", err)
	}
	_, err = r.WriteTo(w)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("--cat: %w", err)
	}
	return nil
}

// Close stops the reading goroutine and frees every block, file and fifo.
func (f *Feed) Close() {
	close(f.done)
	if f.Robin != nil {
		f.Robin.shutdown()
	}
	f.mu.Lock()
	rels := f.owned
	f.owned = map[int]func(){}
	f.mu.Unlock()
	for _, rel := range rels {
		rel()
	}
	if f.file != nil {
		f.wg.Wait()
		f.file.Close()
	}
	if f.dir != "" {
		os.RemoveAll(f.dir)
	}
}
