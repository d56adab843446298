//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package subproc

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// sysProcAttr puts the program in its own process group. These systems
// have no Pdeathsig: a kill -9 of this process leaves its programs running.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

// waitExited blocks until process pid has exited, leaving it waitable (a
// zombie that keeps its process group id ours), with a kqueue NOTE_EXIT.
func waitExited(pid int) error { return waitExitedBlocking(pid) }

// waitExitedBlocking is waitExited; a kevent wait holds a thread.
func waitExitedBlocking(pid int) error {
	kq, err := unix.Kqueue()
	if err != nil {
		return err
	}
	defer unix.Close(kq)
	change := []unix.Kevent_t{procExitEvent(pid)}
	events := make([]unix.Kevent_t, 1)
	for {
		_, err := unix.Kevent(kq, change, events, nil)
		switch err {
		case nil, unix.ESRCH:
			// ESRCH: it had already exited.
			return nil
		case unix.EINTR:
			change = nil // registered already
		default:
			return err
		}
	}
}

// hasExited reports whether process pid has exited, without reaping it.
func hasExited(pid int) (bool, error) {
	kq, err := unix.Kqueue()
	if err != nil {
		return false, err
	}
	defer unix.Close(kq)
	events := make([]unix.Kevent_t, 1)
	n, err := unix.Kevent(kq, []unix.Kevent_t{procExitEvent(pid)}, events, &unix.Timespec{})
	switch {
	case err == unix.ESRCH:
		return true, nil
	case err != nil:
		return false, err
	}
	return n > 0, nil
}

func procExitEvent(pid int) unix.Kevent_t {
	var ev unix.Kevent_t
	unix.SetKevent(&ev, pid, unix.EVFILT_PROC, unix.EV_ADD|unix.EV_ONESHOT)
	ev.Fflags = unix.NOTE_EXIT
	return ev
}

// ownNiceness is this process's niceness.
func ownNiceness() int {
	n, err := unix.Getpriority(unix.PRIO_PROCESS, 0)
	if err != nil {
		return 0
	}
	return n
}
