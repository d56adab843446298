package cmd

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/parx-dev/parx/runner"
)

// The last job's stderr comes after the bar reached its total. Writing it
// clears the finished bar; the bar must show again below the line, and
// finish must leave the final count on the screen.
func TestProgressRedrawsFinishedBar(t *testing.T) {
	for _, late := range []bool{false, true} {
		var screen bytes.Buffer
		p := newProgress(progressStyle{bar: true}, &screen)
		p.update(runner.Progress{Started: 2, Done: 1, Total: 2})
		p.update(runner.Progress{Started: 2, Done: 2, Total: 2})
		if late { // the line comes after the throttle, so the write redraws
			p.drawn = time.Now().Add(-time.Second)
		}
		p.writer(&screen).Write([]byte("err2\n"))
		p.finish()
		out := screen.String()
		after := out[strings.LastIndex(out, "err2\n")+len("err2\n"):]
		if !strings.Contains(after, "2/2") || !strings.HasSuffix(out, "\n") {
			t.Errorf("late=%v: no final bar below the job's line: %q", late, out)
		}
	}
}
