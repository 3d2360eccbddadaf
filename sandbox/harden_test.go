//go:build linux

package sandbox

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

type inspection struct {
	PID        int               `json:"pid"`
	Procs      []int             `json:"procs"`
	UID        int               `json:"uid"`
	GID        int               `json:"gid"`
	Groups     []int             `json:"groups"`
	Env        []string          `json:"env"`
	FDs        map[string]string `json:"fds"`
	NoFile     uint64            `json:"nofile"`
	FSize      uint64            `json:"fsize"`
	Core       uint64            `json:"core"`
	NoNewPrivs string            `json:"no_new_privs"`
	Cwd        string            `json:"cwd"`
}

func inspect(t *testing.T, b *bundle) inspection {
	t.Helper()
	c := helperCmd("inspect", small)
	c.Env = []string{}
	out := run(t, b, c)
	wantStatus(t, out, Exited)
	var in inspection
	if err := json.Unmarshal(out.Stdout, &in); err != nil {
		t.Fatalf("inspect: %v: %s", err, out.Stdout)
	}
	return in
}

// TestHardenedChild checks, from inside a child, each hardening step:
// identity, environment, descriptors, limits, no_new_privs.
func TestHardenedChild(t *testing.T) {
	t.Parallel()
	b := newBundle(t, nil)
	in := inspect(t, b)
	_, root := b.sb.Hardening()
	if root {
		if in.UID != DefaultUID || in.GID != DefaultUID || len(in.Groups) != 0 {
			t.Errorf("child runs as uid %d gid %d groups %v, want %d/%d and none", in.UID, in.GID, in.Groups, DefaultUID, DefaultUID)
		}
		if in.Cwd != "/tmp" {
			t.Errorf("cwd %q, want the private /tmp", in.Cwd)
		}
		// Init of its own PID namespace, seeing no other process.
		if in.PID != 1 || len(in.Procs) != 1 {
			t.Errorf("child is pid %d and sees processes %v, want pid 1 alone", in.PID, in.Procs)
		}
	} else if in.UID != os.Getuid() {
		t.Errorf("uid %d, want the worker's %d", in.UID, os.Getuid())
	}
	for _, e := range in.Env {
		if !strings.HasPrefix(e, "GOMEMLIMIT=") && !strings.HasPrefix(e, "GOMAXPROCS=") {
			t.Errorf("child sees %q of the worker's environment", e)
		}
	}
	for fd, target := range in.FDs {
		n, _ := strconv.Atoi(fd)
		switch {
		case n <= 2 && strings.HasPrefix(target, "pipe:"):
		case n > 2 && strings.HasPrefix(target, "anon_inode:"): // the child runtime's own poller
		case n > 2 && (target == "" || strings.HasPrefix(target, "/proc/") && strings.HasSuffix(target, "/fd")): // the listing itself
		case n > 2 && strings.HasPrefix(target, "/sys/fs/cgroup/") && strings.Contains(target, "/cpu"): // the runtime's own CPU limit watch (Go ≥ 1.25)
		default:
			t.Errorf("fd %s -> %s inherited", fd, target)
		}
	}
	if in.NoFile != DefaultNoFile || in.FSize != DefaultScratchMB<<20 || in.Core != 0 {
		t.Errorf("rlimits nofile %d fsize %d core %d", in.NoFile, in.FSize, in.Core)
	}
	if in.NoNewPrivs != "1" {
		t.Errorf("no_new_privs %q", in.NoNewPrivs)
	}
}

// TestNoNetwork: a child cannot reach a server the test listens on.
func TestNoNetwork(t *testing.T) {
	t.Parallel()
	b := newBundle(t, nil)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	c := helperCmd("connect", small, l.Addr().String())
	if _, root := b.sb.Hardening(); !root {
		t.Skip("a network namespace needs a root worker")
	}
	out := run(t, b, c)
	if !strings.HasPrefix(string(out.Stdout), "refused") {
		t.Fatalf("child reached the host's network: %s", out.Stdout)
	}
	// With the namespace turned off it does connect: the test can fail.
	b2 := newBundle(t, &Options{Hardening: Hardening{Network: true}})
	out = run(t, b2, helperCmd("connect", small, l.Addr().String()))
	if strings.TrimSpace(string(out.Stdout)) != "connected" {
		t.Fatalf("with Network set the child could not connect: %s", out.Stdout)
	}
}

// TestFilesystemIsReadOnlyButScratch: a child can write its private /tmp
// and nothing else, and what it writes there is gone after the call.
func TestFilesystemIsReadOnlyButScratch(t *testing.T) {
	t.Parallel()
	for _, remount := range []bool{false, true} {
		t.Run("remount="+strconv.FormatBool(remount), func(t *testing.T) {
			t.Parallel()
			b := newBundle(t, nil)
			b.sb.remount = remount
			readOnlyButScratch(t, b)
		})
	}
}

func readOnlyButScratch(t *testing.T, b *bundle) {
	c := helperCmd("touch", small)
	if _, root := b.sb.Hardening(); !root {
		t.Skip("a mount namespace needs a root worker")
	}
	// A directory anyone may write, outside /tmp (which the child sees
	// replaced): only the read-only mount stops the child writing there.
	open := filepath.Join("/run", fmt.Sprintf("toolq-ro-test-%d", time.Now().UnixNano()))
	if err := os.Mkdir(open, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o777); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(open) })
	outside := filepath.Join(open, "escape")
	c.Args = append(c.Args, "/tmp/scratch-file", outside, "/var/tmp/x", "/dev/shm/x", "/escape-root")
	out := run(t, b, c)
	lines := strings.Split(strings.TrimSpace(string(out.Stdout)), "\n")
	if len(lines) != 5 || !strings.HasSuffix(lines[0], " ok") {
		t.Fatalf("scratch not writable:\n%s", out.Stdout)
	}
	for i, d := range []string{"/var/tmp", "/dev/shm"} {
		if _, err := os.Stat(d); err == nil && !strings.HasSuffix(lines[2+i], " ok") {
			t.Errorf("%s is not the scratch:\n%s", d, out.Stdout)
		}
	}
	for _, l := range []string{lines[1], lines[4]} {
		if !strings.Contains(l, "error") {
			t.Errorf("wrote outside the scratch space: %s", l)
		}
	}
	if !strings.Contains(lines[1], "read-only file system") {
		t.Errorf("a world-writable directory was not read-only: %s", lines[1])
	}
	if _, err := os.Stat(outside); err == nil {
		t.Errorf("%s exists on the host", outside)
	}
	if _, err := os.Stat("/tmp/scratch-file"); err == nil {
		t.Errorf("the child's /tmp leaked into the host's")
		os.Remove("/tmp/scratch-file")
	}
}

// TestHardeningOff: every step can be turned off, and then the child is the
// worker's own user with the worker's limits.
func TestHardeningOff(t *testing.T) {
	t.Parallel()
	b := newBundle(t, &Options{Hardening: Hardening{Off: true}})
	in := inspect(t, b)
	if in.UID != os.Getuid() || in.NoFile == DefaultNoFile {
		t.Fatalf("hardening applied although off: %+v", in)
	}
}

func TestHardeningRejectsBadIdentity(t *testing.T) {
	t.Parallel()
	for _, h := range []Hardening{{UID: 1 << 32}, {GID: 1<<32 - 1}, {UID: -5}} {
		if _, err := New(&Options{Mode: None, NoSweep: true, Hardening: h}); err == nil {
			t.Errorf("New accepted %+v", h)
		}
	}
}
