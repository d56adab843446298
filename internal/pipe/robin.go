package pipe

import (
	"context"
	"io"
	"maps"
	"slices"
	"sync"
)

// Dealer deals the blocks of --round-robin. Each of the first blocks
// starts a job, up to the number of job slots, as in GNU parallel; the
// running jobs take the rest as fast as they read. Until the Pool has stopped
// starting jobs (stopStarting) or every slot has a job, the running ones take
// nothing: otherwise a quick first job could drain a short input before the
// second one starts.
//
// A block handed to a job the Pool then never starts (a SIGHUP or a halt
// while it was being fetched) goes back to the queue, so no input is lost.
type Dealer struct {
	slots  func() int
	putBuf func([]byte)

	mu      sync.Mutex
	cond    *sync.Cond
	queue   []*blockReader // one block read ahead, and blocks of jobs never started
	eof     bool           // the input is used up
	err     error          // reading the input failed
	closed  bool           // the run is over or cancelled
	jobs    int
	full    bool                 // every job slot got a job
	noMore  bool                 // the Pool starts no more jobs
	pending map[*robinReader]int // readers handed out but not yet started
	unhook  func() bool          // unregisters the close on cancel
}

func newDealer(ctx context.Context, slots func() int, putBuf func([]byte)) *Dealer {
	d := &Dealer{slots: slots, putBuf: putBuf, pending: map[*robinReader]int{}}
	d.cond = sync.NewCond(&d.mu)
	d.unhook = context.AfterFunc(ctx, d.close)
	return d
}

// fill reads the input into the queue, one block ahead of the jobs.
func (d *Dealer) fill(sp *BlockSplitter) {
	for {
		b, err := sp.Next()
		d.mu.Lock()
		for err == nil && len(d.queue) > 0 && !d.closed {
			d.cond.Wait()
		}
		switch {
		case d.closed:
			d.mu.Unlock()
			return
		case err == io.EOF:
			d.eof = true
		case err != nil:
			d.err = err
		default:
			d.queue = append(d.queue, &blockReader{head: sp.Header(), body: b})
		}
		d.cond.Broadcast()
		d.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// nextJob returns the standard input of a new job, which starts with the
// next block, or io.EOF when no job is to start: every slot has one, the
// input ended, or the Pool stopped starting jobs.
func (d *Dealer) nextJob() ([][]string, io.Reader, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for {
		switch {
		case d.closed || d.noMore || d.full:
			return nil, nil, io.EOF
		case len(d.queue) > 0:
			r := &robinReader{d: d, cur: d.pop()}
			d.jobs++
			d.pending[r] = d.jobs
			if d.jobs >= d.slots() {
				d.full = true
				d.cond.Broadcast()
			}
			return [][]string{}, r, nil
		case d.err != nil:
			return nil, nil, d.err
		case d.eof:
			return nil, nil, io.EOF
		}
		d.cond.Wait()
	}
}

func (d *Dealer) pop() *blockReader {
	b := d.queue[0]
	d.queue[0] = nil
	d.queue = d.queue[1:]
	return b
}

// Started records that the Pool started the job reading stdin (Pool.OnStart).
func (d *Dealer) Started(stdin io.Reader) {
	if r, ok := stdin.(*robinReader); ok {
		d.mu.Lock()
		delete(d.pending, r)
		d.cond.Broadcast()
		d.mu.Unlock()
	}
}

// StopStarting lets the running jobs take the remaining blocks
// (Pool.OnLastStart). The first blocks of jobs handed out but never started
// go back to the front of the queue, in input order.
func (d *Dealer) StopStarting() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.noMore = true
	unstarted := slices.SortedFunc(maps.Keys(d.pending), func(a, b *robinReader) int {
		return d.pending[a] - d.pending[b]
	})
	var back []*blockReader
	for _, r := range unstarted {
		delete(d.pending, r)
		back = append(back, r.cur)
		r.cur = nil
	}
	d.queue = append(back, d.queue...)
	d.cond.Broadcast()
}

// shutdown ends the dealing when the run is over.
func (d *Dealer) shutdown() {
	d.unhook()
	d.close()
}

// close ends the dealing: readers get io.EOF and fill stops.
func (d *Dealer) close() {
	d.mu.Lock()
	d.closed = true
	d.cond.Broadcast()
	d.mu.Unlock()
}

// take gets the next block for a running job once every slot has a job or
// the Pool has stopped starting them; nil means there is none left. The
// input ends for the running jobs only when no block can come back from a
// job handed out but not started.
func (d *Dealer) take() *blockReader {
	d.mu.Lock()
	defer d.mu.Unlock()
	for {
		switch {
		case d.closed:
			return nil
		case !d.noMore && !d.full:
		case len(d.queue) > 0:
			b := d.pop()
			d.cond.Broadcast() // room for fill
			return b
		case (d.eof || d.err != nil) && (d.noMore || len(d.pending) == 0):
			return nil
		}
		d.cond.Wait()
	}
}

// robinReader is a --round-robin job's stdin: the header once, then every
// block it manages to take from the dealer.
type robinReader struct {
	d      *Dealer
	cur    *blockReader
	headed bool
}

func (r *robinReader) Read(p []byte) (int, error) {
	for {
		if r.cur == nil && !r.take() {
			return 0, io.EOF
		}
		n, err := r.cur.Read(p)
		if err == io.EOF {
			r.drop()
			if n == 0 {
				continue
			}
			err = nil
		}
		return n, err
	}
}

// WriteTo writes whole blocks.
func (r *robinReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		if r.cur == nil && !r.take() {
			return total, nil
		}
		n, err := r.cur.WriteTo(w)
		total += n
		r.drop()
		if err != nil {
			return total, err
		}
	}
}

// take gets the next block; the header goes only ahead of the first.
func (r *robinReader) take() bool {
	b := r.d.take()
	if b == nil {
		return false
	}
	r.cur = b
	if r.headed {
		r.cur.head = nil
	}
	r.headed = true
	return true
}

func (r *robinReader) drop() {
	r.headed = true // the first block came with the job
	r.d.putBuf(r.cur.body)
	r.cur = nil
}
