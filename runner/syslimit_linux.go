package runner

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"strconv"
	"sync"

	"golang.org/x/sys/unix"
)

// systemSlotLimit reads the process and descriptor limits, and what this
// user and process already use of them, and returns how many of the wanted
// jobs fit (GNU parallel probes the same by forking and opening files). The
// soft process limit is first raised to the hard one; Go's runtime already
// did so for descriptors.
func systemSlotLimit(wanted int) slotLimit {
	return descriptorSlots(wanted).tighter(processSlots(wanted))
}

func descriptorSlots(wanted int) slotLimit {
	var rl unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NOFILE, &rl) != nil || rl.Cur == unix.RLIM_INFINITY {
		return slotLimit{}
	}
	need := uint64(wanted*fdsPerJob + fdsReserved)
	if rl.Cur >= need+1024 {
		// Plenty: do not pay for reading /proc/self/fd.
		return slotLimit{}
	}
	open, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return slotLimit{}
	}
	free := int(rl.Cur) - len(open) - fdsReserved
	return fitSlots(wanted, free/fdsPerJob, "file handles", "try: ulimit -n $(ulimit -Hn)")
}

func processSlots(wanted int) slotLimit {
	if unix.Geteuid() == 0 {
		// The kernel does not hold root to RLIMIT_NPROC.
		return slotLimit{}
	}
	var rl unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NPROC, &rl) != nil {
		return slotLimit{}
	}
	if rl.Cur < rl.Max {
		raised := unix.Rlimit{Cur: rl.Max, Max: rl.Max}
		if unix.Setrlimit(unix.RLIMIT_NPROC, &raised) == nil {
			rl = raised
		}
	}
	if rl.Cur == unix.RLIM_INFINITY || rl.Cur >= uint64(wanted*procsPerJob+parxThreads)+4096 {
		// Only a user already running thousands of processes could be
		// short: do not pay for reading all of /proc.
		return slotLimit{}
	}
	// Every thread counts as a process, and a Go runtime that cannot make
	// a thread it wants aborts: make the threads parx will want now,
	// while there is room, and count them as used.
	if runtime.GOMAXPROCS(0) > tightGOMAXPROCS {
		runtime.GOMAXPROCS(tightGOMAXPROCS)
	}
	if have, err := userThreadsOf("self"); err == nil {
		reserveThreads(parxThreads - have)
	}
	used, err := userThreads(unix.Getuid())
	if err != nil {
		return slotLimit{}
	}
	free := int(rl.Cur) - used - 1
	return fitSlots(wanted, free/procsPerJob, "available processes", "try: ulimit -u $(ulimit -Hu)")
}

// fitSlots is the limit when fewer than wanted jobs fit, at least one.
func fitSlots(wanted, fit int, what, hint string) slotLimit {
	if fit >= wanted {
		return slotLimit{}
	}
	return slotLimit{slots: max(fit, 1), what: what, hint: hint}
}

// userThreads counts the threads of every process whose real user is uid:
// what RLIMIT_NPROC counts.
func userThreads(uid int) (int, error) {
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	want := strconv.Itoa(uid)
	total := 0
	for _, p := range procs {
		if p.Name()[0] < '0' || p.Name()[0] > '9' {
			continue
		}
		uid, threads, err := processStatus(p.Name())
		if err == nil && uid == want {
			total += threads
		}
	}
	return total, nil
}

// userThreadsOf counts the threads of one process ("self" for parx).
func userThreadsOf(pid string) (int, error) {
	_, threads, err := processStatus(pid)
	return threads, err
}

// processStatus reads a process's real user id and its thread count from
// /proc/PID/status.
func processStatus(pid string) (uid string, threads int, err error) {
	data, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return "", 0, err // gone meanwhile, perhaps
	}
	threads = 1
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Bytes()
		if rest, ok := bytes.CutPrefix(line, []byte("Uid:")); ok {
			if f := bytes.Fields(rest); len(f) > 0 {
				uid = string(f[0])
			}
		} else if rest, ok := bytes.CutPrefix(line, []byte("Threads:")); ok {
			if n, err := strconv.Atoi(string(bytes.TrimSpace(rest))); err == nil {
				threads = n
			}
		}
	}
	return uid, threads, nil
}

// parxThreads is how many threads parx makes up front under a tight
// process limit: what it was seen to use at most with GOMAXPROCS 2 and a
// hundred jobs (9), and one more.
const parxThreads = 10

// tightGOMAXPROCS is the parallelism of Go code in parx under a tight
// process limit: parx mostly waits, and each extra P may want a thread.
const tightGOMAXPROCS = 2

// reserveThreads makes the Go runtime start n OS threads beside the one
// calling it, if it has not got them yet, and keep them. Each goroutine
// locked to its thread holds one while all are waiting; once they unlock
// and end, the threads stay idle in the runtime, which never ends an idle
// thread, for the moments it needs more.
func reserveThreads(n int) {
	if n <= 0 {
		return
	}
	var ready, held sync.WaitGroup
	release := make(chan struct{})
	for range n {
		ready.Add(1)
		held.Go(func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			ready.Done()
			<-release
		})
	}
	ready.Wait()
	close(release)
	held.Wait()
}
