//go:build linux

package sandbox

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// knobs are the files of a cgroup that someone could write; a worker must
// leave them alone in every cgroup above its own.
var knobs = []string{
	"cgroup.subtree_control", "cgroup.procs", "cgroup.type", "cgroup.max.depth",
	"cgroup.max.descendants", "cgroup.freeze", "memory.max", "memory.high", "memory.low",
	"memory.min", "memory.swap.max", "memory.oom.group", "pids.max",
}

func snapshot(dir string) map[string]string {
	out := map[string]string{}
	for _, k := range knobs {
		if b, err := os.ReadFile(filepath.Join(dir, k)); err == nil {
			out[k] = string(b)
		}
	}
	return out
}

// TestClaimsOnlyItsOwnSubtree starts a worker in a cgroup that already
// holds another process, under a parent cgroup that delegated memory and
// pids to it. The worker must move every process of its cgroup into a leaf,
// enable controllers in its own cgroup and below, run a call, and leave
// every file of the parent (and of the root) as it found them.
func TestClaimsOnlyItsOwnSubtree(t *testing.T) {
	t.Parallel()
	b := newBundle(t, nil) // skips unless the mode under test is available
	if b.sb.Enforcement() != Cgroup2 {
		t.Skip("the no-internal-processes rule is cgroup v2's")
	}
	e := b.sb.enf.(*cgroup2Enforcer)
	parent := filepath.Join(e.base, fmt.Sprintf("tq-parent-%d", os.Getpid()))
	if err := os.Mkdir(parent, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := enable(parent, e.controllers); err != nil {
		t.Fatal(err)
	}
	mine := filepath.Join(parent, "worker")
	if err := os.Mkdir(mine, 0o755); err != nil {
		t.Fatal(err)
	}
	// startIn starts the test binary born in the worker's cgroup.
	startIn := func(cmd *exec.Cmd) {
		fd, err := unix.Open(mine, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer unix.Close(fd)
		cmd.Env = append(os.Environ(), "TOOLQ_TEST_SANDBOX=cgroup2")
		cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: fd, Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
	}
	sleeper := exec.Command("/proc/self/exe", grandchildArg, "60s")
	startIn(sleeper)
	t.Cleanup(func() {
		_ = sleeper.Process.Kill()
		_ = sleeper.Wait()
		for _, d := range []string{filepath.Join(mine, workersLeaf), filepath.Join(mine, "toolq"), mine, parent} {
			_ = rmdirRetry(d)
		}
	})
	// The root's processes come and go with the other tests; its knobs
	// must not.
	rootKnobs := func() map[string]string { m := snapshot(e.base); delete(m, "cgroup.procs"); return m }
	beforeParent, beforeRoot := snapshot(parent), rootKnobs()

	var out, logs bytes.Buffer
	worker := exec.Command("/proc/self/exe", workerArg)
	worker.Stdout, worker.Stderr = &out, &logs
	startIn(worker)
	if err := worker.Wait(); err != nil {
		t.Fatalf("worker: %v\n%s%s", err, out.String(), logs.String())
	}
	if !strings.HasPrefix(out.String(), "ok ") {
		t.Fatalf("worker: %s%s", out.String(), logs.String())
	}
	if got := snapshot(parent); fmt.Sprint(got) != fmt.Sprint(beforeParent) {
		t.Errorf("the worker changed its parent cgroup:\nbefore %v\nafter  %v", beforeParent, got)
	}
	if got := rootKnobs(); fmt.Sprint(got) != fmt.Sprint(beforeRoot) {
		t.Errorf("the worker changed the cgroup above its parent:\nbefore %v\nafter  %v", beforeRoot, got)
	}
	if pids, _ := readPids(filepath.Join(mine, "cgroup.procs")); len(pids) != 0 {
		t.Errorf("processes left in the worker's own cgroup: %v", pids)
	}
	inLeaf, _ := readPids(filepath.Join(mine, workersLeaf, "cgroup.procs"))
	found := false
	for _, p := range inLeaf {
		found = found || p == sleeper.Process.Pid
	}
	if !found {
		t.Errorf("the other process was not moved into %s (it holds %v)", workersLeaf, inLeaf)
	}
	ctl, _ := readList(filepath.Join(mine, "cgroup.subtree_control"))
	if !strings.Contains(strings.Join(ctl, " "), "memory") {
		t.Errorf("memory not enabled in the worker's own cgroup: %v", ctl)
	}
	// The worker removed its instance; only the empty subtree stays.
	if d := subdirs(filepath.Join(mine, "toolq")); len(d) != 0 {
		t.Errorf("instance directories left: %v", d)
	}
}
