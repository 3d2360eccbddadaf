//go:build linux

package sandbox

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Helpers for reading and writing cgroupfs files, shared by both cgroup
// enforcers.

// readKV parses a flat-keyed file ("key value" per line), such as
// memory.events, pids.events or cgroup.events.
func readKV(path string) (map[string]int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
			out[k] = n
		}
	}
	return out, nil
}

// readInt reads a file holding one integer; a missing file reads as ok=false.
func readInt(path string) (int64, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	return n, err == nil
}

func writeFile(path, value string) error {
	return os.WriteFile(path, []byte(value), 0)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// readPids lists the pids in a cgroup.procs file.
func readPids(path string) ([]int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []int
	for _, f := range strings.Fields(string(b)) {
		if n, err := strconv.Atoi(f); err == nil {
			out = append(out, n)
		}
	}
	return out, nil
}

// poll calls done with a growing pause (50 µs doubling to 5 ms) until it
// reports true or timeout passes. Emptying a cgroup after a kill usually
// takes about a millisecond, so a fixed coarse sleep would dominate the cost
// of a call.
func poll(timeout time.Duration, done func() bool) bool {
	deadline := time.Now().Add(timeout)
	pause := 50 * time.Microsecond
	for {
		if done() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(pause)
		if pause < 5*time.Millisecond {
			pause *= 2
		}
	}
}

// parseInstance reads a worker instance name, "w<pid>-<start time>-<n>".
func parseInstance(name string) (pid int, start uint64, ok bool) {
	rest, ok := strings.CutPrefix(name, "w")
	if !ok {
		return 0, 0, false
	}
	parts := strings.Split(rest, "-")
	if len(parts) < 2 {
		return 0, 0, false
	}
	pid, err1 := strconv.Atoi(parts[0])
	start, err2 := strconv.ParseUint(parts[1], 10, 64)
	return pid, start, err1 == nil && err2 == nil
}

// instancePID returns the pid in an instance name, or 0.
func instancePID(name string) int {
	pid, _, _ := parseInstance(name)
	return pid
}

// instanceAlive reports whether the worker that named its directory is
// still running: the same pid with the same start time.
func instanceAlive(name string) bool {
	pid, st, ok := parseInstance(name)
	if !ok {
		return false
	}
	cur, ok := startTime(pid)
	return ok && cur == st
}

// staleInstances lists the names of the instance directories under root
// whose worker is gone. Directories that do not look like instances are left
// alone: the subtree is ours, but nothing else in it is a reason to delete.
func staleInstances(root, self string) []string {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() || e.Name() == self || !strings.HasPrefix(e.Name(), "w") {
			continue
		}
		if !instanceAlive(e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out
}

// found is a call group a sweep came across.
type found struct{ instance, job string }

// sweepWith removes stale instances with the enforcer's own listing, kill
// and removal, logs what it did, and returns the call groups it found
// (calls that were running when their worker died).
func sweepWith(log *slog.Logger, stale []string, jobsOf func(inst string) []string,
	removeJob func(inst, job string) error, removeInstance func(inst string) error) []found {
	var out []found
	for _, inst := range stale {
		n := 0
		var errs []error
		for _, job := range jobsOf(inst) {
			out = append(out, found{inst, job})
			if err := removeJob(inst, job); err != nil {
				errs = append(errs, err)
				continue
			}
			n++
		}
		if err := removeInstance(inst); err != nil {
			errs = append(errs, err)
		}
		if err := errors.Join(errs...); err != nil {
			log.Warn("sandbox: sweep incomplete", "instance", inst, "jobs_removed", n, "err", err)
		} else {
			log.Info("sandbox: swept stale instance", "instance", inst, "jobs_removed", n)
		}
	}
	return out
}

// subdirs lists the directories in dir.
func subdirs(dir string) []string {
	entries, _ := os.ReadDir(dir)
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out
}

// rmdirRetry removes an empty cgroup directory, retrying briefly: a memory
// cgroup can report EBUSY for a moment after its last task is reaped.
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

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func unavailable(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUnavailable, fmt.Sprintf(format, args...))
}
