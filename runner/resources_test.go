package runner

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestParseMemAvailable(t *testing.T) {
	got, err := parseMemAvailable([]byte("MemTotal:       16000000 kB\nMemFree:  100 kB\nMemAvailable:    2048 kB\n"))
	if err != nil || got != 2048*1024 {
		t.Errorf("parseMemAvailable = %d, %v", got, err)
	}
	if _, err := parseMemAvailable([]byte("MemTotal: 1 kB\n")); err == nil {
		t.Error("no MemAvailable line: want an error")
	}
	if _, _, err := readResources(); err != nil {
		t.Errorf("readResources on this machine: %v", err)
	}
}

func TestPoolLoadGate(t *testing.T) {
	var load atomic.Value
	load.Store(5.0)
	p := &Pool{Slots: 2, MaxLoad: 1, probe: func() (float64, int64, error) { return load.Load().(float64), 1 << 40, nil }}
	time.AfterFunc(1500*time.Millisecond, func() { load.Store(0.5) })
	start := time.Now()
	res, err := runLines(t, context.Background(), p, "true")
	if err != nil || len(res) != 1 {
		t.Fatalf("Run: %v, %d results", err, len(res))
	}
	if d := res[0].Start.Sub(start); d < time.Second {
		t.Errorf("the job started %v after Run, while the load was above --load", d)
	}
}

func TestPoolMemFreeKillsYoungestAndRerunsIt(t *testing.T) {
	var low atomic.Bool
	p := &Pool{Slots: 2, MemFree: 1000, Delay: 100 * time.Millisecond, probe: func() (float64, int64, error) {
		if low.Load() {
			return 0, 100, nil // below half of MemFree
		}
		return 0, 1 << 30, nil
	}}
	dir := t.TempDir()
	// The older job runs through; the younger one is killed while memory is
	// low, then runs again from the start once memory is back.
	time.AfterFunc(1200*time.Millisecond, func() { low.Store(true) })
	time.AfterFunc(3000*time.Millisecond, func() { low.Store(false) })
	res, err := runLines(t, context.Background(), p,
		"sleep 3.5; echo old",
		"sleep 0.2; echo >> "+dir+"/starts; sleep 2.5; echo young")
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"old\n", "young\n"} {
		out, _ := res[i].Stdout.Bytes()
		if string(out) != want || res[i].Failed() {
			t.Errorf("job %d: output %q, failed %v; want %q, success", i+1, out, res[i].Failed(), want)
		}
	}
	starts := readFile(t, dir+"/starts")
	if starts != "\n\n" {
		t.Errorf("the younger job started %d times, want 2", strings.Count(starts, "\n"))
	}
}
