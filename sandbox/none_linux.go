//go:build linux

package sandbox

import (
	"log/slog"
	"time"
)

// noneEnforcer is the degraded mode for hosts without cgroup access. There
// is no memory limit the kernel enforces: the child's own guard (GOMEMLIMIT
// plus a watchdog, see ChildInit) ends it with a typed memory verdict. The
// deadline still kills the whole process tree: the child adopts orphaned
// descendants as a subreaper, so a walk of /proc from it finds grandchildren
// that left its session.
type noneEnforcer struct{}

func newNone() (*noneEnforcer, error) { return &noneEnforcer{}, nil }

func (noneEnforcer) mode() Mode { return None }

func (noneEnforcer) newGroup(string, Limits) (group, error) { return &groupNone{}, nil }

func (noneEnforcer) sweep(*slog.Logger) []found { return nil }

func (noneEnforcer) close() error { return nil }

type groupNone struct {
	pid   int
	start uint64
}

func (g *groupNone) fd() int { return -1 }

func (g *groupNone) attach(int) error { return nil }

func (g *groupNone) started(pid int) {
	g.pid = pid
	g.start, _ = startTime(pid)
}

// kill kills the child's tree while the child is still the process it was
// (its start time guards against a reused pid). Once it has exited its
// descendants are no longer reachable: the child kills them itself on the way
// out (ChildExit).
func (g *groupNone) kill(timeout time.Duration) error {
	if g.pid == 0 {
		return nil
	}
	if st, ok := startTime(g.pid); !ok || st != g.start {
		return nil
	}
	killTree(g.pid, true)
	waitTreeGone(g.pid, timeout)
	return nil
}

func (g *groupNone) stats() groupStats { return groupStats{} }

func (g *groupNone) remove() error { return nil }
