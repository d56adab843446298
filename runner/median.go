package runner

import (
	"container/heap"
	"time"
)

// medianTracker keeps the running median of job runtimes for --timeout N%:
// the lower half in a max-heap, the upper half in a min-heap. The zero
// value holds no samples.
type medianTracker struct {
	low  durHeap // negated, so the heap's minimum is the largest
	high durHeap
}

// minTimeoutSamples is how many jobs must have finished before a percentage
// timeout applies: a median of one or two jobs says little.
const minTimeoutSamples = 3

func (m *medianTracker) add(d time.Duration) {
	if m.low.Len() == 0 || d <= -m.low[0] {
		heap.Push(&m.low, -d)
	} else {
		heap.Push(&m.high, d)
	}
	switch {
	case m.low.Len() > m.high.Len()+1:
		heap.Push(&m.high, -heap.Pop(&m.low).(time.Duration))
	case m.high.Len() > m.low.Len():
		heap.Push(&m.low, -heap.Pop(&m.high).(time.Duration))
	}
}

// median returns the median once there are enough samples.
func (m *medianTracker) median() (time.Duration, bool) {
	n := m.low.Len() + m.high.Len()
	if n < minTimeoutSamples {
		return 0, false
	}
	if n%2 == 1 {
		return -m.low[0], true
	}
	return (-m.low[0] + m.high[0]) / 2, true
}

type durHeap []time.Duration

func (h durHeap) Len() int           { return len(h) }
func (h durHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h durHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *durHeap) Push(x any)        { *h = append(*h, x.(time.Duration)) }
func (h *durHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
