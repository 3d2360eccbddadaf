// Command vmexec runs a Go test binary inside a throwaway Linux virtual
// machine with a pure cgroup v2 hierarchy, for `go test -exec`:
//
//	go test -exec "$PWD/bin/vmexec" ./sandbox/
//
// It boots Debian's kernel under qemu-system-x86_64 (TCG, no KVM needed)
// with an initramfs holding three files: this program as /init, the test
// binary and its arguments. /init mounts proc, sysfs, devtmpfs, tmpfs and
// cgroup2, runs the test binary, streams its output to the host over a
// second serial port, reports its exit status and powers the machine off.
// The VM has no disk and no network; it boots in a few seconds.
//
// The test binary must be static (CGO_ENABLED=0). Settings:
//
//	TOOLQ_VM_KERNEL   the kernel image (default .cache/vm/vmlinuz under the module root)
//	TOOLQ_VM_MEMORY   guest memory in MiB (default 1024)
//	TOOLQ_VM_CPUS     guest CPUs (default 2)
//	TOOLQ_VM_TIMEOUT  give up after this long (default 10m)
//
// Environment variables named TOOLQ_* (other than these), CI_CGROUP and
// GOTRACEBACK are passed to the test binary.
package main

import (
	"fmt"
	"os"
)

func main() {
	if os.Getpid() == 1 {
		initMain() // never returns
	}
	code, err := hostMain(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "vmexec:", err)
		os.Exit(125)
	}
	os.Exit(code)
}
