//go:build linux

package diag

import (
	"syscall"
	"time"
	"unsafe"
)

// forkSleepers starts n processes that each leave the caller's session
// (setsid) and sleep for d. They are plain forks that never return to Go
// code: the child runs three raw system calls and exits, so the binary needs
// no re-exec hook and works in a bare initramfs.
func forkSleepers(n int, d time.Duration) ([]int, error) {
	ts := syscall.NsecToTimespec(d.Nanoseconds())
	pids := make([]int, 0, n)
	for i := 0; i < n; i++ {
		pid, errno := forkSleeper(&ts)
		if errno != 0 {
			return pids, errno
		}
		pids = append(pids, int(pid))
	}
	// Reap them if this process outlives them, so they do not linger as
	// zombies; the sandbox, not this goroutine, is what must kill them.
	go func() {
		for range pids {
			var ws syscall.WaitStatus
			if _, err := syscall.Wait4(-1, &ws, 0, nil); err != nil {
				return
			}
		}
	}()
	return pids, nil
}

// forkSleeper must not grow its stack or call into the runtime between the
// clone and the exit: after a raw fork of a multi-threaded Go process only
// the calling thread exists in the child.
//
//go:nosplit
//go:norace
func forkSleeper(ts *syscall.Timespec) (uintptr, syscall.Errno) {
	pid, _, errno := syscall.RawSyscall6(syscall.SYS_CLONE, uintptr(syscall.SIGCHLD), 0, 0, 0, 0, 0)
	if errno != 0 || pid != 0 {
		return pid, errno
	}
	syscall.RawSyscall(syscall.SYS_SETSID, 0, 0, 0)
	syscall.RawSyscall(syscall.SYS_NANOSLEEP, uintptr(unsafe.Pointer(ts)), 0, 0)
	syscall.RawSyscall(syscall.SYS_EXIT_GROUP, 0, 0, 0)
	return 0, 0
}
