package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// exitMarker ends the test's output on the second serial port; the exit
// status follows it.
const exitMarker = "\x00TOOLQ-VM-EXIT "

// payload is what /init reads from /args.json.
type payload struct {
	Args []string `json:"args"`
	Env  []string `json:"env"`
	Dir  string   `json:"dir"`
}

func hostMain(args []string) (int, error) {
	if len(args) == 0 {
		return 0, errors.New("usage: vmexec TEST-BINARY [ARGS...]")
	}
	kernel := os.Getenv("TOOLQ_VM_KERNEL")
	if kernel == "" {
		root, err := moduleRoot()
		if err != nil {
			return 0, err
		}
		kernel = filepath.Join(root, ".cache", "vm", "vmlinuz")
	}
	if _, err := os.Stat(kernel); err != nil {
		return 0, fmt.Errorf("no kernel at %s (run `make vm-kernel`, or set TOOLQ_VM_KERNEL): %w", kernel, err)
	}
	qemu, err := exec.LookPath("qemu-system-x86_64")
	if err != nil {
		return 0, errors.New("qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)")
	}
	self, err := os.Executable()
	if err != nil {
		return 0, err
	}
	if err := checkStatic(self); err != nil {
		return 0, err
	}
	if err := checkStatic(args[0]); err != nil {
		return 0, err
	}
	work, err := os.MkdirTemp("", "vmexec-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(work)

	env := []string{"PATH=/", "HOME=/tmp", "TMPDIR=/tmp"}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if (strings.HasPrefix(k, "TOOLQ_") && !strings.HasPrefix(k, "TOOLQ_VM_")) || k == "CI_CGROUP" || k == "GOTRACEBACK" {
			env = append(env, kv)
		}
	}
	p, _ := json.Marshal(payload{Args: append([]string{"/test"}, args[1:]...), Env: env, Dir: "/tmp"})
	initrd := filepath.Join(work, "initrd.cpio")
	if err := writeInitrd(initrd, self, args[0], p); err != nil {
		return 0, err
	}

	timeout := 10 * time.Minute
	if s := os.Getenv("TOOLQ_VM_TIMEOUT"); s != "" {
		if timeout, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("TOOLQ_VM_TIMEOUT: %w", err)
		}
	}
	mem := envInt("TOOLQ_VM_MEMORY", 1024)
	cpus := envInt("TOOLQ_VM_CPUS", 2)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	console := filepath.Join(work, "console.log")
	cmd := exec.CommandContext(ctx, qemu,
		"-accel", "tcg", "-machine", "q35", "-cpu", "max",
		"-m", strconv.Itoa(mem), "-smp", strconv.Itoa(cpus),
		"-nodefaults", "-display", "none", "-no-reboot",
		"-kernel", kernel, "-initrd", initrd,
		"-append", "console=ttyS0 quiet loglevel=3 panic=-1 rdinit=/init",
		"-serial", "file:"+console, // ttyS0: the kernel's console
		"-serial", "stdio", // ttyS1: the test's output
	)
	cmd.Stdin = nil
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	code := -1
	r := bufio.NewReader(out)
	var pending bytes.Buffer
	for {
		line, err := r.ReadString('\n')
		line = strings.ReplaceAll(line, "\r", "")
		if i := strings.Index(line, exitMarker); i >= 0 {
			os.Stdout.WriteString(line[:i])
			code, _ = strconv.Atoi(strings.TrimSpace(line[i+len(exitMarker):]))
		} else {
			os.Stdout.WriteString(line)
		}
		if err != nil {
			if err != io.EOF {
				pending.WriteString(err.Error())
			}
			break
		}
	}
	werr := cmd.Wait()
	if code < 0 {
		b, _ := os.ReadFile(console)
		return 0, fmt.Errorf("the VM ended without an exit status after %s (qemu: %v)\nkernel console:\n%s", time.Since(start).Round(time.Millisecond), werr, tail(b, 8000))
	}
	return code, nil
}

func envInt(k string, def int) int {
	if s := os.Getenv(k); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			return n
		}
	}
	return def
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// moduleRoot finds the directory holding go.mod above the working
// directory (go test runs the binary in the package directory).
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory; set TOOLQ_VM_KERNEL")
		}
		dir = parent
	}
}

// checkStatic refuses dynamically linked binaries: the initramfs has no
// loader and no libc.
func checkStatic(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	b := make([]byte, 1<<20)
	n, _ := io.ReadFull(f, b)
	if bytes.Contains(b[:n], []byte("/lib64/ld-linux")) {
		return fmt.Errorf("%s is dynamically linked; build it with CGO_ENABLED=0", path)
	}
	return nil
}
