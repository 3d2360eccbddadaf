package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/toolq/toolq/internal/redisserver"
	"github.com/toolq/toolq/jobs"
	"github.com/toolq/toolq/jobs/child"
	"github.com/toolq/toolq/sandbox"
	"github.com/toolq/toolq/tools"
)

var workerBin, childBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "toolq-bench-")
	if err != nil {
		panic(err)
	}
	workerBin = filepath.Join(dir, "worker")
	childBin = filepath.Join(dir, "toolq-child")
	for out, pkg := range map[string]string{workerBin: "../../cmd/worker", childBin: "../../cmd/toolq-child"} {
		cmd := exec.Command("go", "build", "-o", out, pkg)
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			panic(err)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var echoReq = []byte(`{"tool":"diag_echo","input":{"value":1},"diagnostics":true}`)

// BenchmarkNoopInProcess is the floor: validation and execution of a no-op
// tool with no process at all.
func BenchmarkNoopInProcess(b *testing.B) {
	reg := tools.WithDiagnostics()
	ctx := context.Background()
	for b.Loop() {
		in, err := reg.Validate("diag_echo", []byte(`{"value":1}`), nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := reg.Execute(ctx, "diag_echo", in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNoopExec starts the worker binary as a child with no cgroup and
// no sandbox bookkeeping: the gate is opened at once, the request written,
// the response read. It is the cost every sandboxed call pays regardless of
// isolation.
func BenchmarkNoopExec(b *testing.B) { plainExec(b, workerBin) }

// BenchmarkNoopExecLean is the same with cmd/toolq-child.
func BenchmarkNoopExecLean(b *testing.B) { plainExec(b, childBin) }

func plainExec(b *testing.B, bin string) {
	for b.Loop() {
		gr, gw, _ := os.Pipe()
		cmd := exec.Command(bin, child.Arg)
		cmd.ExtraFiles = []*os.File{gr}
		cmd.Stdin = bytes.NewReader(echoReq)
		var out bytes.Buffer
		cmd.Stdout = &out
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		gr.Close()
		gw.Write([]byte{2, 0, 0, 0, '{', '}'}) // the sandbox gate: an empty setup
		gw.Close()
		if err := cmd.Wait(); err != nil || !strings.Contains(out.String(), `"result"`) {
			b.Fatalf("%v %s", err, out.String())
		}
	}
}

func sandboxRun(b *testing.B, opts *sandbox.Options) { sandboxRunBin(b, opts, workerBin) }

func sandboxRunBin(b *testing.B, opts *sandbox.Options, bin string) {
	opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	opts.NoSweep = true
	sb, err := sandbox.New(opts)
	if err != nil {
		b.Skip(err)
	}
	defer sb.Close()
	b.ReportMetric(0, string(sb.Enforcement())+"/"+string(sb.Placement()))
	ctx := context.Background()
	for b.Loop() {
		out, err := sb.Run(ctx, &sandbox.Cmd{ID: "bench", Path: bin, Args: []string{child.Arg}, Stdin: echoReq,
			Limits: sandbox.Limits{Memory: 256 << 20, Timeout: 10 * time.Second}})
		if err != nil || out.Status != sandbox.Exited || !bytes.Contains(out.Stdout, []byte(`"result"`)) {
			b.Fatalf("%v %+v", err, out)
		}
	}
}

// BenchmarkNoopSandboxedBare runs the same child through the sandbox with
// the host's best enforcer and no hardening: a fresh cgroup with its limits,
// placement, the verdict read from the cgroup, and removal.
func BenchmarkNoopSandboxedBare(b *testing.B) {
	sandboxRun(b, &sandbox.Options{Hardening: sandbox.Hardening{Off: true}})
}

// The hardening steps one at a time (as root; otherwise they cost nothing
// because they are not applied), then all of them (the default).

func BenchmarkNoopSandboxedNetNS(b *testing.B) {
	sandboxRun(b, &sandbox.Options{Hardening: sandbox.Hardening{KeepIdentity: true, KeepFilesystem: true}})
}

func BenchmarkNoopSandboxedMountNS(b *testing.B) {
	sandboxRun(b, &sandbox.Options{Hardening: sandbox.Hardening{KeepIdentity: true, Network: true}})
}

func BenchmarkNoopSandboxedUIDDrop(b *testing.B) {
	sandboxRun(b, &sandbox.Options{Hardening: sandbox.Hardening{Network: true, KeepFilesystem: true}})
}

func BenchmarkNoopSandboxed(b *testing.B) { sandboxRun(b, &sandbox.Options{}) }

// BenchmarkNoopSandboxedGated forces the pipe-gated placement (the fallback
// where clone3 into a cgroup is refused; always the case on cgroup v1).
func BenchmarkNoopSandboxedGated(b *testing.B) { sandboxRun(b, &sandbox.Options{ForceGated: true}) }

// BenchmarkNoopSandboxedLean is the sandboxed call with cmd/toolq-child.
func BenchmarkNoopSandboxedLean(b *testing.B) { sandboxRunBin(b, &sandbox.Options{}, childBin) }

// BenchmarkNoopSandboxedNone is the degraded mode without cgroups.
func BenchmarkNoopSandboxedNone(b *testing.B) { sandboxRun(b, &sandbox.Options{Mode: sandbox.None}) }

// stack is a private Redis plus one worker process with the given
// concurrency, and a client.
type stack struct {
	client *jobs.Client
	stop   func()
}

func startStack(b *testing.B, concurrency int, extraEnv ...string) *stack {
	dir := b.TempDir()
	srv, err := redisserver.Start(context.Background(), dir)
	if err != nil {
		b.Skip(err)
	}
	cmd := exec.Command(workerBin)
	cmd.Env = []string{
		"TOOLQ_REDIS_URL=" + srv.URL(), "TOOLQ_DIAGNOSTIC_TOOLS=1",
		fmt.Sprintf("TOOLQ_CONCURRENCY=%d", concurrency), "TOOLQ_LOG_LEVEL=warn",
	}
	cmd.Env = append(cmd.Env, extraEnv...)
	var log bytes.Buffer
	cmd.Stderr = &log
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	rdb, err := jobs.NewRedisClient(srv.URL())
	if err != nil {
		b.Fatal(err)
	}
	c := jobs.NewClient(rdb, &jobs.ClientOptions{Registry: tools.WithDiagnostics(), Limits: &tools.Limits{MaxCells: 2_000_000}})
	// Wait for the worker: a first call.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	env, err := c.Submit(ctx, "diag_echo", []byte(`{}`), nil)
	if err == nil {
		env, err = c.Wait(ctx, env.ID)
	}
	if err != nil || env.State != jobs.Succeeded {
		b.Fatalf("worker not serving: %v %+v\n%s", err, env, log.String())
	}
	return &stack{client: c, stop: func() {
		c.Close()
		rdb.Close()
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		srv.Stop()
	}}
}

// BenchmarkSubmitWaitIdle is the latency a caller sees with an idle worker:
// validate, enqueue, pick-up, sandboxed run, record, notification.
func BenchmarkSubmitWaitIdle(b *testing.B) {
	s := startStack(b, 2)
	defer s.stop()
	ctx := context.Background()
	var lat []time.Duration
	for b.Loop() {
		start := time.Now()
		env, err := s.client.Submit(ctx, "diag_echo", []byte(`{"value":1}`), nil)
		if err == nil {
			env, err = s.client.Wait(ctx, env.ID)
		}
		if err != nil || env.State != jobs.Succeeded {
			b.Fatalf("%v %+v", err, env)
		}
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
}

// BenchmarkThroughput pushes 2,000 no-op calls through one worker with
// concurrency 2 and reports completed calls per second, end to end.
func BenchmarkThroughput(b *testing.B) { throughput(b) }

// BenchmarkThroughputLean is the same with the worker running calls in
// cmd/toolq-child.
func BenchmarkThroughputLean(b *testing.B) { throughput(b, "TOOLQ_CHILD_BINARY="+childBin) }

func throughput(b *testing.B, env ...string) {
	const n = 2000
	s := startStack(b, 2, env...)
	defer s.stop()
	ctx := context.Background()
	for b.Loop() {
		calls := make([]jobs.BatchCall, n)
		for i := range calls {
			calls[i] = jobs.BatchCall{Tool: "diag_echo", Input: json.RawMessage(`{"value":1}`)}
		}
		start := time.Now()
		res := s.client.SubmitBatch(ctx, calls, 16)
		var wg sync.WaitGroup
		sem := make(chan struct{}, 64)
		var failed sync.Map
		for _, r := range res {
			if r.Err != nil {
				b.Fatal(r.Err)
			}
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				env, err := s.client.Wait(ctx, r.Envelope.ID)
				if err != nil || env.State != jobs.Succeeded {
					failed.Store(r.Envelope.ID, err)
				}
			}()
		}
		wg.Wait()
		el := time.Since(start)
		failed.Range(func(k, v any) bool { b.Fatalf("call %v failed: %v", k, v); return false })
		b.ReportMetric(float64(n)/el.Seconds(), "calls/s")
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
