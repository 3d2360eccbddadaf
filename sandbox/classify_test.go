package sandbox

import (
	"context"
	"errors"
	"syscall"
	"testing"
)

// TestClassify covers the verdict precedence; that a child whose end is seen
// after its deadline timed out, however it ended (a worker frozen past the
// deadline); and that a cancellation counts only when it is what ended the
// child.
func TestClassify(t *testing.T) {
	exited := func(code int) syscall.WaitStatus { return syscall.WaitStatus(code << 8) }
	signaled := func(sig syscall.Signal) syscall.WaitStatus { return syscall.WaitStatus(sig) }
	cancelled := context.Canceled
	for _, c := range []struct {
		name     string
		st       groupStats
		killedBy error
		late     bool
		overflow bool
		mode     Mode
		ws       syscall.WaitStatus
		want     Status
	}{
		{"clean exit", groupStats{}, nil, false, false, Cgroup2, exited(0), Exited},
		{"non-zero exit", groupStats{}, nil, false, false, Cgroup2, exited(3), Exited},
		{"own oom beats everything", groupStats{oom: true}, errDeadline, false, true, Cgroup2, signaled(syscall.SIGKILL), OOM},
		{"host oom", groupStats{oomKill: true}, nil, false, false, Cgroup1, signaled(syscall.SIGKILL), HostOOM},
		{"deadline kill", groupStats{}, errDeadline, false, false, Cgroup2, signaled(syscall.SIGKILL), TimedOut},
		{"exited as the deadline fired", groupStats{}, errDeadline, false, false, Cgroup2, exited(0), TimedOut},
		{"exit seen after the deadline", groupStats{}, nil, true, false, Cgroup2, exited(0), TimedOut},
		{"own oom beats lateness", groupStats{oom: true}, nil, true, false, Cgroup2, signaled(syscall.SIGKILL), OOM},
		{"output cap", groupStats{}, errOutputCap, false, true, Cgroup2, signaled(syscall.SIGKILL), OutputExceeded},
		{"overflow seen after exit", groupStats{}, nil, false, true, Cgroup2, exited(0), OutputExceeded},
		{"cancel kill", groupStats{}, cancelled, false, false, Cgroup2, signaled(syscall.SIGKILL), Cancelled},
		{"exited as ctx was cancelled", groupStats{}, cancelled, false, false, Cgroup2, exited(0), Exited},
		{"memory guard, mode none", groupStats{}, nil, false, false, None, exited(ExitMemoryGuard), OOM},
		{"guard code means nothing under cgroups", groupStats{}, nil, false, false, Cgroup2, exited(ExitMemoryGuard), Exited},
		{"could not harden", groupStats{}, nil, false, false, Cgroup2, exited(ExitSetupFailed), SetupFailed},
		{"pids limit, then failed", groupStats{pidsMax: true}, nil, false, false, Cgroup2, exited(2), PidsExceeded},
		{"pids limit, then fine", groupStats{pidsMax: true}, nil, false, false, Cgroup2, exited(0), Exited},
		{"killed by someone else", groupStats{}, nil, false, false, Cgroup2, signaled(syscall.SIGKILL), Signaled},
	} {
		got, cause := classify(c.st, c.killedBy, c.late, c.overflow, c.mode, c.ws)
		if got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
		if (got == Cancelled) != (cause != nil) || (cause != nil && !errors.Is(cause, c.killedBy)) {
			t.Errorf("%s: cause %v with status %s", c.name, cause, got)
		}
	}
}
