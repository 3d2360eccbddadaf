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
)

// cgroup1Enforcer serves legacy and hybrid hosts, where memory is a v1
// controller. Each call's group is <own>/<subtree>/<instance>/<job> in each
// of the memory (required), pids, freezer and cpuacct hierarchies, <own>
// being the worker's cgroup in that hierarchy. v1 has no clone3 placement, so
// children are always gated. Like the v2 enforcer it writes the cgroup files
// itself (see cgroup2Enforcer for why).
type cgroup1Enforcer struct {
	instance string
	// dirs holds <own>/<subtree>/<instance> per controller.
	dirs  map[string]string
	memsw bool
}

// v1Wanted are the controllers used; memory is required.
var v1Wanted = []string{"memory", "pids", "freezer", "cpuacct"}

func newCgroup1(subtree, instance string) (*cgroup1Enforcer, error) {
	switch cgroups.Mode() {
	case cgroups.Legacy, cgroups.Hybrid:
	default:
		return nil, unavailable("cgroup1: the host has no cgroup v1 hierarchies")
	}
	own, err := ownCgroups1()
	if err != nil {
		return nil, unavailable("cgroup1: %v", err)
	}
	e := &cgroup1Enforcer{instance: instance, dirs: map[string]string{}}
	for _, c := range v1Wanted {
		dir, ok := own[c]
		if !ok {
			if c == "memory" {
				return nil, unavailable("cgroup1: no v1 memory hierarchy is mounted")
			}
			continue
		}
		d := filepath.Join(dir, subtree, instance)
		if err := os.MkdirAll(d, 0o755); err != nil {
			if c == "memory" {
				return nil, unavailable("cgroup1: %v", err)
			}
			continue // an optional controller we may not write: go without it
		}
		e.dirs[c] = d
	}
	e.memsw = exists(filepath.Join(e.dirs["memory"], "memory.memsw.limit_in_bytes"))
	return e, nil
}

// ownCgroups1 returns, per v1 controller, the directory of this process's
// cgroup: the controller's mount point joined with the process's path in
// that hierarchy, relative to the mount's root (which, in a container, may
// be a subdirectory of the hierarchy).
func ownCgroups1() (map[string]string, error) {
	type mount struct{ root, point string }
	mounts := map[string]mount{}
	mi, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer mi.Close()
	sc := bufio.NewScanner(mi)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		sep := slices.Index(fields, "-")
		if sep < 0 || sep+3 >= len(fields) || fields[sep+1] != "cgroup" {
			continue
		}
		for _, opt := range strings.Split(fields[sep+3], ",") {
			mounts[opt] = mount{root: fields[3], point: fields[4]}
		}
	}
	pc, err := os.Open("/proc/self/cgroup")
	if err != nil {
		return nil, err
	}
	defer pc.Close()
	out := map[string]string{}
	sc = bufio.NewScanner(pc)
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) != 3 || parts[1] == "" {
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			m, ok := mounts[c]
			if !ok {
				continue
			}
			rel := parts[2]
			if m.root != "/" {
				rel = strings.TrimPrefix(rel, m.root)
			}
			out[c] = filepath.Join(m.point, rel)
		}
	}
	return out, nil
}

func (e *cgroup1Enforcer) mode() Mode { return Cgroup1 }

func (e *cgroup1Enforcer) has(c string) bool { _, ok := e.dirs[c]; return ok }

func (e *cgroup1Enforcer) newGroup(name string, lim Limits) (group, error) {
	g := &group1{e: e, name: name}
	for c := range e.dirs {
		if err := os.Mkdir(g.dirOf(c), 0o755); err != nil {
			_ = g.remove()
			return nil, err
		}
	}
	mem := g.dirOf("memory")
	limit := strconv.FormatInt(lim.Memory, 10)
	// The limit first: memsw (memory plus swap) may never be below it. Equal
	// means no swap.
	settings := [][2]string{{filepath.Join(mem, "memory.limit_in_bytes"), limit}}
	if e.memsw {
		settings = append(settings, [2]string{filepath.Join(mem, "memory.memsw.limit_in_bytes"), limit})
	}
	if e.has("pids") {
		settings = append(settings, [2]string{filepath.Join(g.dirOf("pids"), "pids.max"), strconv.FormatInt(lim.Pids, 10)})
	}
	for _, s := range settings {
		if err := writeFile(s[0], s[1]); err != nil {
			_ = g.remove()
			return nil, fmt.Errorf("set %s: %w", filepath.Base(s[0]), err)
		}
	}
	return g, nil
}

func (e *cgroup1Enforcer) sweep(log *slog.Logger) []found {
	// An instance has a directory in every hierarchy; collect the stale ones
	// by name across all of them, then remove each everywhere.
	seen := map[string]bool{}
	var stale []string
	for _, d := range e.dirs {
		for _, s := range staleInstances(filepath.Dir(d), e.instance) {
			if !seen[s] {
				seen[s] = true
				stale = append(stale, s)
			}
		}
	}
	return sweepWith(log, stale,
		func(inst string) []string {
			jobs := map[string]bool{}
			for _, d := range e.dirs {
				for _, j := range subdirs(filepath.Join(filepath.Dir(d), inst)) {
					jobs[j] = true
				}
			}
			return sortedSet(jobs)
		},
		func(inst, job string) error {
			g := &group1{e: e, name: job, inst: inst}
			if err := g.kill(5 * time.Second); err != nil {
				return err
			}
			return g.remove()
		},
		func(inst string) error {
			var errs []error
			for _, d := range e.dirs {
				if err := rmdirRetry(filepath.Join(filepath.Dir(d), inst)); err != nil {
					errs = append(errs, err)
				}
			}
			return errors.Join(errs...)
		})
}

func (e *cgroup1Enforcer) close() error {
	var errs []error
	for _, d := range e.dirs {
		if err := os.Remove(d); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

type group1 struct {
	e    *cgroup1Enforcer
	name string
	inst string // set for swept groups of other (dead) instances
}

// dirOf returns the group's directory in the hierarchy of controller c.
func (g *group1) dirOf(c string) string {
	if g.inst == "" {
		return filepath.Join(g.e.dirs[c], g.name)
	}
	return filepath.Join(filepath.Dir(g.e.dirs[c]), g.inst, g.name)
}

func (g *group1) fd() int { return -1 }

// attach moves the gated child into the group in every hierarchy.
func (g *group1) attach(pid int) error {
	p := strconv.Itoa(pid)
	for c := range g.e.dirs {
		if err := writeFile(filepath.Join(g.dirOf(c), "cgroup.procs"), p); err != nil {
			return fmt.Errorf("%s: %w", c, err)
		}
	}
	return nil
}

func (g *group1) started(int) {}

func (g *group1) procs() []int {
	pids, _ := readPids(filepath.Join(g.dirOf("memory"), "cgroup.procs"))
	return pids
}

// kill freezes the group (so nothing forks while it is being killed),
// SIGKILLs every process, thaws it and repeats until it is empty. v1 has no
// cgroup.kill.
func (g *group1) kill(timeout time.Duration) error {
	if len(g.procs()) == 0 {
		return nil
	}
	freezer := ""
	if g.e.has("freezer") {
		freezer = filepath.Join(g.dirOf("freezer"), "freezer.state")
	}
	ok := poll(timeout, func() bool {
		if freezer != "" {
			_ = writeFile(freezer, "FROZEN")
		}
		pids := g.procs()
		for _, p := range pids {
			_ = syscall.Kill(p, syscall.SIGKILL)
		}
		if freezer != "" {
			_ = writeFile(freezer, "THAWED")
		}
		return len(pids) == 0
	})
	if !ok {
		return fmt.Errorf("cgroup %s not empty %s after kill", g.dirOf("memory"), timeout)
	}
	return nil
}

// stats reads the verdict. In v1 the job's oom_kill counter (kernel ≥ 4.13)
// counts kills of its own tasks whoever decided them. Whether the job's own
// limit was the reason is read from its high-water mark: an OOM at the
// job's limit leaves max_usage_in_bytes at the limit, while an ancestor's
// (smaller) limit or host pressure stops it below. The failcnt counters
// would say it directly, but recent kernels no longer maintain them for v1
// memory cgroups (6.18 here reports 0 after an OOM at the limit), so they
// only add evidence.
func (g *group1) stats() groupStats {
	var st groupStats
	mem := g.dirOf("memory")
	st.peak, st.hasPeak = readInt(filepath.Join(mem, "memory.max_usage_in_bytes"))
	if ctl, err := readKV(filepath.Join(mem, "memory.oom_control")); err == nil && ctl["oom_kill"] > 0 {
		st.oomKill = true
		limit, _ := readInt(filepath.Join(mem, "memory.limit_in_bytes"))
		fail, _ := readInt(filepath.Join(mem, "memory.failcnt"))
		swfail, _ := readInt(filepath.Join(mem, "memory.memsw.failcnt"))
		const slack = 64 << 10 // charges are batched; the peak can stop a little short
		st.oom = fail+swfail > 0 || (limit > 0 && st.peak >= limit-slack)
	}
	if g.e.has("cpuacct") {
		if ns, ok := readInt(filepath.Join(g.dirOf("cpuacct"), "cpuacct.usage")); ok {
			st.cpu, st.hasCPU = time.Duration(ns), true
		}
	}
	if g.e.has("pids") {
		if ev, err := readKV(filepath.Join(g.dirOf("pids"), "pids.events")); err == nil {
			st.pidsMax = ev["max"] > 0
		}
	}
	return st
}

func (g *group1) remove() error {
	var errs []error
	for c := range g.e.dirs {
		if err := rmdirRetry(g.dirOf(c)); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", c, err))
		}
	}
	return errors.Join(errs...)
}
