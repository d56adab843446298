package cmd

import "testing"

func TestParseCPUInfo(t *testing.T) {
	const twoSocketsHT = `processor	: 0
physical id	: 0
core id		: 0

processor	: 1
physical id	: 0
core id		: 0

processor	: 2
physical id	: 1
core id		: 0

processor	: 3
physical id	: 1
core id		: 1
`
	tests := []struct {
		name string
		info string
		want cpuTopology
	}{
		{"two sockets, one core with two threads", twoSocketsHT, cpuTopology{threads: 4, cores: 3, sockets: 2}},
		{"no topology lines (some VMs, ARM)", "processor\t: 0\nprocessor\t: 1\n", cpuTopology{threads: 2, cores: 2, sockets: 1}},
		{"unreadable: all threads", "", cpuTopology{threads: 8, cores: 8, sockets: 1}},
	}
	for _, tt := range tests {
		if got := parseCPUInfo([]byte(tt.info), 8); got != tt.want {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
}
