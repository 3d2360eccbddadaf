//go:build linux

package sandbox

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"runtime/metrics"
	"time"

	"golang.org/x/sys/unix"
)

// The gate is fd 3 in the child. The parent writes one fixed-size message on
// it once the child is in its cgroup (or at once, when clone3 placed it
// there); EOF instead means the parent failed or died, and the child exits
// without running anything.
const gateFD = 3

// gate message layout: flags (uint64), guard bytes (int64), little endian.
const gateLen = 16

const (
	// flagSubreaper asks the child to adopt its orphaned descendants, so that
	// in mode none the whole tree stays under it and can be found and killed.
	flagSubreaper = 1 << iota
)

// Exit codes a child uses to tell the parent what happened when it cannot
// say so on stdout.
const (
	// ExitGateClosed: the gate closed without a message; nothing ran.
	ExitGateClosed = 120
	// ExitMemoryGuard: the in-child memory guard (mode none) fired.
	ExitMemoryGuard = 121
)

type childState struct {
	subreaper bool
}

var child childState

// ChildInit must be the first call of a sandboxed child, before it reads its
// input or allocates: it waits at the gate until the parent has placed the
// process in its cgroup, applies what the parent asked for (adopting orphans,
// the in-process memory guard) and closes the gate so that the tool inherits
// no descriptor but its standard streams. If the parent has gone, the child
// exits with ExitGateClosed.
func ChildInit() {
	gate := os.NewFile(gateFD, "toolq-gate")
	var msg [gateLen]byte
	if gate == nil {
		os.Exit(ExitGateClosed)
	}
	if _, err := io.ReadFull(gate, msg[:]); err != nil {
		os.Exit(ExitGateClosed)
	}
	_ = gate.Close()
	flags := binary.LittleEndian.Uint64(msg[0:8])
	guard := int64(binary.LittleEndian.Uint64(msg[8:16]))
	if flags&flagSubreaper != 0 {
		if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err == nil {
			child.subreaper = true
		}
	}
	if guard > 0 {
		go memoryGuard(guard)
	}
}

// ChildExit ends a sandboxed child with code. In mode none it first kills
// the child's own descendants (which it adopted as a subreaper), since no
// cgroup will.
func ChildExit(code int) {
	if child.subreaper {
		killTree(os.Getpid(), false)
	}
	os.Exit(code)
}

func gateMessage(flags uint64, guard int64) []byte {
	var msg [gateLen]byte
	binary.LittleEndian.PutUint64(msg[0:8], flags)
	binary.LittleEndian.PutUint64(msg[8:16], uint64(guard))
	return msg[:]
}

// memoryGuard is the degraded-mode memory limit: with no cgroup to enforce
// one, the child watches the memory its runtime holds and exits with
// ExitMemoryGuard once it passes the limit. It samples runtime/metrics (no
// system call) every few milliseconds; GOMEMLIMIT, set below the limit, makes
// the collector work hard before the guard has to fire.
func memoryGuard(limit int64) {
	samples := []metrics.Sample{
		{Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
	}
	for {
		metrics.Read(samples)
		used := int64(samples[0].Value.Uint64()) - int64(samples[1].Value.Uint64())
		if used > limit {
			fmt.Fprintf(os.Stderr, "toolq: memory guard: %d bytes in use exceeds the limit of %d bytes\n", used, limit)
			ChildExit(ExitMemoryGuard)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
