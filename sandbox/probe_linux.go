//go:build linux

package sandbox

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/containerd/cgroups/v3"
)

// CheckStatus grades one capability.
type CheckStatus string

// Check statuses.
const (
	Available CheckStatus = "available"
	Missing   CheckStatus = "missing"
	Degraded  CheckStatus = "degraded"
)

// Check is one line of a host report.
type Check struct {
	Name   string      `json:"name"`
	Status CheckStatus `json:"status"`
	Detail string      `json:"detail"`
}

// Report is what Probe found about the host.
type Report struct {
	CgroupMode string  `json:"cgroup_mode"`
	Checks     []Check `json:"checks"`
	// Auto is the enforcer Mode Auto picks here, and Why says what ruled
	// out the better ones.
	Auto Mode   `json:"auto"`
	Why  string `json:"why,omitempty"`
	// Placement is how Auto's sandbox places children before any call has
	// tried clone3 (a call may still fall back to the gate).
	Placement Placement `json:"placement"`
}

// Probe inspects the host: cgroup mode, the controllers the worker may use,
// the kernel files the verdicts rely on, swap, and which enforcer Auto would
// pick (by setting one up and closing it again). It changes nothing outside
// the worker's own subtree.
func Probe() Report {
	var r Report
	add := func(name string, st CheckStatus, format string, args ...any) {
		r.Checks = append(r.Checks, Check{name, st, fmt.Sprintf(format, args...)})
	}
	switch cgroups.Mode() {
	case cgroups.Unified:
		r.CgroupMode = "unified (cgroup v2)"
		probeV2(add)
	case cgroups.Hybrid:
		r.CgroupMode = "hybrid (v1 controllers, v2 mount without memory)"
		probeV1(add)
	case cgroups.Legacy:
		r.CgroupMode = "legacy (cgroup v1)"
		probeV1(add)
	default:
		r.CgroupMode = "unavailable"
		add("cgroups", Missing, "no cgroup filesystem at /sys/fs/cgroup")
	}
	if swaps := activeSwap(); swaps == 0 {
		add("swap", Available, "no swap is active on the host, so a call cannot swap instead of hitting its limit")
	} else {
		add("swap", Degraded, "%d swap device(s) active; toolq turns swap off per call where the kernel allows (memory.swap.max or memsw)", swaps)
	}

	sb, err := New(&Options{Mode: Auto, NoSweep: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		r.Auto, r.Why = None, err.Error()
		return r
	}
	r.Auto, r.Placement = sb.Enforcement(), sb.Placement()
	if r.Auto == None {
		_, err2 := newCgroup2("toolq-probe", "probe")
		_, err1 := newCgroup1("toolq-probe", "probe")
		r.Why = fmt.Sprintf("cgroup2: %v; cgroup1: %v", err2, err1)
	}
	_ = sb.Close()
	return r
}

func probeV2(add func(string, CheckStatus, string, ...any)) {
	own, err := ownCgroup2()
	if err != nil {
		add("cgroup v2", Missing, "%v", err)
		return
	}
	base := own
	if filepath.Base(own) == workersLeaf {
		base = filepath.Dir(own)
	}
	dir := filepath.Join(v2Mount, base)
	add("own cgroup", Available, "%s", base)
	ctrl, _ := readList(filepath.Join(dir, "cgroup.controllers"))
	for _, c := range []string{"memory", "pids", "cpu"} {
		found := false
		for _, x := range ctrl {
			found = found || x == c
		}
		switch {
		case found:
			add("controller "+c, Available, "delegated to %s", base)
		case c == "memory":
			add("controller "+c, Missing, "not delegated to %s: no memory limit can be enforced (systemd: Delegate=yes; containers: a writable cgroup namespace)", base)
		case c == "cpu":
			add("controller "+c, Degraded, "not delegated; CPU time is still reported from cpu.stat")
		default:
			add("controller "+c, Degraded, "not delegated: no limit on the number of processes")
		}
	}
	if err := writable(dir); err != nil {
		add("write access", Missing, "%s: %v", dir, err)
	} else {
		add("write access", Available, "%s", dir)
	}
	if hasCgroupFile("cgroup.kill") {
		add("cgroup.kill", Available, "kills a whole cgroup at once (kernel ≥ 5.14)")
	} else {
		add("cgroup.kill", Degraded, "absent (kernel < 5.14): a call's group is frozen and each process killed")
	}
	if hasCgroupFile("memory.peak") {
		add("memory.peak", Available, "peak memory per call (kernel ≥ 5.19)")
	} else {
		add("memory.peak", Degraded, "absent (kernel < 5.19): peak memory is reported as 0")
	}
	if hasCgroupFile("memory.swap.max") {
		add("memory.swap.max", Available, "swap is turned off per call")
	} else {
		add("memory.swap.max", Degraded, "absent (swap accounting off): calls may swap if the host has swap")
	}
}

// hasCgroupFile looks for an interface file in a non-root cgroup near the
// worker's (most do not exist in the root cgroup).
func hasCgroupFile(name string) bool {
	own, err := ownCgroup2()
	if err != nil {
		return false
	}
	for dir := filepath.Join(v2Mount, own); strings.HasPrefix(dir, v2Mount+"/"); dir = filepath.Dir(dir) {
		if exists(filepath.Join(dir, name)) || anyChildHas(dir, name) {
			return true
		}
	}
	return anyChildHas(v2Mount, name)
}

func anyChildHas(dir, name string) bool {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.IsDir() && exists(filepath.Join(dir, e.Name(), name)) {
			return true
		}
	}
	return false
}

func probeV1(add func(string, CheckStatus, string, ...any)) {
	own, err := ownCgroups1()
	if err != nil {
		add("v1 hierarchies", Missing, "%v", err)
		return
	}
	for _, c := range v1Wanted {
		dir, ok := own[c]
		if !ok {
			st := Degraded
			if c == "memory" {
				st = Missing
			}
			add("v1 "+c, st, "not mounted")
			continue
		}
		if err := writable(dir); err != nil {
			add("v1 "+c, Missing, "%s: %v", dir, err)
			continue
		}
		add("v1 "+c, Available, "%s", dir)
	}
	add("cgroup.kill", Degraded, "v1 has none: a call's group is frozen, each process killed, then thawed")
	add("clone3 into cgroup", Degraded, "v1 cannot take it: children are started behind a gate and moved in before they run")
}

// writable checks that a child cgroup can be created in dir.
func writable(dir string) error {
	probe := filepath.Join(dir, fmt.Sprintf("toolq-probe-%d", os.Getpid()))
	if err := os.Mkdir(probe, 0o755); err != nil {
		return err
	}
	return os.Remove(probe)
}

func activeSwap() int {
	f, err := os.Open("/proc/swaps")
	if err != nil {
		return 0
	}
	defer f.Close()
	n := -1 // header line
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		n++
	}
	return max(n, 0)
}
