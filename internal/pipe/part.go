package pipe

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"regexp"
)

// partReadSize is how much --pipe-part reads at a time when it looks for a
// record border (GNU parallel's dd block size).
const partReadSize = 128 << 10

// FileParts finds where --pipe-part cuts the file at path into parts, as GNU
// parallel does, reading only the bytes around each border. It returns the
// header (the text opt.Header matches at the start of the file, which goes
// ahead of every part) and the borders: the first is where the header ends,
// the last is the size of the file, and part i is the bytes from borders[i]
// up to borders[i+1]. An empty file has no part. slots is the number of job
// slots, used when opt.BlockSize is zero or negative.
func FileParts(path string, opt Options, slots int) (header []byte, borders []int64, err error) {
	f, size, err := openSeekable(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	return fileParts(f, size, opt, slots)
}

// openParts opens opt.PartFile and finds its parts; the file stays open for
// the jobs to read.
func openParts(opt Options, slots int) ([]int64, *os.File, []byte, error) {
	f, size, err := openSeekable(opt.PartFile)
	if err != nil {
		return nil, nil, nil, err
	}
	head, borders, err := fileParts(f, size, opt, slots)
	if err != nil {
		f.Close()
		return nil, nil, nil, err
	}
	return borders, f, head, nil
}

func openSeekable(path string) (*os.File, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("--pipe-part: %w", err)
	}
	st, err := f.Stat()
	if err == nil && st.Mode().IsRegular() {
		return f, st.Size(), nil
	}
	if err == nil && st.Mode()&os.ModeDevice != 0 && st.Mode()&os.ModeCharDevice == 0 {
		size, err := f.Seek(0, io.SeekEnd)
		if err == nil {
			return f, size, nil
		}
	}
	f.Close()
	return nil, 0, fmt.Errorf("--pipe-part works only on a seekable file, and %s is not one", path)
}

func fileParts(f *os.File, size int64, opt Options, slots int) ([]byte, []int64, error) {
	seps, err := newRecSeps(&opt)
	if err != nil {
		return nil, nil, err
	}
	bs := opt.BlockSize
	if opt.RoundRobin {
		bs = -1 // GNU: one part per job slot
	}
	if bs <= 0 {
		per := -bs
		if per == 0 {
			per = 10
		}
		bs = 1 + size/int64(max(slots, 1))/per
	}
	var head []byte
	if opt.Header != "" {
		if head, err = partHeader(f, opt.Header); err != nil {
			return nil, nil, err
		}
	}
	skip := int64(len(head))
	borders := []int64{skip}
	buf := make([]byte, 0, partReadSize)
	for pos := skip + bs; pos < size; pos += bs {
		found := false
		buf = buf[:0]
		for !found {
			if cap(buf)-len(buf) < partReadSize {
				buf = append(buf, make([]byte, partReadSize)...)[:len(buf)]
			}
			n, err := f.ReadAt(buf[len(buf):len(buf)+partReadSize], pos+int64(len(buf)))
			if err != nil && err != io.EOF {
				return nil, nil, fmt.Errorf("--pipe-part: %w", err)
			}
			from := max(0, len(buf)-len(seps.sep)+1)
			buf = buf[:len(buf)+n]
			if seps.regexp {
				if m := seps.last.FindSubmatchIndex(buf); m != nil {
					pos += int64(m[3])
					found = true
				}
			} else if i := bytes.Index(buf[from:], seps.sep); i >= 0 {
				pos += int64(from + i + len(seps.end))
				found = true
			}
			if n == 0 {
				break
			}
		}
		if !found {
			break // no border after pos, nor after any later pos
		}
		borders = append(borders, pos)
	}
	if borders[len(borders)-1] != size {
		borders = append(borders, size)
	}
	return head, borders, nil
}

// partHeader reads the start of the file until the --header expression
// matches there.
func partHeader(f *os.File, expr string) ([]byte, error) {
	re, err := regexp.Compile(`\A(?:` + expr + `)`)
	if err != nil {
		return nil, fmt.Errorf("invalid --header regular expression: %w", err)
	}
	var buf []byte
	chunk := make([]byte, partReadSize)
	for {
		n, err := f.ReadAt(chunk, int64(len(buf)))
		buf = append(buf, chunk[:n]...)
		if m := re.FindIndex(buf); n > 0 && m != nil {
			return buf[:m[1]:m[1]], nil
		}
		if err == io.EOF || n == 0 {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("--pipe-part: %w", err)
		}
	}
}
