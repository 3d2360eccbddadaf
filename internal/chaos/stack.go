package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/toolq/toolq/internal/redisserver"
)

// stack is everything the run starts: binaries built into dir, a Redis
// with an append-only file, and the worker processes, one per slot.
type stack struct {
	dir         string
	bin         string // directory of the built binaries
	redis       *redisserver.Server
	env         []string
	concurrency int

	mu      sync.Mutex
	slots   []*proc
	started []int // the pid of every worker ever started, for the leak check
	gen     int
}

// proc is one worker process.
type proc struct {
	slot int
	cmd  *exec.Cmd
	done chan struct{}
	log  string // its log file
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// build compiles the given ./cmd/ programs into s.bin.
func (s *stack) build(ctx context.Context, cmds ...string) error {
	for _, c := range cmds {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(s.bin, c), "./cmd/"+c)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("go build ./cmd/%s: %w", c, err)
		}
	}
	return nil
}

// startWorker starts a worker in slot i (replacing whatever was there) and
// waits until it serves.
func (s *stack) startWorker(i int) (*proc, error) {
	s.mu.Lock()
	s.gen++
	gen := s.gen
	s.mu.Unlock()
	logPath := filepath.Join(s.dir, "logs", fmt.Sprintf("worker%d-%03d.log", i, gen))
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(filepath.Join(s.bin, "worker"))
	cmd.Env = append(append([]string{}, s.env...),
		"TOOLQ_LOG_FORMAT=json",
		"TOOLQ_CONCURRENCY="+strconv.Itoa(s.concurrency),
		"TOOLQ_CHILD_BINARY="+filepath.Join(s.bin, "toolq-child"),
		"TOOLQ_SHUTDOWN_GRACE=15s",
	)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	// Its own process group, so that our ^C does not reach it first and the
	// run can still stop it the way it chooses.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	ready := make(chan struct{})
	go func() {
		defer f.Close()
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		once := sync.Once{}
		for sc.Scan() {
			line := sc.Bytes()
			_, _ = f.Write(append(line, '\n'))
			if bytes.Contains(line, []byte(`"msg":"worker started"`)) {
				once.Do(func() { close(ready) })
			}
		}
		_, _ = io.Copy(f, pr)
	}()
	if err := cmd.Start(); err != nil {
		pw.Close()
		return nil, err
	}
	p := &proc{slot: i, cmd: cmd, done: make(chan struct{}), log: logPath}
	go func() { _ = cmd.Wait(); pw.Close(); close(p.done) }()
	s.mu.Lock()
	for len(s.slots) <= i {
		s.slots = append(s.slots, nil)
	}
	s.slots[i] = p
	s.started = append(s.started, p.pid())
	s.mu.Unlock()
	select {
	case <-ready:
		return p, nil
	case <-p.done:
		return nil, fmt.Errorf("worker %d exited before serving; see %s", i, logPath)
	case <-time.After(30 * time.Second):
		return nil, fmt.Errorf("worker %d did not start within 30 s; see %s", i, logPath)
	}
}

func (s *stack) worker(i int) *proc {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.slots[i]
}

// kill SIGKILLs the worker in slot i and waits for it to be gone. Its
// children die with it (they are killed when their parent dies); its
// cgroups stay until the next worker starts and sweeps them.
func (s *stack) kill(i int) {
	p := s.worker(i)
	_ = p.cmd.Process.Kill()
	<-p.done
}

// stopAll sends every worker SIGTERM and waits for each to exit.
func (s *stack) stopAll(timeout time.Duration) error {
	s.mu.Lock()
	ps := append([]*proc(nil), s.slots...)
	s.mu.Unlock()
	for _, p := range ps {
		_ = p.cmd.Process.Signal(syscall.SIGCONT)
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
	}
	var stuck []int
	for _, p := range ps {
		select {
		case <-p.done:
		case <-time.After(timeout):
			stuck = append(stuck, p.pid())
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	}
	if len(stuck) > 0 {
		return fmt.Errorf("workers %v did not stop within %s of SIGTERM", stuck, timeout)
	}
	return nil
}

// rss is a process's resident memory in bytes.
func rss(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmRSS for pid %d", pid)
}

// leftoverProcesses lists live processes started from the run's binaries:
// workers, their children, and whatever those forked.
func (s *stack) leftoverProcesses() []string {
	var out []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil || !bytes.HasPrefix(b, []byte(s.bin+"/")) {
			continue
		}
		if st, err := os.ReadFile("/proc/" + e.Name() + "/stat"); err == nil {
			if i := bytes.LastIndexByte(st, ')'); i > 0 && i+2 < len(st) && st[i+2] == 'Z' {
				continue // a zombie holds nothing; its parent reaps it
			}
		}
		out = append(out, e.Name()+" "+strings.ReplaceAll(string(b), "\x00", " "))
	}
	return out
}

// leftoverCgroups lists the sandbox cgroup directories of any worker the run
// started. The sandbox names its instance toolq/w<pid>-<suffix> (one per v1
// hierarchy, or one on v2).
func (s *stack) leftoverCgroups() []string {
	s.mu.Lock()
	pids := map[string]bool{}
	for _, p := range s.started {
		pids["w"+strconv.Itoa(p)] = true
	}
	s.mu.Unlock()
	var out []string
	_ = filepath.WalkDir("/sys/fs/cgroup", func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		name := d.Name()
		if filepath.Base(filepath.Dir(p)) == "toolq" {
			if i := strings.IndexByte(name, '-'); i > 0 && pids[name[:i]] {
				out = append(out, p)
			}
			return filepath.SkipDir
		}
		return nil
	})
	return out
}

// countLines counts the lines of the run's worker logs holding every one
// of the given substrings.
func (s *stack) countLines(subs ...string) int {
	files, _ := filepath.Glob(filepath.Join(s.dir, "logs", "worker*.log"))
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
	line:
		for _, l := range bytes.Split(b, []byte("\n")) {
			for _, sub := range subs {
				if !bytes.Contains(l, []byte(sub)) {
					continue line
				}
			}
			n++
		}
	}
	return n
}
