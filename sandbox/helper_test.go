//go:build linux

package sandbox

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The test binary is its own child (the helper-process pattern of os/exec's
// tests): run with helperArg it behaves like a sandboxed tool, with
// grandchildArg like a process a tool forked.
const (
	helperArg     = "__sandbox_helper"
	grandchildArg = "__sandbox_grandchild"
	// workerArg makes the test binary act as a worker: set up a sandbox
	// (TOOLQ_TEST_SANDBOX), run one echo call in it, report, exit.
	workerArg = "__sandbox_worker"
)

var helpers = map[string]func(args []string) int{
	// echo copies stdin to stdout.
	"echo": func([]string) int {
		_, _ = io.Copy(os.Stdout, os.Stdin)
		return 0
	},
	// exit exits with the given code.
	"exit": func(a []string) int { n, _ := strconv.Atoi(a[0]); return n },
	// sleep sleeps for a duration.
	"sleep": func(a []string) int { d, _ := time.ParseDuration(a[0]); time.Sleep(d); return 0 },
	// alloc touches n MiB and holds it.
	"alloc": func(a []string) int {
		mb, _ := strconv.Atoi(a[0])
		var held [][]byte
		for i := 0; i < mb; i++ {
			b := make([]byte, 1<<20)
			for j := 0; j < len(b); j += 4096 {
				b[j] = 1
			}
			held = append(held, b)
		}
		fmt.Println(len(held))
		return 0
	},
	// fork starts n grandchildren in sessions of their own, each sleeping
	// for a duration with a marker on its command line (the test finds
	// them by it: in a PID namespace their pids mean nothing to the host),
	// prints their pids, and optionally waits as long.
	"fork": func(a []string) int {
		n, _ := strconv.Atoi(a[0])
		d, _ := time.ParseDuration(a[1])
		marker := a[2]
		var pids []string
		for i := 0; i < n; i++ {
			cmd := exec.Command("/proc/self/exe", grandchildArg, a[1], marker)
			cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
			if err := cmd.Start(); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 3
			}
			pids = append(pids, strconv.Itoa(cmd.Process.Pid))
		}
		fmt.Println(strings.Join(pids, " "))
		_ = os.Stdout.Sync()
		if len(a) > 3 && a[3] == "wait" {
			time.Sleep(d)
		}
		return 0
	},
	// forkbomb starts sleeping grandchildren until a fork fails.
	"forkbomb": func([]string) int {
		for i := 0; i < 10000; i++ {
			cmd := exec.Command("/proc/self/exe", grandchildArg, "30s")
			if err := cmd.Start(); err != nil {
				fmt.Fprintf(os.Stderr, "fork %d failed: %v\n", i, err)
				return 4
			}
		}
		return 0
	},
	// selfkill sends itself SIGKILL. As the init of a PID namespace it
	// cannot (the kernel drops SIGKILL sent to init from inside), so it
	// says so and waits to be killed from outside.
	"selfkill": func(a []string) int {
		if os.Getpid() == 1 {
			fmt.Println("init")
			_ = os.Stdout.Sync()
			time.Sleep(30 * time.Second)
			return 0
		}
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		time.Sleep(time.Second)
		return 0
	},
	// flood writes n MiB to stdout.
	"flood": func(a []string) int {
		mb, _ := strconv.Atoi(a[0])
		w := bufio.NewWriterSize(os.Stdout, 1<<16)
		line := []byte(strings.Repeat("x", 1023) + "\n")
		for i := 0; i < mb*1024; i++ {
			if _, err := w.Write(line); err != nil {
				return 5
			}
		}
		_ = w.Flush()
		return 0
	},
	// stderr writes n KiB to stderr, numbered lines.
	"stderr": func(a []string) int {
		kb, _ := strconv.Atoi(a[0])
		for i := 0; i < kb; i++ {
			fmt.Fprintf(os.Stderr, "%07d%s\n", i, strings.Repeat(".", 1016))
		}
		return 0
	},
	// env prints the environment.
	"env": func([]string) int {
		for _, e := range os.Environ() {
			fmt.Println(e)
		}
		return 0
	},
	// cgroup prints /proc/self/cgroup.
	"cgroup": func([]string) int {
		b, _ := os.ReadFile("/proc/self/cgroup")
		os.Stdout.Write(b)
		return 0
	},
	// inspect prints what the child can see of itself, as JSON.
	"inspect": func([]string) int {
		var nofile, fsize, core syscall.Rlimit
		_ = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &nofile)
		_ = syscall.Getrlimit(syscall.RLIMIT_FSIZE, &fsize)
		_ = syscall.Getrlimit(syscall.RLIMIT_CORE, &core)
		groups, _ := os.Getgroups()
		fds := map[string]string{}
		entries, _ := os.ReadDir("/proc/self/fd")
		for _, e := range entries {
			target, _ := os.Readlink("/proc/self/fd/" + e.Name())
			fds[e.Name()] = target
		}
		status, _ := os.ReadFile("/proc/self/status")
		nnp := ""
		for _, line := range strings.Split(string(status), "\n") {
			if v, ok := strings.CutPrefix(line, "NoNewPrivs:"); ok {
				nnp = strings.TrimSpace(v)
			}
		}
		cwd, _ := os.Getwd()
		var procs []int
		if entries, err := os.ReadDir("/proc"); err == nil {
			for _, e := range entries {
				if n, err := strconv.Atoi(e.Name()); err == nil {
					procs = append(procs, n)
				}
			}
		}
		b, _ := json.Marshal(map[string]any{
			"pid": os.Getpid(), "procs": procs,
			"uid": os.Getuid(), "gid": os.Getgid(), "groups": groups, "env": os.Environ(),
			"fds": fds, "nofile": nofile.Cur, "fsize": fsize.Cur, "core": core.Cur,
			"no_new_privs": nnp, "cwd": cwd,
		})
		fmt.Println(string(b))
		return 0
	},
	// connect tries to open a TCP connection; it prints the outcome.
	"connect": func(a []string) int {
		c, err := net.DialTimeout("tcp", a[0], 2*time.Second)
		if err != nil {
			fmt.Println("refused:", err)
			return 0
		}
		c.Close()
		fmt.Println("connected")
		return 0
	},
	// touch tries to create each file and prints ok or the error, one per line.
	"touch": func(a []string) int {
		for _, p := range a {
			f, err := os.Create(p)
			if err != nil {
				fmt.Println(p, "error", err)
				continue
			}
			f.Close()
			fmt.Println(p, "ok")
		}
		return 0
	},
	// spin burns the given amount of CPU time (not wall time, so that a
	// loaded machine does not change the answer).
	"spin": func(a []string) int {
		d, _ := time.ParseDuration(a[0])
		x := 0
		for {
			var ru syscall.Rusage
			_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
			if time.Duration(ru.Utime.Nano()+ru.Stime.Nano()) >= d {
				break
			}
			for i := 0; i < 100000; i++ {
				x++
			}
		}
		fmt.Println(x > 0)
		return 0
	},
}

var (
	usedMu sync.Mutex
	used   = map[string]bool{}
)

func TestMain(m *testing.M) {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case helperArg:
			ChildInit()
			f, ok := helpers[os.Args[2]]
			if !ok {
				fmt.Fprintln(os.Stderr, "unknown helper", os.Args[2])
				ChildExit(99)
			}
			ChildExit(f(os.Args[3:]))
		case workerArg:
			os.Exit(actAsWorker())
		case grandchildArg:
			d, _ := time.ParseDuration(os.Args[2])
			time.Sleep(d)
			os.Exit(0)
		}
	}
	code := m.Run()
	if code == 0 && !testing.Short() && !helperListFiltered() {
		for name := range helpers {
			if !used[name] {
				fmt.Fprintf(os.Stderr, "helper %q is never used; remove it\n", name)
				code = 1
			}
		}
	}
	os.Exit(code)
}

// helperListFiltered reports whether -run selected a subset of tests, in
// which case unused helpers are expected.
func helperListFiltered() bool {
	for _, a := range os.Args {
		if strings.HasPrefix(a, "-test.run") {
			return true
		}
	}
	return false
}

// helperCmd builds a Cmd that runs helper name in the sandbox.
func helperCmd(name string, lim Limits, args ...string) *Cmd {
	if _, ok := helpers[name]; !ok {
		panic("no helper " + name)
	}
	usedMu.Lock()
	used[name] = true
	usedMu.Unlock()
	return &Cmd{
		ID:     name,
		Args:   append([]string{helperArg, name}, args...),
		Limits: lim,
	}
}

// actAsWorker is a worker process for the tests that need the worker in a
// cgroup of its own: it prints "ok <instance> <placement>" after one
// successful call.
func actAsWorker() int {
	mode, _ := ParseMode(os.Getenv("TOOLQ_TEST_SANDBOX"))
	sb, err := New(&Options{Mode: mode})
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	defer sb.Close()
	out, err := sb.Run(context.Background(), &Cmd{ID: "claim", Args: []string{helperArg, "echo"}, Stdin: []byte("hi"),
		Limits: Limits{Memory: 128 << 20, Timeout: 10 * time.Second}})
	if err != nil || out.Status != Exited || string(out.Stdout) != "hi" {
		fmt.Println("error", err, out)
		return 1
	}
	fmt.Println("ok", sb.Instance(), out.Usage.Placement)
	return 0
}
