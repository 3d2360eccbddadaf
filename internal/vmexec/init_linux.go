package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// initMain is /init inside the VM. It never returns: it powers the machine
// off, and a panic in PID 1 would only hang it.
func initMain() {
	out := os.Stdout // the console, until the test's port is open
	code := 125
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(out, "vmexec init: panic: %v\n", r)
		}
		fmt.Fprintf(out, "%s%d\n", exitMarker, code)
		_ = out.Sync()
		unix.Sync()
		_ = unix.Reboot(unix.LINUX_REBOOT_CMD_POWER_OFF)
		for {
			time.Sleep(time.Hour)
		}
	}()
	must := func(err error, what string) {
		if err != nil {
			panic(fmt.Sprintf("%s: %v", what, err))
		}
	}
	must(unix.Mount("devtmpfs", "/dev", "devtmpfs", 0, ""), "mount /dev")
	port, err := os.OpenFile("/dev/ttyS1", os.O_WRONLY, 0)
	must(err, "open /dev/ttyS1")
	out = port
	must(unix.Mount("proc", "/proc", "proc", 0, ""), "mount /proc")
	must(unix.Mount("sysfs", "/sys", "sysfs", 0, ""), "mount /sys")
	must(unix.Mount("tmpfs", "/tmp", "tmpfs", 0, "mode=1777"), "mount /tmp")
	must(unix.Mount("tmpfs", "/run", "tmpfs", 0, "mode=755"), "mount /run")
	must(unix.Mount("cgroup2", "/sys/fs/cgroup", "cgroup2", 0, "nsdelegate"), "mount cgroup2")
	_ = unix.Sethostname([]byte("vmexec"))
	ifup("lo")

	raw, err := os.ReadFile("/args.json")
	must(err, "read /args.json")
	var p payload
	must(json.Unmarshal(raw, &p), "parse /args.json")
	cmd := exec.Command(p.Args[0], p.Args[1:]...)
	cmd.Env = p.Env
	cmd.Dir = p.Dir
	cmd.Stdout, cmd.Stderr = out, out
	must(cmd.Start(), "start the test")
	// PID 1 adopts every orphan: reap them all until the test exits.
	for {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, 0, nil)
		if err == syscall.EINTR {
			continue
		}
		must(err, "wait")
		if pid == cmd.Process.Pid {
			switch {
			case ws.Exited():
				code = ws.ExitStatus()
			case ws.Signaled():
				fmt.Fprintf(out, "vmexec init: test killed by %v\n", ws.Signal())
				code = 128 + int(ws.Signal())
			}
			return
		}
	}
}

// ifup brings a network interface up (loopback: tests listen on 127.0.0.1).
func ifup(name string) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0)
	if err != nil {
		return
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	_ = unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr)
}
