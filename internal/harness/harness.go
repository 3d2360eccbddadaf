// Package harness starts and inspects the processes of toolq's long runs
// (make chaos, make soak): it builds the binaries, starts workers and waits
// until they serve, and measures what a leak would show — resident memory,
// open files, processes and cgroups left behind.
package harness

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Mkdirs makes each directory and its parents.
func Mkdirs(dirs ...string) error {
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	return nil
}

// Build compiles each ./cmd/<name> of the module in the working directory
// into dir/<name>.
func Build(ctx context.Context, dir string, names ...string) error {
	for _, c := range names {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(dir, c), "./cmd/"+c)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("go build ./cmd/%s: %w", c, err)
		}
	}
	return nil
}

// Process is a started worker.
type Process struct {
	Cmd  *exec.Cmd
	Log  string // the file its output goes to
	done chan struct{}
}

// Pid is the process id.
func (p *Process) Pid() int { return p.Cmd.Process.Pid }

// Done is closed when the process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Signal sends sig to the process.
func (p *Process) Signal(sig syscall.Signal) { _ = p.Cmd.Process.Signal(sig) }

// Kill sends SIGKILL and waits for the exit.
func (p *Process) Kill() {
	_ = p.Cmd.Process.Kill()
	<-p.done
}

// Stop sends SIGTERM and waits up to timeout, then kills. It reports
// whether the process stopped by itself.
func (p *Process) Stop(timeout time.Duration) bool {
	_ = p.Cmd.Process.Signal(syscall.SIGCONT)
	_ = p.Cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return true
	case <-time.After(timeout):
		p.Kill()
		return false
	}
}

// StartWorker starts the worker binary at path with env (which must ask for
// TOOLQ_LOG_FORMAT=json), its output going to logPath, and waits until it
// logs that it serves. When the process started but never served, it
// returns the (exited or killed) process with the error, so that the caller
// can still look for what it left behind.
func StartWorker(path string, env []string, logPath string) (*Process, error) {
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(path)
	cmd.Env = env
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	// Its own process group, so that a ^C reaches only the harness, which
	// then stops the worker the way it chooses.
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
	p := &Process{Cmd: cmd, Log: logPath, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); pw.Close(); close(p.done) }()
	select {
	case <-ready:
		return p, nil
	case <-p.done:
		return p, fmt.Errorf("worker exited before serving; see %s", logPath)
	case <-time.After(30 * time.Second):
		p.Kill()
		return p, fmt.Errorf("worker did not start within 30 s; see %s", logPath)
	}
}

// StartGateway starts the gateway binary at path with env (which must set
// TOOLQ_GATEWAY_ADDR to addr), its output going to logPath, and waits until
// it answers /healthz.
func StartGateway(path string, env []string, addr, logPath string) (*Process, error) {
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(path)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, err
	}
	p := &Process{Cmd: cmd, Log: logPath, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); f.Close(); close(p.done) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		select {
		case <-p.done:
			return p, fmt.Errorf("gateway exited before serving; see %s", logPath)
		default:
		}
		if time.Now().After(deadline) {
			p.Kill()
			return p, fmt.Errorf("gateway did not answer within 30 s; see %s", logPath)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// FreeAddr returns a loopback host:port that was free a moment ago.
func FreeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// RSS is a process's resident memory in bytes.
func RSS(pid int) (int64, error) {
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

// RSSBound is how far above an idle baseline a process's resident memory
// may stay once it is idle again: a quarter more, plus 16 MiB for what the
// Go runtime keeps cached.
func RSSBound(base int64) int64 { return base + base/4 + 16<<20 }

// OpenFiles counts a process's open file descriptors.
func OpenFiles(pid int) (int, error) {
	es, err := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/fd")
	return len(es), err
}

// Processes lists the live processes started from a binary in dir —
// workers, their children, whatever those forked — as "pid command line".
func Processes(dir string) []string {
	var out []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil || !bytes.HasPrefix(b, []byte(dir+"/")) {
			continue
		}
		if st, err := os.ReadFile("/proc/" + e.Name() + "/stat"); err == nil {
			if i := bytes.LastIndexByte(st, ')'); i > 0 && i+2 < len(st) && st[i+2] == 'Z' {
				continue // a zombie holds nothing; its parent reaps it
			}
		}
		out = append(out, e.Name()+" "+strings.TrimSpace(strings.ReplaceAll(string(b), "\x00", " ")))
	}
	return out
}

// Cgroups lists the cgroup directories of the sandbox instances of the given
// worker pids, and of the calls inside them. The sandbox names an instance
// toolq/w<pid>-<suffix> (one per v1 hierarchy, or one on v2); calls are
// its subdirectories.
func Cgroups(pids []int) (instances, calls []string) {
	want := map[string]bool{}
	for _, p := range pids {
		want["w"+strconv.Itoa(p)] = true
	}
	_ = filepath.WalkDir("/sys/fs/cgroup", func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if filepath.Base(filepath.Dir(p)) != "toolq" {
			return nil
		}
		name := d.Name()
		if i := strings.IndexByte(name, '-'); i > 0 && want[name[:i]] {
			instances = append(instances, p)
			es, _ := os.ReadDir(p)
			for _, e := range es {
				if e.IsDir() {
					calls = append(calls, filepath.Join(p, e.Name()))
				}
			}
		}
		return filepath.SkipDir
	})
	return instances, calls
}

// CountLines counts the lines of the files matching glob that hold every
// one of subs.
func CountLines(glob string, subs ...string) int {
	files, _ := filepath.Glob(glob)
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
