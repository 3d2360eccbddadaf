package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/toolq/toolq/internal/harness"
	"github.com/toolq/toolq/internal/redisserver"
	"github.com/toolq/toolq/internal/redistest"
	"github.com/toolq/toolq/jobs"
)

var bin struct {
	dir, worker, enqueue, gateway string
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "toolq-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin.dir = dir
	bin.worker = filepath.Join(dir, "worker")
	bin.enqueue = filepath.Join(dir, "enqueue")
	bin.gateway = filepath.Join(dir, "gateway")
	for out, pkg := range map[string]string{bin.worker: "../../cmd/worker", bin.enqueue: "../../cmd/enqueue", bin.gateway: "../../cmd/gateway"} {
		cmd := exec.Command("go", "build", "-o", out, pkg)
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "build", pkg, err)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// env is one test's Redis and the environment its processes share.
type env struct {
	t     *testing.T
	redis *redisserver.Server
	vars  []string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	s := redistest.Start(t)
	return &env{t: t, redis: s, vars: []string{
		"TOOLQ_REDIS_URL=" + s.URL(),
		"TOOLQ_DIAGNOSTIC_TOOLS=1",
		"TOOLQ_SANDBOX=" + sandboxMode(),
		"PATH=" + os.Getenv("PATH"),
	}}
}

func sandboxMode() string {
	if m := os.Getenv("TOOLQ_TEST_SANDBOX"); m != "" {
		return m
	}
	return "auto"
}

// worker is a running worker process. Its binary is a private copy, so that
// its children (and theirs) can be found by their command line.
type worker struct {
	t    *testing.T
	path string
	cmd  *exec.Cmd
	mu   sync.Mutex
	log  bytes.Buffer
	done chan struct{}
	err  error
}

func (e *env) startWorker(extra ...string) *worker {
	e.t.Helper()
	dir := e.t.TempDir()
	path := filepath.Join(dir, "toolq-worker")
	if err := os.Link(bin.worker, path); err != nil {
		b, rerr := os.ReadFile(bin.worker)
		if rerr != nil {
			e.t.Fatal(rerr)
		}
		if err := os.WriteFile(path, b, 0o755); err != nil {
			e.t.Fatal(err)
		}
	}
	w := &worker{t: e.t, path: path, done: make(chan struct{})}
	w.cmd = exec.Command(path)
	w.cmd.Env = append(append([]string{"TOOLQ_LOG_FORMAT=json", "TOOLQ_CONCURRENCY=2"}, e.vars...), extra...)
	pr, pw := io.Pipe()
	w.cmd.Stdout = pw
	w.cmd.Stderr = pw
	started := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(pr)
		once := sync.Once{}
		for sc.Scan() {
			line := sc.Text()
			w.mu.Lock()
			w.log.WriteString(line + "\n")
			w.mu.Unlock()
			if strings.Contains(line, `"msg":"worker started"`) {
				once.Do(func() { close(started) })
			}
		}
	}()
	if err := w.cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	go func() { w.err = w.cmd.Wait(); pw.Close(); close(w.done) }()
	e.t.Cleanup(func() {
		// Stop it the way an operator would, so that it removes its own
		// cgroups; kill it only if that hangs.
		_ = w.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-w.done:
		case <-time.After(15 * time.Second):
			w.kill()
		}
		if e.t.Failed() {
			e.t.Logf("worker log:\n%s", w.logText())
		}
	})
	select {
	case <-started:
	case <-w.done:
		e.t.Fatalf("worker exited: %v\n%s", w.err, w.logText())
	case <-time.After(20 * time.Second):
		e.t.Fatalf("worker did not start:\n%s", w.logText())
	}
	return w
}

func (w *worker) logText() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.log.String()
}

func (w *worker) kill() {
	select {
	case <-w.done:
	default:
		_ = w.cmd.Process.Kill()
		<-w.done
	}
}

// stop sends SIGTERM and waits for the worker to exit.
func (w *worker) stop(timeout time.Duration) error {
	_ = w.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-w.done:
		return w.err
	case <-time.After(timeout):
		w.t.Fatalf("worker did not stop within %s:\n%s", timeout, w.logText())
		return nil
	}
}

// processes lists the pids whose command line starts with the worker's
// binary path: the worker, its children and the grandchildren they forked.
func (w *worker) processes() []int {
	var out []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil || !bytes.HasPrefix(b, []byte(w.path+"\x00")) {
			continue
		}
		if st, err := os.ReadFile("/proc/" + e.Name() + "/stat"); err == nil {
			if i := bytes.LastIndexByte(st, ')'); i > 0 && i+2 < len(st) && st[i+2] == 'Z' {
				continue // a zombie holds nothing and is reaped by its parent
			}
		}
		out = append(out, pid)
	}
	return out
}

// children lists the worker's sandboxed children and their descendants.
func (w *worker) children() []int {
	var out []int
	for _, pid := range w.processes() {
		if w.cmd.Process == nil || pid != w.cmd.Process.Pid {
			out = append(out, pid)
		}
	}
	return out
}

// waitNoChildren fails unless every child of the worker is gone within d.
func (w *worker) waitNoChildren(d time.Duration) {
	w.t.Helper()
	deadline := time.Now().Add(d)
	for {
		left := w.children()
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("processes of the call survived: %v", left)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// instanceDirs lists the cgroup directories of the worker's sandbox
// instance (one per v1 hierarchy, or one on v2).
func instanceDirs(pid int) []string {
	inst, _ := harness.Cgroups([]int{pid})
	return inst
}

// gatewayToken is the bearer secret of the gateways the tests start.
const gatewayToken = "e2e-secret-token"

// startGateway starts the gateway binary on a free loopback port with one
// token and limits high enough never to get in a test's way, and returns
// its base URL once it answers /healthz.
func (e *env) startGateway(extra ...string) string {
	e.t.Helper()
	addr, err := harness.FreeAddr()
	if err != nil {
		e.t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(gatewayToken))
	logPath := filepath.Join(e.t.TempDir(), "gateway.log")
	p, err := harness.StartGateway(bin.gateway, append(append([]string{
		"TOOLQ_GATEWAY_ADDR=" + addr,
		"TOOLQ_GATEWAY_TOKENS=e2e:" + hex.EncodeToString(sum[:]),
		"TOOLQ_GATEWAY_RATE=100000", "TOOLQ_GATEWAY_BURST=100000", "TOOLQ_GATEWAY_MAX_JOBS=100000",
		"TOOLQ_GATEWAY_MAX_BODY_MB=64",
	}, e.vars...), extra...), addr, logPath)
	if p != nil {
		e.t.Cleanup(func() {
			p.Stop(15 * time.Second)
			if e.t.Failed() {
				b, _ := os.ReadFile(logPath)
				e.t.Logf("gateway log:\n%s", b)
			}
		})
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return "http://" + addr
}

// result is one run of the enqueue binary.
type result struct {
	code   int
	stdout string
	stderr string
	wall   time.Duration
}

func (r result) envelope(t *testing.T) *jobs.Envelope {
	t.Helper()
	var e jobs.Envelope
	if err := json.Unmarshal([]byte(r.stdout), &e); err != nil {
		t.Fatalf("stdout is not an envelope (%v):\n%s\nstderr: %s", err, r.stdout, r.stderr)
	}
	return &e
}

func (e *env) enqueue(args ...string) result {
	e.t.Helper()
	return e.enqueueIn("", args...)
}

func (e *env) enqueueIn(stdin string, args ...string) result {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin.enqueue, args...)
	cmd.Env = e.vars
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String(), wall: time.Since(start)}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		e.t.Fatalf("enqueue %v: %v", args, err)
	}
	return r
}
