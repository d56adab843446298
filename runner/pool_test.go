package runner

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"
)

// runLines runs shell lines on p and returns the results in order.
func runLines(t *testing.T, ctx context.Context, p *Pool, lines ...string) ([]*Result, error) {
	t.Helper()
	i := 0
	var got []*Result
	p.KeepOrder = true
	err := p.Run(ctx, JobSourceFunc(func(int) (*Job, error) {
		if i == len(lines) {
			return nil, io.EOF
		}
		i++
		return &Job{Line: lines[i-1]}, nil
	}), func(r *Result) error {
		out, _ := r.Stdout.Bytes()
		kept := &Buffer{}
		kept.Write(out)
		res := *r
		res.Stdout = kept // the Pool closes r's own buffers after emit
		got = append(got, &res)
		return nil
	})
	return got, err
}

func TestPoolRetriesRereadStdin(t *testing.T) {
	p := &Pool{Slots: 1, Retries: 3, KeepOrder: true}
	i := 0
	var got []*Result
	err := p.Run(context.Background(), JobSourceFunc(func(int) (*Job, error) {
		if i > 0 {
			return nil, io.EOF
		}
		i++
		// Fails unless its stdin is whole; each attempt must get all of it.
		return &Job{Line: `[ "$(cat)" = "block" ] && echo ok && exit 1`, Stdin: strings.NewReader("block")}, nil
	}), func(r *Result) error {
		out, _ := r.Stdout.Bytes()
		if string(out) != "ok\n" {
			t.Errorf("attempt %d read %q", r.Attempts, out)
		}
		got = append(got, r)
		return nil
	})
	if err != nil || len(got) != 1 || got[0].Attempts != 3 || got[0].Sent != 5 {
		t.Fatalf("Run: %v; results %d, attempts %d, sent %d; want one result after 3 attempts of 5 bytes", err, len(got), got[0].Attempts, got[0].Sent)
	}
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// src is an input source of fixed values, as after ":::".
func src(v ...string) SourceSpec { return SourceSpec{Source: &SliceSource{Values: v}} }
