package runner

import (
	"io"
	"sync"

	"github.com/parx-dev/parx/internal/input"
)

// Progress is how far a run has got, as Config.Progress is told it. The
// zero value is a run that has started nothing, of a known total of zero.
type Progress struct {
	Started int64 // jobs started
	Done    int64 // jobs ended whose output has been printed (or saved)
	Failed  int64 // of those, the jobs that failed
	// Total is the number of jobs: counted in advance when that is cheap,
	// or else Config.ExpectedJobs until the input ends, then the real
	// count; -1 while it is not known.
	Total int64
}

// trackProgress chains counting hooks onto the pool and the job source,
// and reports each change to cfg.Progress. The caller calls delivered for
// each result once its output is out: only then is a job done.
func trackProgress(cfg *Config, pool *Pool, src JobSource) (counted JobSource, delivered func(*Result)) {
	var mu sync.Mutex
	st := Progress{Total: -1}
	if cfg.ExpectedJobs > 0 {
		st.Total = cfg.ExpectedJobs
	}
	report := func(change func()) {
		mu.Lock()
		defer mu.Unlock()
		change()
		cfg.Progress(st)
	}
	pool.Observe(Hooks{OnStart: func(*Job, int) { report(func() { st.Started++ }) }})
	delivered = func(r *Result) {
		report(func() {
			st.Done++
			if r.Failed() {
				st.Failed++
			}
		})
	}
	var made int64
	report(func() {})
	counted = JobSourceFunc(func(slot int) (*Job, error) {
		j, err := src.Next(slot)
		if err == io.EOF {
			report(func() { st.Total = made })
		} else if err == nil {
			made++
		}
		return j, err
	})
	return counted, delivered
}

// maxCounted is the most jobs knownTotal counts.
const maxCounted = 10_000_000

// knownTotal counts a run's jobs in advance when that is cheap and exact:
// every source is a list of values in memory (:::) and each job takes one
// record. Otherwise, or for more than maxCounted jobs, it returns 0
// (unknown until the input ends).
func knownTotal(cfg *Config) int64 {
	if cfg.Batch.MaxArgsSet || cfg.Batch.Fill || cfg.Batch.MaxLine > 0 || len(cfg.Command) == 0 ||
		cfg.Resume != nil || cfg.RetryFailed != nil {
		return 0
	}
	n, ok := input.CountRecords(cfg.Sources, cfg.Records, maxCounted)
	if !ok {
		return 0
	}
	return n
}
