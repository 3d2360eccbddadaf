//go:build linux

package sandbox

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/metrics"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// The gate is fd 3 in the child. Once the child is in its cgroup (or at
// once, when clone3 placed it there) the parent writes one message on it: a
// 4-byte length and a JSON setup. EOF instead means the parent failed or
// died, and the child exits without running anything.
const gateFD = 3

// setup is what the parent asks the child to do before it runs anything.
type setup struct {
	// Subreaper: adopt orphaned descendants, so that in mode none the
	// whole tree stays under the child and can be found and killed.
	Subreaper bool `json:"subreaper,omitempty"`
	// Guard is the in-child memory limit in bytes (mode none), or 0.
	Guard int64 `json:"guard,omitempty"`
	// Harden turns the steps below on; without it the child changes
	// nothing about itself.
	Harden bool `json:"harden,omitempty"`
	// Scratch mounts a private /tmp of this many MiB and makes everything
	// else read-only; the child was started in a mount namespace of its own.
	ScratchMB int `json:"scratch_mb,omitempty"`
	// MountProc mounts a /proc of the child's own PID namespace.
	MountProc bool `json:"mount_proc,omitempty"`
	// Remount takes the read-only path of kernels without mount_setattr
	// (tests exercise it on any kernel).
	Remount bool `json:"remount,omitempty"`
	// NoFile and FileSize are RLIMIT_NOFILE and RLIMIT_FSIZE (bytes); the
	// core limit is always set to 0.
	NoFile   int   `json:"nofile,omitempty"`
	FileSize int64 `json:"fsize,omitempty"`
	// Drop switches to UID and GID, with no supplementary groups.
	Drop     bool `json:"drop,omitempty"`
	UID, GID int
}

// Exit codes a child uses to tell the parent what happened when it cannot
// say so on stdout.
const (
	// ExitGateClosed: the gate closed without a message; nothing ran.
	ExitGateClosed = 120
	// ExitMemoryGuard: the in-child memory guard (mode none) fired.
	ExitMemoryGuard = 121
	// ExitSetupFailed: the child could not apply its hardening; nothing ran.
	ExitSetupFailed = 122
)

type childState struct {
	subreaper bool
}

var child childState

// ChildInit must be the first call of a sandboxed child, before it reads its
// input or allocates: it waits at the gate until the parent has placed the
// process in its cgroup, then hardens it as the parent asks (a private,
// otherwise read-only filesystem; rlimits; no_new_privs; an unprivileged
// identity), starts the memory guard of mode none, and closes the gate so
// that the tool inherits no descriptor but its standard streams. If the
// parent has gone the child exits with ExitGateClosed; if hardening fails,
// with ExitSetupFailed.
func ChildInit() {
	gate := os.NewFile(gateFD, "toolq-gate")
	if gate == nil {
		os.Exit(ExitGateClosed)
	}
	var n [4]byte
	if _, err := io.ReadFull(gate, n[:]); err != nil {
		os.Exit(ExitGateClosed)
	}
	msg := make([]byte, binary.LittleEndian.Uint32(n[:]))
	if _, err := io.ReadFull(gate, msg); err != nil {
		os.Exit(ExitGateClosed)
	}
	_ = gate.Close()
	var s setup
	if err := json.Unmarshal(msg, &s); err != nil {
		fmt.Fprintf(os.Stderr, "toolq: bad sandbox setup: %v\n", err)
		os.Exit(ExitSetupFailed)
	}
	if err := harden(s); err != nil {
		fmt.Fprintf(os.Stderr, "toolq: sandbox setup: %v\n", err)
		os.Exit(ExitSetupFailed)
	}
	if s.Subreaper {
		if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err == nil {
			child.subreaper = true
		}
	}
	if s.Guard > 0 {
		go memoryGuard(s.Guard)
	}
}

// harden applies the setup in the order that keeps each step possible: the
// mounts while still privileged, the limits, no_new_privs, and the identity
// last.
func harden(s setup) error {
	if !s.Harden {
		return nil
	}
	if s.ScratchMB > 0 {
		if err := privateFilesystem(s); err != nil {
			return err
		}
	}
	core := unix.Rlimit{}
	if err := unix.Setrlimit(unix.RLIMIT_CORE, &core); err != nil {
		return fmt.Errorf("RLIMIT_CORE: %w", err)
	}
	if s.NoFile > 0 {
		l := unix.Rlimit{Cur: uint64(s.NoFile), Max: uint64(s.NoFile)}
		if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &l); err != nil {
			return fmt.Errorf("RLIMIT_NOFILE: %w", err)
		}
	}
	if s.FileSize > 0 {
		l := unix.Rlimit{Cur: uint64(s.FileSize), Max: uint64(s.FileSize)}
		if err := unix.Setrlimit(unix.RLIMIT_FSIZE, &l); err != nil {
			return fmt.Errorf("RLIMIT_FSIZE: %w", err)
		}
		// A write past RLIMIT_FSIZE then fails with EFBIG instead of
		// killing the process with SIGXFSZ.
		signal.Ignore(syscall.SIGXFSZ)
	}
	// no_new_privs is already set: the child was forked from a thread
	// that had it (see Sandbox.startLocked).
	if s.Drop {
		// syscall's Set* apply to every thread of the process (Go ≥ 1.16).
		if err := syscall.Setgroups(nil); err != nil {
			return fmt.Errorf("setgroups: %w", err)
		}
		if err := syscall.Setresgid(s.GID, s.GID, s.GID); err != nil {
			return fmt.Errorf("setresgid %d: %w", s.GID, err)
		}
		if err := syscall.Setresuid(s.UID, s.UID, s.UID); err != nil {
			return fmt.Errorf("setresuid %d: %w", s.UID, err)
		}
		if os.Getuid() != s.UID || os.Geteuid() != s.UID || os.Getgid() != s.GID || os.Getegid() != s.GID {
			return fmt.Errorf("identity is %d/%d after switching to %d/%d", os.Geteuid(), os.Getegid(), s.UID, s.GID)
		}
	}
	return nil
}

// privateFilesystem runs in the child's own mount namespace: it stops
// mount events from propagating back to the host, makes every mount
// read-only (mount_setattr, kernel ≥ 5.12; older kernels keep the
// unprivileged identity as the only guard), and mounts a fresh tmpfs, owned
// by the child's identity, on /tmp, /var/tmp and /dev/shm.
func privateFilesystem(s setup) error {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make mounts private: %w", err)
	}
	ro := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY}
	var err error = unix.ENOSYS
	if !s.Remount {
		err = unix.MountSetattr(unix.AT_FDCWD, "/", unix.AT_RECURSIVE, &ro)
	}
	if err == unix.ENOSYS {
		err = remountReadOnly()
	}
	if err != nil {
		return fmt.Errorf("read-only root: %w", err)
	}
	if s.MountProc {
		// The /proc of the child's own PID namespace: the host's
		// processes, the worker's among them, are not there.
		if err := unix.Mount("proc", "/proc", "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
			return fmt.Errorf("mount /proc: %w", err)
		}
	}
	uid, gid := os.Getuid(), os.Getgid()
	if s.Drop {
		uid, gid = s.UID, s.GID
	}
	opts := fmt.Sprintf("size=%dm,mode=1777,uid=%d,gid=%d", s.ScratchMB, uid, gid)
	if err := unix.Mount("toolq-scratch", "/tmp", "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, opts); err != nil {
		return fmt.Errorf("mount /tmp: %w", err)
	}
	for _, d := range []string{"/var/tmp", "/dev/shm"} {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			if err := unix.Mount("/tmp", d, "", unix.MS_BIND, ""); err != nil {
				return fmt.Errorf("bind %s: %w", d, err)
			}
		}
	}
	return os.Chdir("/tmp")
}

// remountReadOnly is the read-only root for kernels before 5.12: every
// mount is bind-remounted read-only one by one, keeping its other flags
// (a remount that dropped nosuid, nodev or noexec from a locked mount would
// be refused).
func remountReadOnly() error {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return err
	}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Fields(line)
		if len(f) < 6 {
			continue
		}
		point := unescapeMountPath(f[4])
		flags := uintptr(unix.MS_REMOUNT | unix.MS_BIND | unix.MS_RDONLY)
		for _, o := range strings.Split(f[5], ",") {
			switch o {
			case "nosuid":
				flags |= unix.MS_NOSUID
			case "nodev":
				flags |= unix.MS_NODEV
			case "noexec":
				flags |= unix.MS_NOEXEC
			case "noatime":
				flags |= unix.MS_NOATIME
			case "nodiratime":
				flags |= unix.MS_NODIRATIME
			case "relatime":
				flags |= unix.MS_RELATIME
			}
		}
		if err := unix.Mount("", point, "", flags, ""); err != nil && err != unix.ENOENT && err != unix.EACCES {
			return fmt.Errorf("remount %s read-only: %w", point, err)
		}
	}
	return nil
}

// unescapeMountPath undoes mountinfo's octal escapes (\040 for a space).
func unescapeMountPath(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// ChildExit ends a sandboxed child with code. In mode none it first kills
// the child's own descendants (which it adopted as a subreaper), since no
// cgroup will.
func ChildExit(code int) {
	if child.subreaper {
		killTree(os.Getpid(), false)
	}
	os.Exit(code)
}

func gateMessage(s setup) []byte {
	b, _ := json.Marshal(s)
	out := make([]byte, 4+len(b))
	binary.LittleEndian.PutUint32(out, uint32(len(b)))
	copy(out[4:], b)
	return out
}

// memoryGuard is the degraded-mode memory limit: with no cgroup to enforce
// one, the child watches the memory its runtime holds and exits with
// ExitMemoryGuard once it passes the limit. It samples runtime/metrics (no
// system call) every few milliseconds; GOMEMLIMIT, set below the limit, makes
// the collector work hard before the guard has to fire.
func memoryGuard(limit int64) {
	samples := []metrics.Sample{
		{Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
	}
	for {
		metrics.Read(samples)
		used := int64(samples[0].Value.Uint64()) - int64(samples[1].Value.Uint64())
		if used > limit {
			fmt.Fprintf(os.Stderr, "toolq: memory guard: %d bytes in use exceeds the limit of %d bytes\n", used, limit)
			ChildExit(ExitMemoryGuard)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
