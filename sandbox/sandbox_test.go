//go:build linux

package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// testMode is the enforcer under test: TOOLQ_TEST_SANDBOX (auto, cgroup2,
// cgroup1 or none), default auto. With CI_CGROUP=1 an unavailable cgroup
// enforcer fails the run instead of skipping it.
func testMode(t testing.TB) Mode {
	m, err := ParseMode(os.Getenv("TOOLQ_TEST_SANDBOX"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

type bundle struct {
	sb *Sandbox
}

func newBundle(t *testing.T, opts *Options) *bundle {
	t.Helper()
	if opts == nil {
		opts = &Options{}
	}
	if opts.Mode == "" {
		opts.Mode = testMode(t)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	opts.NoSweep = true
	sb, err := New(opts)
	if err != nil {
		if errors.Is(err, ErrUnavailable) && os.Getenv("CI_CGROUP") != "1" {
			t.Skipf("enforcer %s unavailable here: %v", opts.Mode, err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := sb.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return &bundle{sb: sb}
}

var small = Limits{Memory: 256 << 20, Timeout: 10 * time.Second}

func run(t *testing.T, b *bundle, c *Cmd) *Outcome {
	t.Helper()
	out, err := b.sb.Run(context.Background(), c)
	if err != nil {
		t.Fatalf("Run(%v): %v", c.Args, err)
	}
	return out
}

func wantStatus(t *testing.T, out *Outcome, want Status) {
	t.Helper()
	if out.Status != want {
		t.Fatalf("status %s (exit %d, signal %v), want %s; stderr:\n%s", out.Status, out.ExitCode, out.Signal, want, out.Stderr)
	}
}

// markerProcs lists the live processes (not zombies) whose command line
// holds marker.
func markerProcs(marker string) []int {
	var out []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmd, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil || !bytes.Contains(cmd, []byte("\x00"+marker)) {
			continue
		}
		if f, ok := statFields(pid); ok && len(f) > 0 && string(f[0]) == "Z" {
			continue
		}
		out = append(out, pid)
	}
	return out
}

// newMarker returns a string no other process has on its command line.
func newMarker(t *testing.T) string {
	return fmt.Sprintf("marker-%d-%d", os.Getpid(), time.Now().UnixNano())
}

// watchMarker counts, until stop is closed, the most processes carrying
// marker seen at once; it proves the processes a test expects dead existed.
func watchMarker(marker string) (stop func() int) {
	done := make(chan struct{})
	most := make(chan int, 1)
	go func() {
		m := 0
		for {
			m = max(m, len(markerProcs(marker)))
			select {
			case <-done:
				most <- m
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() int { close(done); return <-most }
}

// assertMarkerGone fails unless every process carrying marker is gone.
func assertMarkerGone(t *testing.T, marker string) {
	t.Helper()
	var left []int
	if !poll(2*time.Second, func() bool { left = markerProcs(marker); return len(left) == 0 }) {
		t.Errorf("processes %v survived their call", left)
		for _, pid := range left {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// assertGone fails unless every pid is dead (or a zombie, which holds no
// resources and which its new parent will reap).
func assertGone(t *testing.T, pids []int) {
	t.Helper()
	for _, pid := range pids {
		ok := poll(2*time.Second, func() bool {
			b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
			if err != nil {
				return true
			}
			i := bytes.LastIndexByte(b, ')')
			return i > 0 && i+2 < len(b) && b[i+2] == 'Z'
		})
		if !ok {
			t.Errorf("process %d survived its call", pid)
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

func parsePids(t *testing.T, stdout []byte) []int {
	t.Helper()
	var pids []int
	for _, f := range strings.Fields(string(stdout)) {
		n, err := strconv.Atoi(f)
		if err != nil {
			t.Fatalf("stdout %q: %v", stdout, err)
		}
		pids = append(pids, n)
	}
	return pids
}

// groupDirs lists the call directories under the sandbox's instance, which
// must be empty between calls.
func groupDirs(b *bundle) []string {
	var out []string
	switch e := b.sb.enf.(type) {
	case *cgroup2Enforcer:
		entries, _ := os.ReadDir(e.inst)
		for _, x := range entries {
			if x.IsDir() {
				out = append(out, filepath.Join(e.inst, x.Name()))
			}
		}
	case *cgroup1Enforcer:
		for _, d := range e.dirs {
			entries, _ := os.ReadDir(d)
			for _, x := range entries {
				if x.IsDir() {
					out = append(out, filepath.Join(d, x.Name()))
				}
			}
		}
	}
	return out
}

func TestEchoRoundTrip(t *testing.T) {
	t.Parallel()
	b := newBundle(t, nil)
	c := helperCmd("echo", small)
	c.Stdin = []byte(`{"hello":"world"}`)
	out := run(t, b, c)
	wantStatus(t, out, Exited)
	if got, want := string(out.Stdout), `{"hello":"world"}`; got != want {
		t.Fatalf("stdout %q, want %q", got, want)
	}
	if out.ExitCode != 0 {
		t.Fatalf("exit %d", out.ExitCode)
	}
	if got, want := out.Usage.Enforcement, b.sb.Enforcement(); got != want {
		t.Fatalf("enforcement %s, want %s", got, want)
	}
	if out.Usage.PeakMemory <= 0 {
		t.Errorf("peak memory %d, want > 0", out.Usage.PeakMemory)
	}
	if d := groupDirs(b); len(d) != 0 {
		t.Fatalf("call groups left behind: %v", d)
	}
}

func TestExitCodePassedThrough(t *testing.T) {
	t.Parallel()
	b := newBundle(t, nil)
	out := run(t, b, helperCmd("exit", small, "7"))
	wantStatus(t, out, Exited)
	if out.ExitCode != 7 {
		t.Fatalf("exit %d, want 7", out.ExitCode)
	}
}

func TestTimeoutKillsWholeTree(t *testing.T) {
	t.Parallel()
	b := newBundle(t, nil)
	lim := small
	lim.Timeout = time.Second
	marker := newMarker(t)
	seen := watchMarker(marker)
	start := time.Now()
	out := run(t, b, helperCmd("fork", lim, "3", "60s", marker, "wait"))
	wantStatus(t, out, TimedOut)
	if el := time.Since(start); el > lim.Timeout+500*time.Millisecond {
		t.Errorf("timeout took %s, want within %s", el, lim.Timeout+500*time.Millisecond)
	}
	if pids := parsePids(t, out.Stdout); len(pids) != 3 {
		t.Fatalf("got pids %v, want 3", pids)
	}
	assertMarkerGone(t, marker)
	// The child carries the marker too. The printed pids prove the forks;
	// this proves the watch could see grandchildren alive at all.
	if n := seen(); n < 2 {
		t.Errorf("saw %d marked processes running, want the child and its grandchildren: the test proves nothing", n)
	}
	if d := groupDirs(b); len(d) != 0 {
		t.Fatalf("call groups left behind: %v", d)
	}
}

func TestGrandchildrenDieWhenCallEnds(t *testing.T) {
	t.Parallel()
	b := newBundle(t, nil)
	marker := newMarker(t)
	out := run(t, b, helperCmd("fork", small, "2", "60s", marker))
	wantStatus(t, out, Exited)
	if pids := parsePids(t, out.Stdout); len(pids) != 2 {
		t.Fatalf("got pids %v, want 2", pids)
	}
	assertMarkerGone(t, marker)
}

func TestMemoryExceeded(t *testing.T) {
	t.Parallel()
	b := newBundle(t, nil)
	lim := small
	lim.Memory = 64 << 20
	out := run(t, b, helperCmd("alloc", lim, "512"))
	wantStatus(t, out, OOM)
	if b.sb.Enforcement() != None && out.Usage.PeakMemory < lim.Memory*9/10 {
		t.Errorf("peak %d, want about the limit %d", out.Usage.PeakMemory, lim.Memory)
	}
	if d := groupDirs(b); len(d) != 0 {
		t.Fatalf("call groups left behind: %v", d)
	}
}

func TestWithinMemoryLimit(t *testing.T) {
	t.Parallel()
	b := newBundle(t, nil)
	out := run(t, b, helperCmd("alloc", small, "32"))
	wantStatus(t, out, Exited)
	if out.Usage.PeakMemory < 32<<20 {
		t.Errorf("peak %d, want at least 32 MiB", out.Usage.PeakMemory)
	}
}

// TestSelfKillIsNotOOM: a SIGKILL the sandbox did not send is a crash, not
// an OOM, although the wait status looks the same. A child that is the
// init of its own PID namespace cannot SIGKILL itself, so there the test
// kills it from outside, which takes the same path.
func TestSelfKillIsNotOOM(t *testing.T) {
	t.Parallel()
	b := newBundle(t, nil)
	marker := newMarker(t)
	c := helperCmd("selfkill", small, marker)
	go func() {
		var pids []int
		if poll(5*time.Second, func() bool { pids = markerProcs(marker); return len(pids) > 0 }) {
			time.Sleep(200 * time.Millisecond) // it is init of its namespace, or already dead
			for _, p := range markerProcs(marker) {
				_ = syscall.Kill(p, syscall.SIGKILL)
			}
		}
	}()
	out := run(t, b, c)
	wantStatus(t, out, Signaled)
	if out.Signal != syscall.SIGKILL {
		t.Fatalf("signal %v, want SIGKILL", out.Signal)
	}
}

func TestOutputFlood(t *testing.T) {
	t.Parallel()
	b := newBundle(t, nil)
	lim := small
	lim.Stdout = 1 << 20
	out := run(t, b, helperCmd("flood", lim, "256"))
	wantStatus(t, out, OutputExceeded)
	if got := int64(len(out.Stdout)); got != lim.Stdout {
		t.Fatalf("kept %d bytes of stdout, want the cap %d", got, lim.Stdout)
	}
	// The worker held at most the cap of the 256 MiB flood.
	if got := int64(cap(out.Stdout)); got > 2*lim.Stdout {
		t.Fatalf("stdout buffer grew to %d bytes for a cap of %d", got, lim.Stdout)
	}
}

func TestStderrKeepsHeadAndTail(t *testing.T) {
	t.Parallel()
	b := newBundle(t, nil)
	lim := small
	lim.Stderr = 8 << 10
	out := run(t, b, helperCmd("stderr", lim, "1000"))
	wantStatus(t, out, Exited)
	s := string(out.Stderr)
	if !strings.HasPrefix(s, "0000000") || !strings.Contains(s, "0000999") || !strings.Contains(s, "omitting") {
		t.Fatalf("stderr lost its head or tail (%d bytes): %.200q", len(s), s)
	}
	if len(s) > 9<<10 {
		t.Fatalf("stderr kept %d bytes, want about %d", len(s), lim.Stderr)
	}
}

func TestCancel(t *testing.T) {
	t.Parallel()
	b := newBundle(t, nil)
	cause := errors.New("caller gave up")
	ctx, cancel := context.WithCancelCause(context.Background())
	time.AfterFunc(200*time.Millisecond, func() { cancel(cause) })
	out, err := b.sb.Run(ctx, helperCmd("sleep", small, "30s"))
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, out, Cancelled)
	if !errors.Is(out.Cause, cause) {
		t.Fatalf("cause %v, want %v", out.Cause, cause)
	}
}

func TestPidsLimit(t *testing.T) {
	t.Parallel()
	b := newBundle(t, nil)
	lim := small
	lim.Pids = 24
	c := helperCmd("forkbomb", lim)
	if b.sb.Enforcement() == None {
		t.Skip("no task limit without cgroups")
	}
	out := run(t, b, c)
	if !out.Usage.PidsLimitHit {
		t.Fatalf("pids limit not reported; status %s, stderr %s", out.Status, out.Stderr)
	}
	if out.Status != PidsExceeded {
		t.Fatalf("status %s, want %s", out.Status, PidsExceeded)
	}
	// The host is fine: the next call runs.
	wantStatus(t, run(t, b, helperCmd("exit", small, "0")), Exited)
}

func TestCPUTimeReported(t *testing.T) {
	t.Parallel()
	b := newBundle(t, nil)
	out := run(t, b, helperCmd("spin", small, "300ms"))
	wantStatus(t, out, Exited)
	if out.Usage.CPU < 250*time.Millisecond || out.Usage.CPU > 2*time.Second {
		t.Fatalf("cpu %s, want about 300ms", out.Usage.CPU)
	}
}

func TestChildEnvironment(t *testing.T) {
	t.Parallel()
	b := newBundle(t, nil)
	c := helperCmd("env", small)
	c.Env = []string{"ONLY=this"}
	out := run(t, b, c)
	wantStatus(t, out, Exited)
	env := strings.Fields(string(out.Stdout))
	want := map[string]bool{"ONLY=this": true, "GOMEMLIMIT=" + strconv.FormatInt(small.Memory/10*9, 10): true}
	for _, e := range env {
		if strings.HasPrefix(e, "GOMAXPROCS=") {
			continue
		}
		if !want[e] {
			t.Errorf("unexpected variable %q", e)
		}
		delete(want, e)
	}
	for e := range want {
		t.Errorf("missing %q", e)
	}
}

// TestPlacement checks that the child runs in its call's cgroup from its
// first instruction, with clone3 where the host allows it and with the gate
// when forced.
func TestPlacement(t *testing.T) {
	t.Parallel()
	for _, forced := range []bool{false, true} {
		t.Run("forced="+strconv.FormatBool(forced), func(t *testing.T) {
			t.Parallel()
			b := newBundle(t, &Options{ForceGated: forced})
			c := helperCmd("cgroup", small)
			if b.sb.Enforcement() == None {
				t.Skip("no cgroup")
			}
			out := run(t, b, c)
			wantStatus(t, out, Exited)
			if !strings.Contains(string(out.Stdout), "/"+b.sb.Instance()+"/j") {
				t.Fatalf("child not in its call cgroup:\n%s", out.Stdout)
			}
			want := CloneInto
			if forced || b.sb.Enforcement() == Cgroup1 {
				want = Gated
			}
			if got := out.Usage.Placement; got != want {
				t.Fatalf("placement %s, want %s", got, want)
			}
		})
	}
}

// TestAncestorOOMIsNotTheCallersFault puts a memory limit on the instance
// directory, above the call's own cgroup, that is smaller than the call's
// limit: the OOM kill it causes must read as host pressure, not as the call
// exceeding its memory.
func TestAncestorOOMIsNotTheCallersFault(t *testing.T) {
	t.Parallel()
	b := newBundle(t, nil)
	lim := small
	lim.Memory = 512 << 20
	c := helperCmd("alloc", lim, "256")
	switch e := b.sb.enf.(type) {
	case *cgroup2Enforcer:
		if err := writeFile(filepath.Join(e.inst, "memory.max"), strconv.Itoa(64<<20)); err != nil {
			t.Fatal(err)
		}
		if e.swap {
			_ = writeFile(filepath.Join(e.inst, "memory.swap.max"), "0")
		}
	case *cgroup1Enforcer:
		dir := e.dirs["memory"]
		if err := writeFile(filepath.Join(dir, "memory.limit_in_bytes"), strconv.Itoa(64<<20)); err != nil {
			t.Fatal(err)
		}
		if e.memsw {
			_ = writeFile(filepath.Join(dir, "memory.memsw.limit_in_bytes"), strconv.Itoa(64<<20))
		}
	default:
		t.Skip("no cgroup")
	}
	out := run(t, b, c)
	wantStatus(t, out, HostOOM)
}

// TestSweepRemovesDeadInstances leaves a call group with a live process in
// an instance whose worker is gone (as after a SIGKILL), and checks that the
// next sandbox kills the process and removes the directories.
func TestSweepRemovesDeadInstances(t *testing.T) {
	t.Parallel()
	b := newBundle(t, nil)
	c := helperCmd("sleep", small, "60s")
	if b.sb.Enforcement() == None {
		t.Skip("no cgroup")
	}
	// A dead worker: pid 1's start time is never 1.
	dead := "w1-1-1"
	var g group
	var err error
	var instDirs []string
	switch e := b.sb.enf.(type) {
	case *cgroup2Enforcer:
		ghost := *e
		ghost.instance, ghost.inst = dead, filepath.Join(e.root, dead)
		if err := os.Mkdir(ghost.inst, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := enable(ghost.inst, e.controllers); err != nil {
			t.Fatal(err)
		}
		g, err = ghost.newGroup("j1-ghost", small)
		instDirs = []string{ghost.inst}
	case *cgroup1Enforcer:
		ghost := *e
		ghost.instance = dead
		ghost.dirs = map[string]string{}
		for n, d := range e.dirs {
			ghost.dirs[n] = filepath.Join(filepath.Dir(d), dead)
			instDirs = append(instDirs, ghost.dirs[n])
			if err := os.Mkdir(ghost.dirs[n], 0o755); err != nil {
				t.Fatal(err)
			}
		}
		g, err = ghost.newGroup("j1-ghost", small)
	}
	if err != nil {
		t.Fatal(err)
	}
	// Start the orphan inside the ghost group, released from its gate.
	ghostSB := &Sandbox{enf: b.sb.enf, log: b.sb.log, forceGate: true}
	ghostSB.gated.Store(true)
	p, err := ghostSB.start(c, g, small.withDefaults())
	if err != nil {
		t.Fatal(err)
	}
	pid := p.cmd.Process.Pid
	go func() { _ = p.cmd.Wait() }()

	sb2, err := New(&Options{Mode: b.sb.Enforcement(), Logger: b.sb.log})
	if err != nil {
		t.Fatal(err)
	}
	defer sb2.Close()
	if got := sb2.Swept(); len(got) != 1 || got[0].ID != "ghost" || got[0].WorkerPID != 1 {
		t.Errorf("Swept() = %v, want the ghost call of worker pid 1", got)
	}
	assertGone(t, []int{pid})
	for _, d := range instDirs {
		if exists(d) {
			t.Errorf("stale instance %s not removed", d)
		}
	}
}
