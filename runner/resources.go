package runner

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
)

// readResources reads the 1-minute load average and the available memory
// in bytes from /proc, for --load and --memfree.
func readResources() (load float64, memAvailable int64, err error) {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0, 0, err
	}
	f := bytes.Fields(b)
	if len(f) == 0 {
		return 0, 0, fmt.Errorf("/proc/loadavg: empty")
	}
	if load, err = strconv.ParseFloat(string(f[0]), 64); err != nil {
		return 0, 0, fmt.Errorf("/proc/loadavg: %w", err)
	}
	m, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0, 0, err
	}
	memAvailable, err = parseMemAvailable(m)
	return load, memAvailable, err
}

// parseMemAvailable finds MemAvailable (in kB) in /proc/meminfo's text.
func parseMemAvailable(meminfo []byte) (int64, error) {
	for line := range bytes.SplitSeq(meminfo, []byte("\n")) {
		rest, ok := bytes.CutPrefix(line, []byte("MemAvailable:"))
		if !ok {
			continue
		}
		f := bytes.Fields(rest)
		if len(f) == 0 {
			break
		}
		kb, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/meminfo: MemAvailable: %w", err)
		}
		return kb * 1024, nil
	}
	return 0, fmt.Errorf("/proc/meminfo: no MemAvailable line")
}
