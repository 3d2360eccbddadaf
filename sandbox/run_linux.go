//go:build linux

package sandbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// enforcer creates one group per call. Implementations: cgroup2, cgroup1,
// none.
type enforcer interface {
	mode() Mode
	newGroup(name string, lim Limits) (group, error)
	// sweep removes groups left by workers that are no longer alive and
	// returns them.
	sweep(log *slog.Logger) []found
	close() error
}

// group is the container of one call.
type group interface {
	// fd returns a cgroup directory descriptor for clone3, or -1 when the
	// group cannot take one (v1, none).
	fd() int
	// attach moves a started (and still gated) child into the group.
	attach(pid int) error
	// started is told the child's pid once it runs.
	started(pid int)
	// kill kills every process in the group and waits until none is left,
	// or returns an error after timeout.
	kill(timeout time.Duration) error
	// stats reads the verdict counters. Called after kill.
	stats() groupStats
	// remove deletes the group. Called after kill.
	remove() error
}

type groupStats struct {
	peak    int64
	cpu     time.Duration
	hasCPU  bool
	oom     bool // the group's own limit was hit and the OOM killer ran
	oomKill bool // something in the group was OOM-killed
	pidsMax bool // a fork failed at pids.max
	hasPeak bool
}

// Sandbox runs children under one enforcer. It is safe for concurrent use.
type Sandbox struct {
	enf      enforcer
	log      *slog.Logger
	instance string

	gated     atomic.Bool // clone3 into a cgroup is refused here; use the gate
	forceGate bool
	harden    Hardening
	root      bool // privileged steps of the hardening are possible
	remount   bool // tests: the read-only root of kernels before 5.12

	swept []SweptCall

	seq    atomic.Uint64
	mu     sync.Mutex
	closed bool
	active sync.WaitGroup
}

// instances numbers the sandboxes of this process, so that each has a
// directory of its own.
var instances atomic.Uint64

// Cause values recorded on the run context.
var (
	errDeadline  = errors.New("sandbox: deadline passed")
	errOutputCap = errors.New("sandbox: output cap exceeded")
)

// New prepares the enforcer: it detects the host (or takes opts.Mode), sets
// up the worker's cgroup subtree and sweeps what dead workers left behind.
// With Mode Auto it falls back to the next enforcer when one is unavailable
// and logs why; with an explicit mode it returns an error wrapping
// ErrUnavailable instead.
func New(opts *Options) (*Sandbox, error) {
	if opts == nil {
		opts = &Options{}
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "sandbox")
	if err := opts.Hardening.validate(); err != nil {
		return nil, err
	}
	closeInheritedOnExec()
	// Children run untrusted input as the worker's user when the worker is
	// not root. Non-dumpable, the worker's /proc files (its environment,
	// with the Redis URL) become root's, and its memory cannot be read or
	// traced by a process of the same user.
	_ = unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
	st, _ := startTime(os.Getpid())
	s := &Sandbox{
		log:       log,
		instance:  fmt.Sprintf("w%d-%d-%d", os.Getpid(), st, instances.Add(1)),
		forceGate: opts.ForceGated,
		harden:    opts.Hardening.withDefaults(),
		root:      os.Geteuid() == 0,
	}
	subtree := opts.Subtree
	if subtree == "" {
		subtree = "toolq"
	}
	mode := opts.Mode
	if mode == "" {
		mode = Auto
	}
	var err error
	s.enf, err = pick(mode, subtree, s.instance, log)
	if err != nil {
		return nil, err
	}
	if !opts.NoSweep {
		for _, f := range s.enf.sweep(log) {
			if id, ok := callID(f.job); ok {
				s.swept = append(s.swept, SweptCall{ID: id, WorkerPID: instancePID(f.instance)})
			}
		}
	}
	if s.enf.mode() != Cgroup2 {
		s.gated.Store(true)
	}
	log.Info("sandbox ready", "enforcement", s.enf.mode(), "instance", s.instance)
	return s, nil
}

func pick(mode Mode, subtree, instance string, log *slog.Logger) (enforcer, error) {
	try := []Mode{mode}
	if mode == Auto {
		try = []Mode{Cgroup2, Cgroup1, None}
	}
	var errs []error
	for _, m := range try {
		var e enforcer
		var err error
		switch m {
		case Cgroup2:
			e, err = newCgroup2(subtree, instance)
		case Cgroup1:
			e, err = newCgroup1(subtree, instance)
		case None:
			e, err = newNone()
		default:
			return nil, fmt.Errorf("sandbox: unknown mode %q", m)
		}
		if err == nil {
			if mode == Auto && len(errs) > 0 {
				log.Warn("sandbox: falling back", "enforcement", m, "because", errors.Join(errs...).Error())
			}
			return e, nil
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}

// Enforcement returns the enforcer in use.
func (s *Sandbox) Enforcement() Mode { return s.enf.mode() }

// Placement returns how children are placed into their cgroups now.
func (s *Sandbox) Placement() Placement {
	switch {
	case s.enf.mode() == None:
		return Unplaced
	case s.gated.Load() || s.forceGate:
		return Gated
	}
	return CloneInto
}

// Instance returns this sandbox's instance name: the cgroup directory that
// holds its calls and that a later worker's sweep recognises.
func (s *Sandbox) Instance() string { return s.instance }

// Close waits for running calls to finish and removes the instance's cgroup
// directory. Close is idempotent; Run after Close returns ErrClosed.
func (s *Sandbox) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	s.active.Wait()
	return s.enf.close()
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9_.-]`)

// SweptCall is a call whose group New found in the subtree of a dead worker
// on this host (and killed): it was running when its worker died.
type SweptCall struct {
	// ID is the call's ID as its cgroup name holds it: sanitised and cut to
	// 64 characters where it had to be.
	ID string
	// WorkerPID is the pid the dead worker had.
	WorkerPID int
}

// Swept returns the calls New found running in the subtrees of dead workers,
// which the queue may run again at once.
func (s *Sandbox) Swept() []SweptCall { return s.swept }

// callID recovers a call's ID from its group name, "j<n>-<id>".
func callID(name string) (string, bool) {
	rest, ok := strings.CutPrefix(name, "j")
	if !ok {
		return "", false
	}
	_, id, ok := strings.Cut(rest, "-")
	return id, ok && id != ""
}

func (s *Sandbox) groupName(id string) string {
	id = unsafeChars.ReplaceAllString(id, "_")
	if len(id) > 64 {
		id = id[:64]
	}
	return fmt.Sprintf("j%d-%s", s.seq.Add(1), id)
}

// Run starts c under its limits, waits for it and returns how it ended.
//
// When ctx is done before the child exits, the whole group is killed and
// the outcome is Cancelled with ctx's cause. The call's own deadline
// (Limits.Timeout) is separate, runs from the moment the child is released
// and yields TimedOut. In every case the group — grandchildren in sessions of
// their own included — is dead and its cgroup removed before Run returns.
//
// An error (always a *SetupError, or ErrClosed) means the call could not be
// run under its limits at all.
func (s *Sandbox) Run(ctx context.Context, c *Cmd) (*Outcome, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, ErrClosed
	}
	s.active.Add(1)
	s.mu.Unlock()
	defer s.active.Done()

	lim := c.Limits.withDefaults()
	if lim.Memory <= 0 || lim.Timeout <= 0 {
		return nil, &SetupError{"check limits", fmt.Errorf("memory (%d) and timeout (%s) must be positive", lim.Memory, lim.Timeout)}
	}
	g, err := s.enf.newGroup(s.groupName(c.ID), lim)
	if err != nil {
		return nil, &SetupError{"create group", err}
	}
	removed := false
	defer func() {
		if !removed {
			_ = g.kill(5 * time.Second)
			_ = g.remove()
		}
	}()

	p, err := s.start(c, g, lim)
	if err != nil {
		return nil, err
	}
	out := s.supervise(ctx, p, g, lim)
	if err := g.remove(); err != nil {
		s.log.Warn("sandbox: remove group", "err", err, "job_id", c.ID)
	}
	removed = true
	return out, nil
}

// proc is a started child and the parent's ends of its pipes.
type proc struct {
	cmd       *exec.Cmd
	stdout    *os.File
	stderr    *os.File
	placement Placement
	start     time.Time
}

func (s *Sandbox) start(c *Cmd, g group, lim Limits) (*proc, error) {
	path, argv0 := c.Path, c.Path
	if path == "" {
		// Executing /proc/self/exe survives the binary being replaced on
		// disk by an upgrade; argv[0] still names it, for ps and for logs.
		path, argv0 = "/proc/self/exe", selfName()
	}
	env := childEnv(c.Env, lim)
	var closers []*os.File
	closeAll := func() {
		for _, f := range closers {
			_ = f.Close()
		}
	}
	pipe := func() (r, w *os.File, err error) {
		r, w, err = os.Pipe()
		if err == nil {
			closers = append(closers, r, w)
		}
		return
	}
	gateR, gateW, err1 := pipe()
	inR, inW, err2 := pipe()
	outR, outW, err3 := pipe()
	errR, errW, err4 := pipe()
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		closeAll()
		return nil, &SetupError{"create pipes", err}
	}

	build := func(clone bool) *exec.Cmd {
		cmd := &exec.Cmd{
			Path:       path,
			Args:       append([]string{argv0}, c.Args...),
			Env:        env,
			Stdin:      inR,
			Stdout:     outW,
			Stderr:     errW,
			ExtraFiles: []*os.File{gateR},
			SysProcAttr: &syscall.SysProcAttr{
				Setpgid:    true,
				Pdeathsig:  syscall.SIGKILL,
				Cloneflags: s.cloneflags(),
			},
		}
		if clone {
			cmd.SysProcAttr.UseCgroupFD = true
			cmd.SysProcAttr.CgroupFD = g.fd()
		}
		return cmd
	}
	placement := Unplaced
	if s.enf.mode() != None {
		placement = Gated
	}
	clone := g.fd() >= 0 && !s.gated.Load() && !s.forceGate
	cmd := build(clone)
	err := s.startLocked(cmd)
	if clone && err != nil && clone3Refused(err) {
		// clone3 into a cgroup may be refused here (old kernel, a seccomp
		// profile that answers ENOSYS, a non-leaf target). If the gated
		// start then works, that was the reason: remember it and use the
		// gate from now on. If it fails too, the cause was elsewhere.
		clone = false
		cerr := err
		cmd = build(false)
		if err = s.startLocked(cmd); err == nil && s.gated.CompareAndSwap(false, true) {
			s.log.Warn("sandbox: clone3 into a cgroup refused; using gated placement from now on", "err", cerr)
		}
	}
	if err != nil {
		closeAll()
		return nil, &SetupError{"start child", err}
	}
	if clone {
		placement = CloneInto
	}
	// The child holds its own copies now.
	_ = gateR.Close()
	_ = inR.Close()
	_ = outW.Close()
	_ = errW.Close()
	pid := cmd.Process.Pid
	if !clone && s.enf.mode() != None {
		if err := g.attach(pid); err != nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			_ = gateW.Close()
			_ = inW.Close()
			_ = outR.Close()
			_ = errR.Close()
			return nil, &SetupError{"place child in its cgroup", err}
		}
	}
	g.started(pid)
	_, gerr := gateW.Write(gateMessage(s.setupFor(lim)))
	_ = gateW.Close()
	p := &proc{cmd: cmd, stdout: outR, stderr: errR, placement: placement, start: time.Now()}
	go func() {
		_, _ = inW.Write(c.Stdin)
		_ = inW.Close()
	}()
	if gerr != nil {
		// The child died before it was released; supervise reports how.
		s.log.Debug("sandbox: gate write failed", "err", gerr)
	}
	return p, nil
}

// closeInheritedOnExec marks every descriptor above stderr close-on-exec.
// Go opens its own files that way, but a worker can inherit descriptors
// from whatever started it (a shell, a supervisor), and exec would pass
// them on to every child.
func closeInheritedOnExec() {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return
	}
	for _, e := range entries {
		if fd, err := strconv.Atoi(e.Name()); err == nil && fd > 2 {
			syscall.CloseOnExec(fd)
		}
	}
}

// startLocked starts cmd from a thread with no_new_privs set, so that the
// child is born with it. no_new_privs is a per-thread attribute inherited
// through clone and execve; setting it in the child would reach only the
// thread that runs the setup, not the runtime's other threads (which may
// exec grandchildren), and the all-threads form of prctl is unavailable in
// a cgo binary. The forking thread keeps the flag, which costs the worker
// nothing: it never needs to gain privileges by exec.
func (s *Sandbox) startLocked(cmd *exec.Cmd) error {
	if s.harden.Off {
		return cmd.Start()
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("no_new_privs: %w", err)
	}
	return cmd.Start()
}

// cloneflags are the namespaces a child is born in, only for a root worker,
// which alone may create them without a user namespace: its own PIDs (it is
// init there: it sees no other call, and its exit kills all it started) and
// System V IPC, its own network (no route out) and its own mounts (a
// private /tmp and /proc, the rest read-only), the last two unless turned
// off.
func (s *Sandbox) cloneflags() uintptr {
	h := s.harden
	if h.Off || !s.root {
		return 0
	}
	f := uintptr(syscall.CLONE_NEWPID | syscall.CLONE_NEWIPC)
	if !h.Network {
		f |= syscall.CLONE_NEWNET
	}
	if !h.KeepFilesystem {
		f |= syscall.CLONE_NEWNS
	}
	return f
}

// setupFor is what the child applies to itself before it runs anything.
func (s *Sandbox) setupFor(lim Limits) setup {
	var st setup
	h := s.harden
	pidns := !h.Off && s.root
	if s.enf.mode() == None {
		st.Guard = lim.Memory
		// In a PID namespace of its own the kernel kills the child's
		// descendants when it exits; otherwise it adopts them so that a
		// walk of /proc can find them.
		st.Subreaper = !pidns
	}
	if h.Off {
		return st
	}
	st.Harden = true
	st.NoFile = h.NoFile
	st.FileSize = int64(h.FileSizeMB) << 20
	if s.root {
		if !h.KeepFilesystem {
			st.ScratchMB = h.ScratchMB
			st.MountProc = true
			st.Remount = s.remount
		}
		if !h.KeepIdentity {
			st.Drop, st.UID, st.GID = true, h.UID, h.GID
		}
	}
	return st
}

// Hardening returns the hardening children get, as applied on this host:
// privileged steps are dropped when the worker is not root.
func (s *Sandbox) Hardening() (applied Hardening, privileged bool) {
	return s.harden, s.root
}

// classify picks an outcome's status, with the precedence the Status
// constants describe, from the group's counters, what (if anything) made the
// supervisor kill the group, whether the child's end was seen only after
// its deadline (late), and how the child ended.
//
// The deadline is a promise to the caller, so a child whose end is seen
// after it timed out, however it ended: when the worker is frozen (SIGSTOP,
// a paused VM) past a call's deadline, the child may exit meanwhile, and on
// resume its exit and the deadline are ready at once. (The worker retries a
// call whose deadline passed while it was not running; see jobs.)
//
// A cancellation counts only if it is what ended the child: a child that
// exited by itself at that moment finished its work, and its own exit
// stands.
func classify(st groupStats, killedBy error, late, overflowed bool, mode Mode, ws syscall.WaitStatus) (Status, error) {
	exitCode := -1
	if !ws.Signaled() {
		exitCode = ws.ExitStatus()
	}
	switch {
	case st.oom:
		return OOM, nil
	case st.oomKill:
		return HostOOM, nil
	case killedBy == errDeadline || late:
		return TimedOut, nil
	case killedBy == errOutputCap || overflowed:
		return OutputExceeded, nil
	case killedBy != nil && ws.Signaled():
		return Cancelled, killedBy
	case mode == None && exitCode == ExitMemoryGuard:
		return OOM, nil
	case exitCode == ExitSetupFailed:
		return SetupFailed, nil
	case st.pidsMax && (ws.Signaled() || exitCode != 0):
		return PidsExceeded, nil
	case ws.Signaled():
		return Signaled, nil
	default:
		return Exited, nil
	}
}

// supervise waits for the child, enforcing the deadline, the output cap and
// ctx, then kills what is left of the group and builds the outcome.
func (s *Sandbox) supervise(ctx context.Context, p *proc, g group, lim Limits) *Outcome {
	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	timer := time.AfterFunc(lim.Timeout, func() { cancel(errDeadline) })
	defer timer.Stop()

	stdout := &capture{max: lim.Stdout, onOverflow: func() { cancel(errOutputCap) }}
	stderr := newHeadTail(lim.Stderr)
	var readers sync.WaitGroup
	readers.Add(2)
	go func() { defer readers.Done(); drain(p.stdout, stdout.write) }()
	go func() { defer readers.Done(); drain(p.stderr, stderr.write) }()

	waitCh := make(chan error, 1)
	go func() { waitCh <- p.cmd.Wait() }()

	var killedBy error
	select {
	case <-waitCh:
	case <-runCtx.Done():
		killedBy = context.Cause(runCtx)
	}
	// Whatever woke us, if it came after the deadline the call had used up
	// its time. That is not always the deadline's own timer: after the
	// worker was stopped, the child's exit or another cancellation (asynq's
	// deadline, which is later than ours) can be seen first, and the late
	// result must not count.
	late := lim.Timeout > 0 && time.Since(p.start) > lim.Timeout
	if killedBy != nil {
		_ = g.kill(5 * time.Second)
		<-waitCh
	}
	wall := time.Since(p.start)
	// Whatever the child left behind (grandchildren in sessions of their
	// own) dies with the group.
	if err := g.kill(5 * time.Second); err != nil {
		s.log.Warn("sandbox: group did not empty", "err", err)
	}
	st := g.stats()

	// All writers are dead, so the readers reach EOF; the timeout only
	// guards against a descendant that escaped the group (mode none).
	done := make(chan struct{})
	go func() { readers.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		_ = p.stdout.Close()
		_ = p.stderr.Close()
		<-done
	}
	_ = p.stdout.Close()
	_ = p.stderr.Close()

	out := &Outcome{
		ExitCode: -1,
		Stdout:   stdout.buf,
		Stderr:   stderr.bytes(),
		Usage: Usage{
			Wall:         wall,
			MemoryLimit:  lim.Memory,
			Timeout:      lim.Timeout,
			Enforcement:  s.enf.mode(),
			Placement:    p.placement,
			PidsLimitHit: st.pidsMax,
		},
	}
	ps := p.cmd.ProcessState
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok && ru != nil {
		if !st.hasCPU {
			st.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
		if !st.hasPeak {
			st.peak = ru.Maxrss * 1024
		}
	}
	out.Usage.CPU = st.cpu
	out.Usage.PeakMemory = st.peak
	ws, _ := ps.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		out.Signal = ws.Signal()
	} else {
		out.ExitCode = ws.ExitStatus()
	}

	out.Status, out.Cause = classify(st, killedBy, late, stdout.overflowed(), s.enf.mode(), ws)
	return out
}

var selfName = sync.OnceValue(func() string {
	if exe, err := os.Executable(); err == nil {
		return exe
	}
	return os.Args[0]
})

// childEnv adds GOMEMLIMIT (90% of the limit: the collector then works hard
// before the cgroup's OOM killer has to act, since the Go runtime does not
// read memory.max itself) and GOMAXPROCS, unless the caller set them.
func childEnv(env []string, lim Limits) []string {
	out := append([]string(nil), env...)
	has := func(k string) bool {
		for _, e := range out {
			if strings.HasPrefix(e, k+"=") {
				return true
			}
		}
		return false
	}
	if !has("GOMEMLIMIT") {
		out = append(out, "GOMEMLIMIT="+strconv.FormatInt(lim.Memory/10*9, 10))
	}
	if !has("GOMAXPROCS") {
		out = append(out, "GOMAXPROCS="+strconv.Itoa(min(2, runtime.NumCPU())))
	}
	return out
}

// clone3Refused reports whether a Start error with UseCgroupFD means that
// clone3(CLONE_INTO_CGROUP) is not available here, as opposed to the
// executable being missing.
func clone3Refused(err error) bool {
	return errors.Is(err, syscall.ENOSYS) || errors.Is(err, syscall.EPERM) ||
		errors.Is(err, syscall.EACCES) || errors.Is(err, syscall.EBUSY) ||
		errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.EOPNOTSUPP)
}
