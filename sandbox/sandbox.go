// Package sandbox runs one child process under hard limits — memory, a
// deadline, a process count and bounded output — and reports how it ended.
//
// Each call gets a fresh cgroup (a leaf under a subtree the worker owns), a
// fresh process placed into it before it runs any code, and a verdict read
// from the cgroup's own counters after the whole group is dead: an OOM kill
// caused by the call's own limit is told apart from one caused by pressure
// elsewhere, from a crash and from a timeout. The enforcer is picked for the
// host: cgroup2 (unified), cgroup1 (legacy or hybrid, the v1 memory
// controller) or none (no cgroup access: a degraded mode that still kills the
// whole process tree on the deadline and guards memory from inside the
// child, and says so in every outcome).
//
// The package knows nothing of tools or queues: the child is any command,
// normally the worker binary re-executed in its child mode, which calls
// [ChildInit] before anything else.
package sandbox

import (
	"errors"
	"fmt"
	"log/slog"
	"syscall"
	"time"
)

// Mode names an enforcer.
type Mode string

// Enforcers. Auto picks cgroup2, then cgroup1, then none, for the host.
const (
	Auto    Mode = "auto"
	Cgroup2 Mode = "cgroup2"
	Cgroup1 Mode = "cgroup1"
	None    Mode = "none"
)

// ParseMode parses a TOOLQ_SANDBOX value.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(s); m {
	case "", Auto:
		return Auto, nil
	case Cgroup2, Cgroup1, None:
		return m, nil
	}
	return "", fmt.Errorf("sandbox: unknown mode %q (want auto, cgroup2, cgroup1 or none)", s)
}

// Placement says how a child was put into its cgroup.
type Placement string

// Placements.
const (
	// CloneInto places the child with clone3(CLONE_INTO_CGROUP): it is born
	// in its cgroup, so there is no window in which it runs unconfined.
	CloneInto Placement = "clone_into_cgroup"
	// Gated starts the child blocked on a pipe, moves it into its cgroup and
	// only then releases it: the fallback where clone3 is refused (cgroup v1,
	// old kernels, container seccomp profiles).
	Gated Placement = "gated"
	// Unplaced means there is no cgroup (mode none).
	Unplaced Placement = "none"
)

// Options configure a Sandbox. The zero value (or nil) picks the enforcer
// for the host and uses the defaults below.
type Options struct {
	// Mode selects the enforcer. Defaults to Auto.
	Mode Mode
	// Subtree names the directory the sandbox creates inside the worker's own
	// cgroup to hold job cgroups. Defaults to "toolq".
	Subtree string
	// ForceGated uses the gated placement even where clone3 into a cgroup
	// works, so that tests and benchmarks can exercise the fallback.
	ForceGated bool
	// NoSweep skips the start-up sweep of job cgroups left by dead workers.
	NoSweep bool
	// Hardening restricts what a child may do besides using its limits.
	Hardening Hardening
	// Logger receives set-up decisions and sweep results. Defaults to
	// slog.Default().
	Logger *slog.Logger
}

// Hardening restricts a child beyond its resource limits. The zero value
// is the hardened default. Steps that need privilege (the identity, the
// namespaces) apply only when the worker runs as root; the rest always do.
// A root worker's children also get a PID namespace of their own, with
// their own /proc: a call cannot see or signal another call, and when the
// child exits the kernel kills whatever it left behind.
type Hardening struct {
	// Off turns every step off (for measuring what they cost).
	Off bool
	// UID and GID are the unprivileged identity a root worker's children
	// run as, from 1 to 4294967294. Defaults to 65534 (nobody/nogroup).
	UID, GID int
	// KeepIdentity leaves children running as the worker's user.
	KeepIdentity bool
	// Network leaves children in the worker's network namespace. By
	// default each child gets a namespace of its own holding only a loopback
	// interface that is down: no route anywhere.
	Network bool
	// KeepFilesystem leaves the filesystem as the worker sees it. By
	// default a child gets its own mount namespace in which everything is
	// read-only except a private /tmp (also /var/tmp and /dev/shm): a tmpfs
	// of ScratchMB, charged to the call's memory, gone with the call.
	KeepFilesystem bool
	// ScratchMB sizes the private /tmp. Defaults to 64.
	ScratchMB int
	// NoFile caps open files (RLIMIT_NOFILE). Defaults to 64.
	NoFile int
	// FileSizeMB caps the size of any file the child writes
	// (RLIMIT_FSIZE). Defaults to ScratchMB.
	FileSizeMB int
}

// Default hardening values.
const (
	DefaultUID       = 65534
	DefaultScratchMB = 64
	DefaultNoFile    = 64
)

// MaxID is the largest uid or gid a Hardening may name; 2³²−1 means
// "unchanged" to setresuid.
const MaxID = 1<<32 - 2

func (h Hardening) validate() error {
	for _, v := range []struct {
		name string
		id   int
	}{{"UID", h.UID}, {"GID", h.GID}} {
		if v.id < 0 || v.id > MaxID {
			return fmt.Errorf("sandbox: Hardening.%s %d is out of range (1 to %d)", v.name, v.id, MaxID)
		}
	}
	return nil
}

func (h Hardening) withDefaults() Hardening {
	if h.UID <= 0 {
		h.UID = DefaultUID
	}
	if h.GID <= 0 {
		h.GID = DefaultUID
	}
	if h.ScratchMB <= 0 {
		h.ScratchMB = DefaultScratchMB
	}
	if h.NoFile <= 0 {
		h.NoFile = DefaultNoFile
	}
	if h.FileSizeMB <= 0 {
		h.FileSizeMB = h.ScratchMB
	}
	return h
}

// Limits bound one call. Memory and Timeout are required.
type Limits struct {
	// Memory is the hard memory limit in bytes (swap is disabled for the
	// group, so this bounds resident memory plus page cache).
	Memory int64
	// Timeout is the wall-clock budget from the moment the child starts.
	Timeout time.Duration
	// Pids caps the number of tasks (threads count) in the group.
	// Defaults to 64.
	Pids int64
	// Stdout caps the bytes read from the child's stdout; a child that writes
	// more is killed and reported as OutputExceeded. Defaults to 16 MiB.
	Stdout int64
	// Stderr is how much of stderr is kept: half from the start, half from
	// the end. Defaults to 64 KiB.
	Stderr int64
}

// Default limits.
const (
	DefaultPids   = 64
	DefaultStdout = 16 << 20
	DefaultStderr = 64 << 10
)

func (l Limits) withDefaults() Limits {
	if l.Pids <= 0 {
		l.Pids = DefaultPids
	}
	if l.Stdout <= 0 {
		l.Stdout = DefaultStdout
	}
	if l.Stderr <= 0 {
		l.Stderr = DefaultStderr
	}
	return l
}

// Cmd describes one child.
type Cmd struct {
	// ID names the call; it appears in the cgroup's name. Any string.
	ID string
	// Path is the executable. Defaults to the running binary (/proc/self/exe).
	Path string
	// Args are the arguments after the program name.
	Args []string
	// Env is the child's whole environment; the sandbox adds GOMEMLIMIT and
	// GOMAXPROCS when absent.
	Env []string
	// Stdin is written to the child's standard input, which is then closed.
	Stdin []byte
	// Limits bound the call.
	Limits Limits
}

// Status is how a child ended.
type Status string

// Statuses. The verdict precedence, first match wins: a set-up failure is an
// error from Run, not an Outcome; then the call's own OOM (OOM); an OOM kill
// from outside the call (HostOOM); the deadline (TimedOut); the output cap
// (OutputExceeded); the caller's cancellation (Cancelled); the pids limit
// hit by a child that then died (PidsExceeded); otherwise Exited or Signaled.
const (
	Exited         Status = "exited"          // exited by itself; see ExitCode
	Signaled       Status = "signaled"        // killed by a signal the sandbox did not send
	OOM            Status = "oom"             // its own memory limit was hit (or the guard fired, mode none)
	HostOOM        Status = "host_oom"        // OOM-killed by pressure outside its own limit
	TimedOut       Status = "timed_out"       // the deadline passed; the group was killed
	OutputExceeded Status = "output_exceeded" // stdout passed its cap; the group was killed
	Cancelled      Status = "cancelled"       // the context was cancelled; the group was killed
	PidsExceeded   Status = "pids_exceeded"   // the task limit was hit and the child then failed
	SetupFailed    Status = "setup_failed"    // the child could not harden itself; nothing ran
)

// Outcome is the verdict and the evidence for it.
type Outcome struct {
	Status Status
	// ExitCode is the exit status when Status is Exited, else -1.
	ExitCode int
	// Signal is the signal that ended the child, if one did.
	Signal syscall.Signal
	// Stdout holds at most Limits.Stdout bytes.
	Stdout []byte
	// Stderr holds the head and tail of stderr, at most Limits.Stderr bytes
	// plus an omission marker.
	Stderr []byte
	// Cause is the context's cause when Status is Cancelled.
	Cause error
	Usage Usage
}

// Usage is what the call consumed, and under what enforcement.
type Usage struct {
	Wall time.Duration
	CPU  time.Duration
	// PeakMemory is the group's high-water mark in bytes (the child's
	// maximum resident set in mode none).
	PeakMemory  int64
	MemoryLimit int64
	Timeout     time.Duration
	Enforcement Mode
	Placement   Placement
	// PidsLimitHit reports that a fork or thread creation failed at the
	// task limit at some point during the call.
	PidsLimitHit bool
}

// Errors.
var (
	// ErrUnavailable is returned by New when the requested enforcer cannot
	// work on this host.
	ErrUnavailable = errors.New("sandbox: enforcer unavailable")
	// ErrClosed is returned by Run after Close.
	ErrClosed = errors.New("sandbox: closed")
)

// SetupError is an infrastructure failure (creating the cgroup, starting or
// placing the child): the call never ran under its limits, so it says nothing
// about the input and is worth retrying.
type SetupError struct {
	Op  string
	Err error
}

func (e *SetupError) Error() string { return "sandbox: " + e.Op + ": " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *SetupError) Unwrap() error { return e.Err }
