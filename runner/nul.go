package runner

import (
	"fmt"
	"io"
	"strings"
)

// NULWarning is the warning printed, once per run, when input values held
// NUL characters that were replaced with \0.
const NULWarning = `parx: warning: a NUL character in the input was replaced with \0 (NUL cannot be passed in an argument list; did you mean -0/--null?)`

// nulEscaper replaces each NUL in the values of its records with the two
// characters \0, as GNU parallel does: no argument list or command line
// can hold a NUL, so such a job could not even start. It warns on w the
// first time.
type nulEscaper struct {
	in     RecordReader
	w      io.Writer
	warned bool
}

func (n *nulEscaper) Next() ([]string, error) {
	rec, err := n.in.Next()
	for i, v := range rec {
		if strings.IndexByte(v, 0) < 0 {
			continue
		}
		rec[i] = strings.ReplaceAll(v, "\x00", `\0`)
		if !n.warned {
			n.warned = true
			fmt.Fprintln(n.w, NULWarning)
		}
	}
	return rec, err
}
