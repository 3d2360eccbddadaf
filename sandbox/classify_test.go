package sandbox

import (
	"context"
	"errors"
	"syscall"
	"testing"
)

// TestClassify covers the verdict precedence, and the rule that a kill
// counts only when it is what ended the child: a child that exited by itself
// while the deadline fired (a worker frozen past the deadline of a call that
// finished meanwhile) keeps its own status.
func TestClassify(t *testing.T) {
	exited := func(code int) syscall.WaitStatus { return syscall.WaitStatus(code << 8) }
	signaled := func(sig syscall.Signal) syscall.WaitStatus { return syscall.WaitStatus(sig) }
	cancelled := context.Canceled
	for _, c := range []struct {
		name     string
		st       groupStats
		killedBy error
		overflow bool
		mode     Mode
		ws       syscall.WaitStatus
		want     Status
	}{
		{"clean exit", groupStats{}, nil, false, Cgroup2, exited(0), Exited},
		{"non-zero exit", groupStats{}, nil, false, Cgroup2, exited(3), Exited},
		{"own oom beats everything", groupStats{oom: true}, errDeadline, true, Cgroup2, signaled(syscall.SIGKILL), OOM},
		{"host oom", groupStats{oomKill: true}, nil, false, Cgroup1, signaled(syscall.SIGKILL), HostOOM},
		{"deadline kill", groupStats{}, errDeadline, false, Cgroup2, signaled(syscall.SIGKILL), TimedOut},
		{"exited as the deadline fired", groupStats{}, errDeadline, false, Cgroup2, exited(0), Exited},
		{"output cap", groupStats{}, errOutputCap, true, Cgroup2, signaled(syscall.SIGKILL), OutputExceeded},
		{"overflow seen after exit", groupStats{}, nil, true, Cgroup2, exited(0), OutputExceeded},
		{"cancel kill", groupStats{}, cancelled, false, Cgroup2, signaled(syscall.SIGKILL), Cancelled},
		{"exited as ctx was cancelled", groupStats{}, cancelled, false, Cgroup2, exited(0), Exited},
		{"memory guard, mode none", groupStats{}, nil, false, None, exited(ExitMemoryGuard), OOM},
		{"guard code means nothing under cgroups", groupStats{}, nil, false, Cgroup2, exited(ExitMemoryGuard), Exited},
		{"could not harden", groupStats{}, nil, false, Cgroup2, exited(ExitSetupFailed), SetupFailed},
		{"pids limit, then failed", groupStats{pidsMax: true}, nil, false, Cgroup2, exited(2), PidsExceeded},
		{"pids limit, then fine", groupStats{pidsMax: true}, nil, false, Cgroup2, exited(0), Exited},
		{"killed by someone else", groupStats{}, nil, false, Cgroup2, signaled(syscall.SIGKILL), Signaled},
	} {
		got, cause := classify(c.st, c.killedBy, c.overflow, c.mode, c.ws)
		if got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
		if (got == Cancelled) != (cause != nil) || (cause != nil && !errors.Is(cause, c.killedBy)) {
			t.Errorf("%s: cause %v with status %s", c.name, cause, got)
		}
	}
}
