//go:build linux

package sandbox

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/containerd/cgroups/v3"
	"github.com/containerd/cgroups/v3/cgroup1"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// cgroup1Enforcer serves legacy and hybrid hosts, where memory is a v1
// controller. Each call's group is <own>/<subtree>/<instance>/<job> in each
// of the memory (required), pids, freezer and cpuacct hierarchies, <own>
// being the worker's cgroup in that hierarchy. v1 has no clone3 placement, so
// children are always gated.
type cgroup1Enforcer struct {
	hier     []cgroup1.Subsystem
	own      map[cgroup1.Name]string // the worker's cgroup per hierarchy
	rel      string                  // <subtree>/<instance>
	subtree  string
	instance string
	dirs     map[cgroup1.Name]string // absolute <own>/<subtree>/<instance> per hierarchy
	memsw    bool
}

var v1Wanted = []cgroup1.Name{cgroup1.Memory, cgroup1.Pids, cgroup1.Freezer, cgroup1.Cpuacct}

func newCgroup1(subtree, instance string) (*cgroup1Enforcer, error) {
	switch cgroups.Mode() {
	case cgroups.Legacy, cgroups.Hybrid:
	default:
		return nil, unavailable("cgroup1: the host has no cgroup v1 hierarchies")
	}
	all, err := cgroup1.Default()
	if err != nil {
		return nil, unavailable("cgroup1: %v", err)
	}
	e := &cgroup1Enforcer{
		own:      map[cgroup1.Name]string{},
		dirs:     map[cgroup1.Name]string{},
		subtree:  subtree,
		instance: instance,
		rel:      filepath.Join(subtree, instance),
	}
	own := cgroup1.NestedPath("")
	for _, s := range all {
		for _, w := range v1Wanted {
			if s.Name() != w {
				continue
			}
			p, err := own(w)
			if err != nil {
				continue
			}
			e.hier = append(e.hier, s)
			e.own[w] = p
		}
	}
	if _, ok := e.own[cgroup1.Memory]; !ok {
		return nil, unavailable("cgroup1: no v1 memory hierarchy")
	}
	for _, s := range e.hier {
		dir := s.(interface{ Path(string) string }).Path(filepath.Join(e.own[s.Name()], e.rel))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			if s.Name() == cgroup1.Memory {
				return nil, unavailable("cgroup1: %v", err)
			}
			continue // an optional controller we may not write: go without it
		}
		e.dirs[s.Name()] = dir
	}
	var kept []cgroup1.Subsystem
	for _, s := range e.hier {
		if _, ok := e.dirs[s.Name()]; ok {
			kept = append(kept, s)
		}
	}
	e.hier = kept
	e.memsw = exists(filepath.Join(e.dirs[cgroup1.Memory], "memory.memsw.limit_in_bytes"))
	return e, nil
}

func (e *cgroup1Enforcer) mode() Mode { return Cgroup1 }

func (e *cgroup1Enforcer) hierarchy() ([]cgroup1.Subsystem, error) { return e.hier, nil }

// path places a job under the instance in every hierarchy.
func (e *cgroup1Enforcer) path(job string) cgroup1.Path {
	return func(n cgroup1.Name) (string, error) {
		own, ok := e.own[n]
		if !ok {
			return "", cgroup1.ErrControllerNotActive
		}
		return filepath.Join(own, e.rel, job), nil
	}
}

func (e *cgroup1Enforcer) has(n cgroup1.Name) bool { _, ok := e.dirs[n]; return ok }

func (e *cgroup1Enforcer) newGroup(name string, lim Limits) (group, error) {
	res := &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr(lim.Memory)}}
	if e.memsw {
		// memsw is memory plus swap: equal to the limit means no swap.
		res.Memory.Swap = ptr(lim.Memory)
	}
	if e.has(cgroup1.Pids) {
		res.Pids = &specs.LinuxPids{Limit: ptr(lim.Pids)}
	}
	cg, err := cgroup1.New(e.path(name), res, cgroup1.WithHierarchy(e.hierarchy))
	if err != nil {
		// New may have created some of the directories before failing.
		if cg2, lerr := cgroup1.Load(e.path(name), cgroup1.WithHierarchy(e.hierarchy)); lerr == nil {
			_ = cg2.Delete()
		}
		return nil, err
	}
	return &group1{e: e, name: name, cg: cg}, nil
}

func (e *cgroup1Enforcer) dir(n cgroup1.Name, job string) string {
	return filepath.Join(e.dirs[n], job)
}

func (e *cgroup1Enforcer) sweep(log *slog.Logger) []string {
	// An instance has a directory in every hierarchy; collect the stale ones
	// by name across all of them, then remove each everywhere.
	seen := map[string]bool{}
	var stale []string
	for _, d := range e.dirs {
		for _, s := range staleInstances(filepath.Dir(d), e.instance) {
			if name := filepath.Base(s); !seen[name] {
				seen[name] = true
				stale = append(stale, name)
			}
		}
	}
	return sweepWith(log, stale,
		func(inst string) []string {
			jobs := map[string]bool{}
			for _, d := range e.dirs {
				entries, _ := os.ReadDir(filepath.Join(filepath.Dir(d), inst))
				for _, j := range entries {
					if j.IsDir() {
						jobs[j.Name()] = true
					}
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

// rmdirRetry removes an empty cgroup directory, retrying briefly: a v1
// memory cgroup can report EBUSY for a moment after its last task is reaped.
func rmdirRetry(dir string) error {
	var err error
	poll(time.Second, func() bool {
		err = os.Remove(dir)
		return err == nil || errors.Is(err, os.ErrNotExist)
	})
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

type group1 struct {
	e    *cgroup1Enforcer
	name string
	inst string // set for swept groups of other (dead) instances
	cg   cgroup1.Cgroup
}

func (g *group1) fd() int { return -1 }

func (g *group1) attach(pid int) error { return g.cg.AddProc(uint64(pid)) }

func (g *group1) started(int) {}

// dirOf returns the group's directory in hierarchy n.
func (g *group1) dirOf(n cgroup1.Name) string {
	if g.inst == "" {
		return g.e.dir(n, g.name)
	}
	return filepath.Join(filepath.Dir(g.e.dirs[n]), g.inst, g.name)
}

func (g *group1) procs() []int {
	pids, _ := readPids(filepath.Join(g.dirOf(cgroup1.Memory), "cgroup.procs"))
	return pids
}

// kill freezes the group (so nothing forks while it is being killed),
// SIGKILLs every process, thaws it and waits until it is empty. v1 has no
// cgroup.kill.
func (g *group1) kill(timeout time.Duration) error {
	if len(g.procs()) == 0 {
		return nil
	}
	freezer := ""
	if g.e.has(cgroup1.Freezer) {
		freezer = filepath.Join(g.dirOf(cgroup1.Freezer), "freezer.state")
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
		return fmt.Errorf("cgroup %s not empty %s after kill", g.dirOf(cgroup1.Memory), timeout)
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
	mem := g.dirOf(cgroup1.Memory)
	st.peak, st.hasPeak = readInt(filepath.Join(mem, "memory.max_usage_in_bytes"))
	if ctl, err := readKV(filepath.Join(mem, "memory.oom_control")); err == nil && ctl["oom_kill"] > 0 {
		st.oomKill = true
		limit, _ := readInt(filepath.Join(mem, "memory.limit_in_bytes"))
		fail, _ := readInt(filepath.Join(mem, "memory.failcnt"))
		swfail, _ := readInt(filepath.Join(mem, "memory.memsw.failcnt"))
		const slack = 64 << 10 // charges are batched; the peak can stop a little short
		st.oom = fail+swfail > 0 || (limit > 0 && st.peak >= limit-slack)
	}
	if g.e.has(cgroup1.Cpuacct) {
		if ns, ok := readInt(filepath.Join(g.dirOf(cgroup1.Cpuacct), "cpuacct.usage")); ok {
			st.cpu, st.hasCPU = time.Duration(ns), true
		}
	}
	if g.e.has(cgroup1.Pids) {
		if ev, err := readKV(filepath.Join(g.dirOf(cgroup1.Pids), "pids.events")); err == nil {
			st.pidsMax = ev["max"] > 0
		}
	}
	return st
}

func (g *group1) remove() error {
	var errs []error
	for n := range g.e.dirs {
		if err := rmdirRetry(g.dirOf(n)); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", n, err))
		}
	}
	return errors.Join(errs...)
}
