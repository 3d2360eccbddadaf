//go:build linux

package sandbox

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
	"time"
)

// killTree kills the descendants of root (and root itself when withRoot is
// set) without a cgroup: it stops every process it finds, rescans until no
// new one appears (a stopped process cannot fork), then SIGKILLs them all.
// It sees only processes that are still descendants, so it relies on root
// being a child subreaper to keep orphans in the tree.
func killTree(root int, withRoot bool) {
	if root <= 1 {
		// Inside a PID namespace the child is pid 1 and the kernel kills
		// its descendants; in the host's view pid 1 is init. Never walk
		// from there.
		return
	}
	seen := map[int]bool{}
	if withRoot {
		seen[root] = true
		_ = syscall.Kill(root, syscall.SIGSTOP)
	}
	for round := 0; round < 100; round++ {
		added := false
		for _, pid := range descendants(root) {
			if !seen[pid] {
				seen[pid] = true
				added = true
				_ = syscall.Kill(pid, syscall.SIGSTOP)
			}
		}
		if !added {
			break
		}
	}
	for pid := range seen {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

// descendants lists the live descendants of root by walking /proc.
func descendants(root int) []int {
	children := map[int][]int{}
	d, err := os.Open("/proc")
	if err != nil {
		return nil
	}
	names, _ := d.Readdirnames(-1)
	_ = d.Close()
	for _, n := range names {
		pid, err := strconv.Atoi(n)
		if err != nil {
			continue
		}
		if pp, ok := ppid(pid); ok {
			children[pp] = append(children[pp], pid)
		}
	}
	var out []int
	queue := []int{root}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			out = append(out, c)
			queue = append(queue, c)
		}
	}
	return out
}

// statFields returns the fields of /proc/<pid>/stat after the
// parenthesised command name (which may itself hold spaces or parens), so
// that index 0 is field 3 of proc(5), "state".
func statFields(pid int) ([][]byte, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return nil, false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 >= len(b) {
		return nil, false
	}
	return bytes.Fields(b[i+2:]), true
}

// ppid returns the parent pid (field 4).
func ppid(pid int) (int, bool) {
	f, ok := statFields(pid)
	if !ok || len(f) < 2 {
		return 0, false
	}
	pp, err := strconv.Atoi(string(f[1]))
	return pp, err == nil
}

// startTime returns a process's start time in clock ticks since boot (field
// 22); with the pid it names one process for good, even after the pid is
// reused.
func startTime(pid int) (uint64, bool) {
	f, ok := statFields(pid)
	if !ok || len(f) < 20 {
		return 0, false
	}
	st, err := strconv.ParseUint(string(f[19]), 10, 64)
	return st, err == nil
}

// waitTreeGone waits until root has no live descendants left, or timeout.
func waitTreeGone(root int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		if len(descendants(root)) == 0 {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(time.Millisecond)
	}
}
