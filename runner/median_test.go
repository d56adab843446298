package runner

import (
	"testing"
	"time"
)

func TestMedianTracker(t *testing.T) {
	var m medianTracker
	steps := []struct {
		add  time.Duration
		want time.Duration
		ok   bool
	}{
		{5, 0, false}, {1, 0, false}, {9, 5, true}, {3, 4, true}, {100, 5, true}, {2, 4, true}, {0, 3, true},
	}
	for i, s := range steps {
		m.add(s.add)
		got, ok := m.median()
		if got != s.want || ok != s.ok {
			t.Errorf("after %d samples: median = %v, %v; want %v, %v", i+1, got, ok, s.want, s.ok)
		}
	}
}
