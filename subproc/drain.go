package subproc

import (
	"errors"
	"io"
	"os"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// outputPipe carries one of the program's output streams to the caller's
// writer. os/exec's own pipes are closed WaitDelay after the program exits
// whether or not they were drained, so on a busy machine the tail of a
// finished job's output was silently lost. Here the read end is only given up
// once the program has exited and the pipe has stayed open with nothing in it
// for the whole idle bound: what a grandchild holding the pipe looks like.
type outputPipe struct {
	r, w *os.File
	dst  io.Writer
	idle time.Duration // < 0: wait for end of file forever

	exited atomic.Bool
	done   chan struct{} // closed when copying has ended
	n      int64         // bytes copied, valid after done
	err    error         // read error other than end of file, valid after done
	gaveUp bool          // the pipe went idle while still open, valid after done
}

// newOutputPipe makes the pipe; the caller hands p.w to the program.
func newOutputPipe(dst io.Writer, idle time.Duration) (*outputPipe, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	return &outputPipe{r: r, w: w, dst: dst, idle: idle, done: make(chan struct{})}, nil
}

// start closes this process's copy of the write end, which the program now
// has, and starts copying.
func (p *outputPipe) start() {
	p.w.Close()
	go func() {
		defer close(p.done)
		defer p.r.Close()
		p.n, _ = io.Copy(p.dst, struct{ io.Reader }{p})
	}()
}

// abandon releases a pipe whose program never started.
func (p *outputPipe) abandon() {
	p.w.Close()
	p.r.Close()
}

// programExited starts the idle bound.
func (p *outputPipe) programExited() {
	if p.idle < 0 {
		return
	}
	p.exited.Store(true)
	select {
	case <-p.done:
		// Already read to its end, as most are by the time the program's
		// exit is seen: no deadline (and no timer) is needed.
	default:
		_ = p.r.SetReadDeadline(time.Now().Add(p.idle))
	}
}

// wait blocks until copying has ended.
func (p *outputPipe) wait() { <-p.done }

// Read is what io.Copy reads. Once the program has exited, every read that
// brings data pushes the idle deadline back.
func (p *outputPipe) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.extend()
		return n, nil
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		// The deadline only says that this goroutine saw nothing for the
		// idle bound, and a loaded machine may simply not have run it.
		// The pipe itself decides: data or end of file in it now means
		// the stream is still alive.
		_ = p.r.SetReadDeadline(time.Time{})
		n, err = p.readNow(b)
		switch {
		case n > 0:
			p.extend()
			return n, nil
		case errors.Is(err, unix.EAGAIN):
			p.gaveUp = true
			return 0, io.EOF
		case err == nil:
			return 0, io.EOF
		}
	}
	if err != nil && err != io.EOF {
		p.err = err
	}
	return n, err
}

// extend pushes the idle deadline back after data arrived.
func (p *outputPipe) extend() {
	if p.exited.Load() {
		_ = p.r.SetReadDeadline(time.Now().Add(p.idle))
	}
}

// readNow reads what the pipe holds without waiting: unix.EAGAIN when it is
// empty but still open, n == 0 and no error at end of file.
func (p *outputPipe) readNow(b []byte) (n int, err error) {
	rc, err := p.r.SyscallConn()
	if err != nil {
		return 0, err
	}
	if cerr := rc.Read(func(fd uintptr) bool {
		for {
			n, err = unix.Read(int(fd), b)
			if err != unix.EINTR {
				break
			}
		}
		if n < 0 {
			n = 0
		}
		return true
	}); cerr != nil {
		return 0, cerr
	}
	return n, err
}

// eachPipe calls f with the program's stdout and stderr pipes, those it has
// (a stream the caller gave as an *os.File, or not at all, has none).
func (s *streams) eachPipe(f func(*outputPipe)) {
	for _, p := range [...]*outputPipe{s.outP, s.errP} {
		if p != nil {
			f(p)
		}
	}
}
