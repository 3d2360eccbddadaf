//go:build linux

package sandbox

import (
	"bufio"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/containerd/cgroups/v3"
	"golang.org/x/sys/unix"
)

const (
	// v2Mount is where the unified hierarchy is mounted on a pure v2 host.
	v2Mount = "/sys/fs/cgroup"
	// workersLeaf is the leaf the worker moves itself (and anything else it
	// finds in its cgroup) into, so that its cgroup may enable controllers
	// for children: the kernel's "no internal processes" rule.
	workersLeaf = "toolq-workers"
)

// cgroup2Enforcer owns <base>/<subtree>/<instance> and creates one leaf per
// call under it. It writes cgroup.subtree_control only in <base> and below,
// never in an ancestor of the cgroup the worker was started in, which
// belongs to whoever delegated it.
//
// The cgroup files are written directly. containerd/cgroups' cgroup2
// package would do it too, but its NewManager enables controllers in every
// ancestor up to the mount root (sandbox-notes §1.3), and it links an eBPF
// library and a D-Bus client into this binary: about 10 MB, which every
// sandboxed child (a re-execution of this binary) pays for in start-up time
// on every call. Only the mode detection comes from containerd/cgroups.
type cgroup2Enforcer struct {
	base, root, inst string // absolute directories
	instance         string
	controllers      []string
	swap, peak, kill bool // optional interface files present
}

func newCgroup2(subtree, instance string) (*cgroup2Enforcer, error) {
	if cgroups.Mode() != cgroups.Unified {
		return nil, unavailable("cgroup2: the host is not in unified cgroup v2 mode")
	}
	own, err := ownCgroup2()
	if err != nil {
		return nil, unavailable("cgroup2: %v", err)
	}
	base := own
	if filepath.Base(own) == workersLeaf {
		base = filepath.Dir(own)
	}
	e := &cgroup2Enforcer{
		base:     filepath.Join(v2Mount, base),
		instance: instance,
	}
	e.root = filepath.Join(e.base, subtree)
	e.inst = filepath.Join(e.root, instance)
	avail, err := readList(filepath.Join(e.base, "cgroup.controllers"))
	if err != nil {
		return nil, unavailable("cgroup2: %v", err)
	}
	if !slices.Contains(avail, "memory") {
		return nil, unavailable("cgroup2: the memory controller is not delegated to %s (available: %v)", e.base, avail)
	}
	e.controllers = []string{"memory"}
	if slices.Contains(avail, "pids") {
		e.controllers = append(e.controllers, "pids")
	}
	if err := e.claim(); err != nil {
		return nil, unavailable("cgroup2: %v", err)
	}
	for _, dir := range []string{e.root, e.inst} {
		if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
			return nil, unavailable("cgroup2: %v", err)
		}
		if err := enable(dir, e.controllers); err != nil {
			return nil, unavailable("cgroup2: %v", err)
		}
	}
	// Interface files of the memory controller appear in children only;
	// probe one.
	probe := filepath.Join(e.inst, "probe")
	if err := os.Mkdir(probe, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, unavailable("cgroup2: %v", err)
	}
	e.swap = exists(filepath.Join(probe, "memory.swap.max"))
	e.peak = exists(filepath.Join(probe, "memory.peak"))
	e.kill = exists(filepath.Join(probe, "cgroup.kill"))
	_ = os.Remove(probe)
	return e, nil
}

// claim makes base able to hold child cgroups with controllers. Enabling
// them works at once in the host's root cgroup (exempt from the "no
// internal processes" rule) and in a delegated cgroup that holds no
// process; anywhere else, including the root of a cgroup namespace (a
// container's "/", which the rule does not exempt), the kernel answers
// EBUSY until every process of base has moved into base/toolq-workers.
func (e *cgroup2Enforcer) claim() error {
	// enable writes nothing when every controller is on already.
	err := enable(e.base, e.controllers)
	if err == nil || !errors.Is(err, syscall.EBUSY) {
		return err
	}
	leaf := filepath.Join(e.base, workersLeaf)
	if err := os.Mkdir(leaf, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	// New processes may be forked into base while we move; repeat until it
	// is empty.
	ok := poll(2*time.Second, func() bool {
		pids, err := readPids(filepath.Join(e.base, "cgroup.procs"))
		if err != nil || len(pids) == 0 {
			return true
		}
		for _, p := range pids {
			_ = writeFile(filepath.Join(leaf, "cgroup.procs"), strconv.Itoa(p))
		}
		return false
	})
	if !ok {
		return fmt.Errorf("could not move the processes of %s into %s", e.base, leaf)
	}
	return enable(e.base, e.controllers)
}

// enable writes the controllers missing from dir's subtree_control.
func enable(dir string, controllers []string) error {
	current, _ := readList(filepath.Join(dir, "cgroup.subtree_control"))
	var add []string
	for _, c := range controllers {
		if !slices.Contains(current, c) {
			add = append(add, "+"+c)
		}
	}
	if len(add) == 0 {
		return nil
	}
	if err := writeFile(filepath.Join(dir, "cgroup.subtree_control"), strings.Join(add, " ")); err != nil {
		return fmt.Errorf("enable %v in %s: %w", add, dir, err)
	}
	return nil
}

func readList(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return strings.Fields(string(b)), nil
}

// ownCgroup2 returns this process's cgroup v2 path ("0::/path").
func ownCgroup2() (string, error) {
	f, err := os.Open("/proc/self/cgroup")
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if p, ok := strings.CutPrefix(sc.Text(), "0::"); ok {
			return p, nil
		}
	}
	return "", errors.New("no cgroup v2 entry in /proc/self/cgroup")
}

func (e *cgroup2Enforcer) mode() Mode { return Cgroup2 }

func (e *cgroup2Enforcer) newGroup(name string, lim Limits) (group, error) {
	dir := filepath.Join(e.inst, name)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, err
	}
	g := &group2{e: e, dir: dir, dirfd: -1}
	// memory.max, no swap, and the whole group killed together on OOM, so
	// that a multi-process call never half-survives (sandbox-notes §2.6).
	// memory.high stays unset: it throttles instead of failing, which turns
	// an OOM into a timeout.
	settings := [][2]string{{"memory.max", strconv.FormatInt(lim.Memory, 10)}, {"memory.oom.group", "1"}}
	if e.swap {
		settings = append(settings, [2]string{"memory.swap.max", "0"})
	}
	if slices.Contains(e.controllers, "pids") {
		settings = append(settings, [2]string{"pids.max", strconv.FormatInt(lim.Pids, 10)})
	}
	for _, s := range settings {
		if err := writeFile(filepath.Join(dir, s[0]), s[1]); err != nil {
			_ = os.Remove(dir)
			return nil, fmt.Errorf("set %s: %w", s[0], err)
		}
	}
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		_ = os.Remove(dir)
		return nil, err
	}
	g.dirfd = fd
	return g, nil
}

func (e *cgroup2Enforcer) sweep(log *slog.Logger) []found {
	return sweepWith(log, staleInstances(e.root, e.instance),
		func(inst string) []string { return subdirs(filepath.Join(e.root, inst)) },
		func(inst, job string) error {
			g := &group2{e: e, dir: filepath.Join(e.root, inst, job), dirfd: -1}
			if err := g.kill(5 * time.Second); err != nil {
				return err
			}
			return g.remove()
		},
		func(inst string) error { return rmdirRetry(filepath.Join(e.root, inst)) })
}

func (e *cgroup2Enforcer) close() error {
	if err := os.Remove(e.inst); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

type group2 struct {
	e     *cgroup2Enforcer
	dir   string
	dirfd int
}

func (g *group2) fd() int { return g.dirfd }

func (g *group2) attach(pid int) error {
	return writeFile(filepath.Join(g.dir, "cgroup.procs"), strconv.Itoa(pid))
}

func (g *group2) started(int) {}

func (g *group2) populated() bool {
	ev, err := readKV(filepath.Join(g.dir, "cgroup.events"))
	return err == nil && ev["populated"] != 0
}

// kill writes cgroup.kill, which also catches processes forked during the
// kill (kernel ≥ 5.14); on older kernels it freezes the group and signals
// each process. Then it waits for "populated 0", so the directory can be
// removed.
func (g *group2) kill(timeout time.Duration) error {
	if !g.populated() {
		return nil
	}
	if g.e.kill {
		if err := writeFile(filepath.Join(g.dir, "cgroup.kill"), "1"); err != nil {
			return err
		}
	}
	ok := poll(timeout, func() bool {
		if !g.populated() {
			return true
		}
		if !g.e.kill {
			freeze := filepath.Join(g.dir, "cgroup.freeze")
			_ = writeFile(freeze, "1")
			pids, _ := readPids(filepath.Join(g.dir, "cgroup.procs"))
			for _, p := range pids {
				_ = syscall.Kill(p, syscall.SIGKILL)
			}
			_ = writeFile(freeze, "0")
		}
		return false
	})
	if !ok {
		return fmt.Errorf("cgroup %s still populated %s after kill", g.dir, timeout)
	}
	return nil
}

// stats reads the verdict from the group's own counters. memory.events is
// hierarchical, but the group is a leaf, so "oom" counts only its own limit
// being hit, while an "oom_kill" without "oom" is a kill decided by an
// ancestor's limit or the host (sandbox-notes §2.7).
func (g *group2) stats() groupStats {
	var st groupStats
	if ev, err := readKV(filepath.Join(g.dir, "memory.events")); err == nil {
		st.oom = ev["oom"] > 0
		st.oomKill = ev["oom_kill"] > 0
	}
	if g.e.peak {
		st.peak, st.hasPeak = readInt(filepath.Join(g.dir, "memory.peak"))
	}
	if cpu, err := readKV(filepath.Join(g.dir, "cpu.stat")); err == nil {
		st.cpu, st.hasCPU = time.Duration(cpu["usage_usec"])*time.Microsecond, true
	}
	if ev, err := readKV(filepath.Join(g.dir, "pids.events")); err == nil {
		st.pidsMax = ev["max"] > 0
	}
	return st
}

func (g *group2) remove() error {
	if g.dirfd >= 0 {
		_ = unix.Close(g.dirfd)
		g.dirfd = -1
	}
	return rmdirRetry(g.dir)
}
