package subproc

import (
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestParseTermSeq(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		in   string
		want []TermStep
	}{
		{"TERM,200,TERM,100,TERM,50,KILL,25", DefaultTermSeq()},
		{"TERM", []TermStep{{syscall.SIGTERM, 0}}},
		{"SIGTERM,0", []TermStep{{syscall.SIGTERM, 0}}},
		{"INT,10,KILL", []TermStep{{syscall.SIGINT, 10 * ms}, {syscall.SIGKILL, 0}}},
		{"HUP,1,QUIT,2,USR1,3,USR2,4", []TermStep{
			{syscall.SIGHUP, ms}, {syscall.SIGQUIT, 2 * ms}, {syscall.SIGUSR1, 3 * ms}, {syscall.SIGUSR2, 4 * ms}}},
		{"15,100,9,5", []TermStep{{syscall.SIGTERM, 100 * ms}, {syscall.SIGKILL, 5 * ms}}},
		{"term,5,sigkill", []TermStep{{syscall.SIGTERM, 5 * ms}, {syscall.SIGKILL, 0}}},
		{" TERM , 7 ", []TermStep{{syscall.SIGTERM, 7 * ms}}},
		{"64,1", []TermStep{{64, ms}}},
		{"WINCH,3600000", []TermStep{{syscall.SIGWINCH, time.Hour}}},
	}
	for _, tt := range tests {
		got, err := ParseTermSeq(tt.in)
		if err != nil {
			t.Errorf("ParseTermSeq(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseTermSeq(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseTermSeqErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"TERM,x", `invalid termseq "TERM,x": "x" is not a number of milliseconds`},
		{"TERM,-5", `invalid termseq "TERM,-5": "-5" is not a number of milliseconds`},
		{"TERM,1.5", `"1.5" is not a number of milliseconds`},
		{"TERM,+5", `"+5" is not a number of milliseconds`},
		{"TERM,99999999999999999999", `is not a number of milliseconds`},
		{"TERM,9223372036855", `"9223372036855" is not a number of milliseconds`},
		{"TERM,,KILL", `"" is not a number of milliseconds`},
		{"FOO,100", `invalid termseq "FOO,100": "FOO" is not a signal`},
		{"TERM,100,", `"" is not a signal`},
		{"SIG,1", `"SIG" is not a signal`},
		{"0,100", `"0" is not a signal number (1-64)`},
		{"65", `"65" is not a signal number`},
		{"999", `"999" is not a signal number`},
		{"", `invalid termseq "": empty`},
		{"  ", `empty`},
		{",", `"" is not a signal`},
	}
	for _, tt := range tests {
		got, err := ParseTermSeq(tt.in)
		if err == nil {
			t.Errorf("ParseTermSeq(%q) = %v, want error", tt.in, got)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseTermSeq(%q) error %q, want it to contain %q", tt.in, err, tt.want)
		}
	}
}

func TestDefaultTermSeqIsFresh(t *testing.T) {
	a := DefaultTermSeq()
	a[0].Signal = syscall.SIGHUP
	if DefaultTermSeq()[0].Signal != syscall.SIGTERM {
		t.Fatal("DefaultTermSeq shares its slice between calls")
	}
}

// formatTermSeq is the inverse of ParseTermSeq, for the round trip.
func formatTermSeq(seq []TermStep) string {
	var b strings.Builder
	for i, s := range seq {
		if i > 0 {
			b.WriteByte(',')
		}
		if name := unix.SignalName(s.Signal); name != "" {
			b.WriteString(strings.TrimPrefix(name, "SIG"))
		} else {
			b.WriteString(strconv.Itoa(int(s.Signal)))
		}
		b.WriteByte(',')
		b.WriteString(strconv.FormatInt(s.Wait.Milliseconds(), 10))
	}
	return b.String()
}

func FuzzParseTermSeq(f *testing.F) {
	for _, s := range []string{
		"TERM,200,TERM,100,TERM,50,KILL,25",
		"KILL",
		"SIGINT,5,9",
		"usr1,0,USR2,1,HUP",
		"TERM,x",
		"34,1",
		"",
		",,,",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		seq, err := ParseTermSeq(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "invalid termseq ") {
				t.Fatalf("ParseTermSeq(%q): error %q lacks the prefix", s, err)
			}
			return
		}
		if len(seq) == 0 {
			t.Fatalf("ParseTermSeq(%q) = empty sequence, no error", s)
		}
		for _, st := range seq {
			if st.Signal < 1 || st.Signal > maxSignal || st.Wait < 0 || st.Wait%time.Millisecond != 0 {
				t.Fatalf("ParseTermSeq(%q) gave bad step %+v", s, st)
			}
		}
		again, err := ParseTermSeq(formatTermSeq(seq))
		if err != nil {
			t.Fatalf("reparsing %q (from %q): %v", formatTermSeq(seq), s, err)
		}
		if !reflect.DeepEqual(seq, again) {
			t.Fatalf("round trip of %q: %v, then %v", s, seq, again)
		}
	})
}
