package cmd

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/parx-dev/parx/internal/pipe"
	"github.com/parx-dev/parx/runner"
)

// pipeFlags are the options of --pipe and --pipe-part. The zero value is
// not pipe mode.
type pipeFlags struct {
	pipe, part   bool
	block        string
	recstart     string
	recend       string
	regexp       bool
	removeRecSep bool
	roundRobin   bool
	cat, fifo    bool
	blockTimeout string
}

// pipeOnly names the options that mean something only in pipe mode.
var pipeOnly = []string{
	"block", "block-size", "blocksize", "block-timeout", "blocktimeout", "bt", "recstart", "recend",
	"regexp", "regex", "remove-rec-sep", "removerecsep", "rrs", "round-robin", "roundrobin", "round",
}

func definePipeFlags(fs *pflag.FlagSet, p *pipeFlags) {
	fs.BoolVar(&p.pipe, "pipe", false, "split stdin into blocks and give each job one on its stdin")
	fs.BoolVar(&p.pipe, "spreadstdin", false, "same as --pipe")
	fs.BoolVar(&p.part, "pipe-part", false, "as --pipe, with blocks read by each job from the file of -a (seekable)")
	fs.BoolVar(&p.part, "pipepart", false, "same as --pipe-part")
	fs.StringVar(&p.block, "block", "", "blocks of `SIZE` bytes (k=1000, K=1024, M, G...; default 1M)")
	fs.StringVar(&p.block, "block-size", "", "same as --block")
	fs.StringVar(&p.block, "blocksize", "", "same as --block")
	fs.StringVar(&p.blockTimeout, "block-timeout", "", "pass on a partial block when reading it takes more than `SECS` (s, m, h, d)")
	fs.StringVar(&p.blockTimeout, "blocktimeout", "", "same as --block-timeout")
	fs.StringVar(&p.blockTimeout, "bt", "", "same as --block-timeout")
	fs.StringVar(&p.recstart, "recstart", "", "records start with `STR` (--pipe)")
	fs.StringVar(&p.recend, "recend", "", "records end with `STR` (--pipe; default \\n)")
	fs.BoolVar(&p.regexp, "regexp", false, "--recstart and --recend are regular expressions")
	fs.BoolVar(&p.regexp, "regex", false, "same as --regexp")
	fs.BoolVar(&p.removeRecSep, "remove-rec-sep", false, "remove the record separators from the blocks")
	fs.BoolVar(&p.removeRecSep, "removerecsep", false, "same as --remove-rec-sep")
	fs.BoolVar(&p.removeRecSep, "rrs", false, "same as --remove-rec-sep")
	fs.BoolVar(&p.roundRobin, "round-robin", false, "start only -j jobs and deal the blocks out among them")
	fs.BoolVar(&p.roundRobin, "roundrobin", false, "same as --round-robin")
	fs.BoolVar(&p.roundRobin, "round", false, "same as --round-robin")
	fs.BoolVar(&p.cat, "cat", false, "write each block to a temporary file, named by {} (implies --pipe)")
	fs.BoolVar(&p.fifo, "fifo", false, "give each block through a named pipe, named by {} (implies --pipe)")
}

// pipeOptions turns the pipe flags into runner options; nil means no pipe
// mode. records and lines are -N and -L (0 when not given), header is
// --header.
func (p *pipeFlags) options(fl *pflag.FlagSet, stdin io.Reader, argFiles []string, records, lines int, header string) (*runner.PipeOptions, error) {
	if !p.pipe && !p.part && !p.cat && !p.fifo {
		// GNU parallel ignores these without --pipe; parx accepts no
		// option it then ignores, and a forgotten --pipe would otherwise
		// run one job per input line instead of per block.
		for _, name := range pipeOnly {
			if fl.Changed(name) {
				return nil, fmt.Errorf("--%s works only with --pipe or --pipe-part", name)
			}
		}
		return nil, nil
	}
	opt := &runner.PipeOptions{Input: stdin, Regexp: p.regexp, RemoveRecSep: p.removeRecSep,
		RoundRobin: p.roundRobin, Cat: p.cat, Fifo: p.fifo}
	if p.part {
		if len(argFiles) != 1 || argFiles[0] == "-" {
			return nil, errors.New("--pipe-part needs one seekable file, given with -a FILE")
		}
		opt.PartFile = argFiles[0]
	}
	if fl.Changed("block") || fl.Changed("block-size") || fl.Changed("blocksize") {
		n, err := pipe.ParseBlockSize(p.block)
		if err != nil {
			return nil, fmt.Errorf("--block: %w", err)
		}
		if n < 0 && !p.part {
			return nil, fmt.Errorf("--block must not be negative with --pipe, not %q", p.block)
		}
		opt.BlockSize = n
	}
	if fl.Changed("block-timeout") || fl.Changed("blocktimeout") || fl.Changed("bt") {
		d, err := parseSeconds(p.blockTimeout)
		if err != nil || d < time.Second {
			return nil, fmt.Errorf("--block-timeout must be at least 1 second, not %q", p.blockTimeout)
		}
		opt.BlockTimeout = d.Truncate(time.Second) // GNU: whole seconds
	}
	startSet, endSet := fl.Changed("recstart"), fl.Changed("recend")
	opt.RecStart, opt.RecEnd = p.recstart, p.recend
	if !p.regexp {
		opt.RecStart, opt.RecEnd = pipe.UnescapeRecSep(p.recstart), pipe.UnescapeRecSep(p.recend)
	}
	if (startSet || endSet) && opt.RecStart == "" && opt.RecEnd == "" && !p.regexp {
		return nil, errors.New("--recstart and --recend cannot both be empty")
	}
	if startSet && !endSet {
		opt.RecEnd = "" // GNU: --recstart alone means records end anywhere
	}
	// -N: records per job; -L alone: records of L lines; both: N*L records.
	switch {
	case records > 0:
		opt.RecordsPerJob = records * max(lines, 1)
	case lines > 0:
		opt.Lines = lines
	}
	if fl.Changed("header") {
		switch {
		case header == ":":
			opt.Header = `(.*\n)`
		case isDigits(header):
			n, _ := strconv.Atoi(header)
			opt.Header = strings.Repeat(`(.*\n)`, n)
		default:
			opt.Header = header
		}
	}
	return opt, nil
}

func isDigits(s string) bool {
	if s == "" || len(s) > 6 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
