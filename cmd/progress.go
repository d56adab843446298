package cmd

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/parx-dev/parx/runner"
)

// progressStyle is what --bar, --progress and --eta ask to show. The zero
// value shows nothing.
type progressStyle struct {
	bar, counts, eta bool
}

func (s progressStyle) on() bool { return s.bar || s.counts || s.eta }

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progress draws a run's progress on stderr with progressbar. Job output
// written to stdout or stderr through its writers first clears the bar
// and redraws it after a whole line, so the bar never garbles a line; the
// bytes of stdout are passed on untouched.
type progress struct {
	style progressStyle
	w     io.Writer // stderr, where the bar is drawn

	mu      sync.Mutex
	bar     *progressbar.ProgressBar
	total   int64 // the bar's max; -1 while unknown
	last    runner.Progress
	desc    string    // the bar's description
	drawn   time.Time // when the bar was last drawn; zero if never
	cleared bool      // output was written over the bar: draw it again
}

func newProgress(style progressStyle, stderr io.Writer) *progress {
	return &progress{style: style, w: stderr, total: -2}
}

// newBar makes the bar for a total (-1: unknown) with a description.
func (p *progress) newBar(total int64, desc string) *progressbar.ProgressBar {
	opts := []progressbar.Option{
		progressbar.OptionSetDescription(desc),
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionSetPredictTime(p.style.eta),
		progressbar.OptionSetElapsedTime(p.style.eta || p.style.counts),
		progressbar.OptionShowDescriptionAtLineEnd(),
	}
	if total < 0 {
		opts = append(opts, progressbar.OptionSpinnerType(14))
	}
	return progressbar.NewOptions64(total, opts...)
}

// throttle is the shortest time between two drawings of the bar.
const throttle = 100 * time.Millisecond

// update is runner.Config.Progress.
func (p *progress) update(st runner.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.last = st
	if p.cleared || time.Since(p.drawn) >= throttle || (st.Total >= 0 && st.Done >= st.Total) {
		p.draw()
	}
}

// draw shows the last state.
func (p *progress) draw() {
	st := p.last
	total := st.Total
	if total >= 0 && st.Done > total {
		total = -1
	}
	if total == 0 { // no jobs: no bar
		p.clear()
		return
	}
	if p.bar == nil || total != p.total || p.bar.IsFinished() {
		// A finished bar draws no more: redraw the state on a new one.
		p.clear()
		p.desc = p.describe(st)
		p.bar, p.total = p.newBar(total, p.desc), total
	}
	p.bar.Set64(st.Done) // with the count shown, this always draws
	if d := p.describe(st); d != p.desc {
		p.bar.Describe(d)
		p.desc = d
	}
	p.drawn, p.cleared = time.Now(), false
}

func (p *progress) describe(st runner.Progress) string {
	var s string
	if st.Total < 0 {
		s = "jobs (total unknown: input is still being read)"
	} else {
		s = "jobs"
	}
	if p.style.counts {
		s += fmt.Sprintf(" running:%d failed:%d", st.Started-st.Done, st.Failed)
	}
	return s
}

// clear erases the bar's line, if it is drawn. (progressbar's own Clear
// misses a bar drawn as finished.)
func (p *progress) clear() {
	if p.bar != nil && !p.cleared {
		io.WriteString(p.w, "\r\x1b[K")
		p.cleared = true
	}
}

// finish leaves the final state on its own line.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn.IsZero() {
		return
	}
	if p.last.Total == 0 { // no jobs: no bar
		return
	}
	if p.cleared || !p.bar.IsFinished() {
		p.draw()
	}
	p.bar.Exit()
	io.WriteString(p.w, "\n")
}

// writer returns w wrapped to keep the bar off w's lines.
func (p *progress) writer(w io.Writer) io.Writer { return &barWriter{p: p, w: w} }

type barWriter struct {
	p *progress
	w io.Writer
}

func (b *barWriter) Write(data []byte) (int, error) {
	b.p.mu.Lock()
	defer b.p.mu.Unlock()
	b.p.clear()
	n, err := b.w.Write(data)
	if b.p.bar != nil && len(data) > 0 && data[len(data)-1] == '\n' && time.Since(b.p.drawn) >= throttle {
		b.p.draw()
	}
	return n, err
}
