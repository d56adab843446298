package subproc

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// sysProcAttr puts the program in its own process group. Pdeathsig: should
// this process die without stopping the program (kill -9), the program is
// killed too instead of running on as an orphan with nobody to read its
// output. (Its own children are beyond reach then.) The signal is tied to
// the OS thread that forks, and Go only ends threads of goroutines that
// lock one, which this package never does while starting a program.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// waitExited blocks until process pid has exited, leaving it waitable. It
// waits in the runtime's poller on a pidfd rather than in a blocking waitid,
// so that running jobs hold no OS thread each: under a low `ulimit -u` every
// thread counts as a process, and a Go runtime that cannot make a thread it
// wants aborts.
func waitExited(pid int) error {
	fd, err := unix.PidfdOpen(pid, unix.PIDFD_NONBLOCK)
	if err != nil {
		// Kernels before 5.3, or a sandbox that forbids it.
		return waitExitedBlocking(pid)
	}
	f := os.NewFile(uintptr(fd), "pidfd")
	defer f.Close()
	rc, err := f.SyscallConn()
	if err != nil {
		return waitExitedBlocking(pid)
	}
	var werr error
	if err := rc.Read(func(uintptr) bool {
		var exited bool
		exited, werr = hasExited(pid)
		return exited || werr != nil
	}); err != nil {
		// The pidfd is not pollable here.
		return waitExitedBlocking(pid)
	}
	return werr
}

// waitExitedBlocking is waitExited at the cost of a thread.
func waitExitedBlocking(pid int) error {
	var info unix.Siginfo
	for {
		err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if err != unix.EINTR {
			return err
		}
	}
}

// hasExited reports whether process pid has exited, without reaping it.
func hasExited(pid int) (bool, error) {
	for {
		var info unix.Siginfo
		err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT|unix.WNOHANG, nil)
		switch err {
		case nil:
			// With WNOHANG and nothing to report, the kernel leaves the
			// (zeroed) siginfo alone.
			return info.Signo != 0, nil
		case unix.EINTR:
		default:
			return false, err
		}
	}
}

// ownNiceness is this process's niceness. Linux's getpriority system call
// returns 20 minus it.
func ownNiceness() int {
	raw, err := unix.Getpriority(unix.PRIO_PROCESS, 0)
	if err != nil {
		return 0
	}
	return 20 - raw
}
