package e2e

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/jobs"
)

func wantFailed(t *testing.T, r result, code errcode.Code) *jobs.Envelope {
	t.Helper()
	if r.code != 1 {
		t.Fatalf("exit %d, want 1; stdout %s stderr %s", r.code, r.stdout, r.stderr)
	}
	env := r.envelope(t)
	if env.State != jobs.Failed || env.Error == nil || env.Error.Code != code {
		t.Fatalf("envelope %s, want failed/%s", r.stdout, code)
	}
	return env
}

// TestGoldenUnivariate runs a real tool end to end and checks the seed's
// golden values (seed-spec §6.1, the R reference vector).
func TestGoldenUnivariate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.startWorker()
	r := e.enqueue("--wait", "robust_summary_stats", `{"values": [108, 89.52, 95.16, 101.61, 99.19, 100, 93.55, 97.58, 93.55, 98.39, 88.71]}`)
	if r.code != 0 {
		t.Fatalf("exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	env := r.envelope(t)
	var got map[string]any
	if err := json.Unmarshal(env.Result, &got); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]float64{
		"mean": 96.84181818181816, "std_ddof1": 5.566925216278406, "median": 97.58,
		"iqr": 6.045, "spread": 6.28653702970298, "center": 97.58, "N_non_missing": 11,
		"percentile_05": 89.115, "percentile_95": 104.805,
	} {
		v, ok := got[k].(float64)
		if !ok || math.Abs(v-want) > 1e-6*math.Abs(want) {
			t.Errorf("%s = %v, want %v", k, got[k], want)
		}
	}
	if env.Usage == nil || env.Usage.Enforcement == "" || env.Attempts != 1 {
		t.Errorf("usage/attempts: %+v", env)
	}
}

// TestTimeoutKillsEveryDescendant runs a call that forks grandchildren into
// sessions of their own and then sleeps past its deadline.
func TestTimeoutKillsEveryDescendant(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	w := e.startWorker()
	r := e.enqueue("--wait", "--timeout", "1s", "diag_fork", `{"children": 3, "seconds": 60, "wait": true}`)
	env := wantFailed(t, r, errcode.Timeout)
	if env.Usage.WallMS > 1500 {
		t.Errorf("timeout verdict after %.0f ms, want within the deadline plus 0.5 s", env.Usage.WallMS)
	}
	w.waitNoChildren(time.Second)

	r = e.enqueue("--wait", "--timeout", "1s", "diag_sleep", `{"seconds": 30}`)
	env = wantFailed(t, r, errcode.Timeout)
	if env.Usage.WallMS > 1500 || r.wall > 5*time.Second {
		t.Errorf("sleep timeout: sandbox %.0f ms, CLI %s", env.Usage.WallMS, r.wall)
	}
	w.waitNoChildren(time.Second)
}

// TestGrandchildrenDieWithTheirCall checks that a call that returns while
// its grandchildren still run does not leave them behind.
func TestGrandchildrenDieWithTheirCall(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	w := e.startWorker()
	r := e.enqueue("--wait", "diag_fork", `{"children": 2, "seconds": 60}`)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stdout)
	}
	w.waitNoChildren(time.Second)
}

func TestMemoryExceeded(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.startWorker()
	r := e.enqueue("--wait", "--memory-mb", "64", "diag_alloc", `{"mb": 512}`)
	env := wantFailed(t, r, errcode.MemoryExceeded)
	if env.Usage.PeakMemoryBytes <= 0 || env.Usage.MemoryLimitBytes != 64<<20 {
		t.Errorf("usage %+v", env.Usage)
	}
	if _, ok := env.Error.Details["peak_memory_bytes"]; !ok {
		t.Errorf("details lack the peak: %v", env.Error.Details)
	}
}

func TestPanicIsACrash(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.startWorker()
	env := wantFailed(t, e.enqueue("--wait", "diag_panic"), errcode.ToolCrashed)
	if !strings.Contains(env.Error.Message, "deliberate panic") {
		t.Errorf("message %q", env.Error.Message)
	}
}

// TestRefusedBeforeEnqueue checks that bad calls are refused by the CLI with
// exit status 2, that nothing reaches Redis, and that the worker keeps
// serving.
func TestRefusedBeforeEnqueue(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.startWorker()
	big := `{"values": [` + strings.Repeat("1,", 1_000_000) + `1]}`
	f := filepath.Join(t.TempDir(), "big.json")
	if err := os.WriteFile(f, []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		code errcode.Code
	}{
		{"unknown tool", []string{"no_such_tool", `{}`}, errcode.UnknownTool},
		{"oversized", []string{"robust_summary_stats", "@" + f}, errcode.InputTooLarge},
		{"schema", []string{"robust_summary_stats", `{"values": [1, 2], "method": "median"}`}, errcode.InputInvalid},
		{"unknown key", []string{"robust_summary_stats", `{"values": [1, 2], "bogus": 1}`}, errcode.InputInvalid},
		{"not JSON", []string{"robust_summary_stats", `{"values": [1, 2`}, errcode.InputInvalid},
	} {
		r := e.enqueue(append([]string{"--wait"}, tc.args...)...)
		if r.code != 2 {
			t.Errorf("%s: exit %d, want 2", tc.name, r.code)
			continue
		}
		var ce errcode.Error
		if err := json.Unmarshal([]byte(r.stdout), &ce); err != nil || ce.Code != tc.code {
			t.Errorf("%s: printed %s, want code %s", tc.name, r.stdout, tc.code)
		}
		// The worker keeps serving.
		if ok := e.enqueue("--wait", "diag_echo", `{"value": 1}`); ok.code != 0 {
			t.Fatalf("after %s the worker stopped serving: %s", tc.name, ok.stdout)
		}
	}
	rdb := redis.NewClient(&redis.Options{Addr: e.redis.Addr})
	defer rdb.Close()
	keys := rdb.Keys(context.Background(), jobs.KeyPrefix+"*").Val()
	if len(keys) != len([]string{"echo"})*5 {
		t.Errorf("records in Redis: %d, want only the 5 echo calls", len(keys))
	}
}

func TestCLI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.startWorker()
	// Submit without waiting, then get and wait.
	r := e.enqueue("diag_echo", `{"value": "hi"}`)
	if r.code != 0 {
		t.Fatalf("submit: %d %s", r.code, r.stderr)
	}
	var q struct{ ID, State string }
	if err := json.Unmarshal([]byte(r.stdout), &q); err != nil || q.ID == "" || q.State != "queued" {
		t.Fatalf("submit printed %s", r.stdout)
	}
	if w := e.enqueue("wait", q.ID); w.code != 0 || w.envelope(t).State != jobs.Succeeded {
		t.Fatalf("wait: %d %s", w.code, w.stdout)
	}
	if g := e.enqueue("get", q.ID); g.code != 0 || compact(g.envelope(t).Result) != `{"value":"hi"}` {
		t.Fatalf("get: %d %s", g.code, g.stdout)
	}
	// Input from stdin and from a file.
	if s := e.enqueueIn(`{"value": 2}`, "--wait", "diag_echo", "-"); s.code != 0 {
		t.Fatalf("stdin input: %d %s", s.code, s.stdout)
	}
	// Unknown job.
	if g := e.enqueue("get", "no-such-id"); g.code != 2 {
		t.Fatalf("get unknown: exit %d", g.code)
	}
	// Cancel a running call.
	r = e.enqueue("diag_sleep", `{"seconds": 30}`)
	_ = json.Unmarshal([]byte(r.stdout), &q)
	time.Sleep(300 * time.Millisecond)
	if c := e.enqueue("cancel", q.ID); c.code != 0 || c.envelope(t).State != jobs.Cancelled {
		t.Fatalf("cancel: %d %s", c.code, c.stdout)
	}
	if w := e.enqueue("wait", q.ID); w.code != 1 || w.envelope(t).Error.Code != errcode.Cancelled {
		t.Fatalf("wait after cancel: %d %s", w.code, w.stdout)
	}
	// Tools listing.
	if l := e.enqueue("tools"); l.code != 0 || !strings.Contains(l.stdout, `"fit_pca"`) {
		t.Fatalf("tools: %d", l.code)
	}
	if l := e.enqueue("tools", "fit_pca"); l.code != 0 || !strings.Contains(l.stdout, `"input_schema"`) {
		t.Fatalf("tools fit_pca: %d %s", l.code, l.stdout)
	}
	// Batch: two good lines and one refused, in order.
	f := filepath.Join(t.TempDir(), "calls.jsonl")
	lines := `{"tool": "diag_echo", "input": {"value": 1}}
{"tool": "nope", "input": {}}
{"tool": "median_absolute_deviation", "input": {"values": [10, 11, 12, 10, 9, 10, 50]}}
`
	if err := os.WriteFile(f, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	b := e.enqueue("batch", f, "--wait")
	out := strings.Split(strings.TrimSpace(b.stdout), "\n")
	if b.code != 2 || len(out) != 3 {
		t.Fatalf("batch: exit %d, %d lines:\n%s\n%s", b.code, len(out), b.stdout, b.stderr)
	}
	if !strings.Contains(out[1], `"unknown_tool"`) || !strings.Contains(out[2], `1.482602218505602`) {
		t.Fatalf("batch lines out of order or wrong:\n%s", b.stdout)
	}
	if !strings.Contains(b.stderr, "3/") && !strings.Contains(b.stderr, "2/2 finished") {
		t.Errorf("no progress on stderr: %s", b.stderr)
	}
}

func TestCLIExitStatuses(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// No worker serves queue "nobody": --wait-timeout passes.
	r := e.enqueue("--wait", "--wait-timeout", "300ms", "--queue", "nobody", "diag_echo")
	if r.code != 3 {
		t.Fatalf("wait timeout: exit %d, want 3 (%s)", r.code, r.stderr)
	}
	// Redis unreachable.
	e2 := *e
	e2.vars = append([]string{"TOOLQ_REDIS_URL=redis://127.0.0.1:1/0"}, e.vars[1:]...)
	if r := e2.enqueue("diag_echo"); r.code != 4 {
		t.Fatalf("unreachable: exit %d, want 4 (%s)", r.code, r.stderr)
	}
	// Usage error.
	if r := e.enqueue(); r.code != 2 {
		t.Fatalf("no args: exit %d, want 2", r.code)
	}
	if r := e.enqueue("--timeout", "0", "diag_echo"); r.code != 2 {
		t.Fatalf("bad timeout: exit %d, want 2", r.code)
	}
}

// TestWorkerKilledMidCall kills a worker with SIGKILL while its call (which
// has forked grandchildren into sessions of their own) runs. The next worker
// to start must sweep every process and cgroup of the dead one and finish
// the call; the record ends with exactly one final envelope.
func TestWorkerKilledMidCall(t *testing.T) {
	t.Parallel()
	if sandboxMode() == "none" {
		t.Skip("without cgroups nothing finds a dead worker's processes; asynq's lease expiry recovers the call in 1–2 minutes")
	}
	e := newEnv(t)
	rdb := redis.NewClient(&redis.Options{Addr: e.redis.Addr})
	defer rdb.Close()
	ctx := context.Background()
	sub := rdb.Subscribe(ctx, jobs.DoneChannel)
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil {
		t.Fatal(err)
	}

	a := e.startWorker()
	r := e.enqueue("--timeout", "20s", "diag_fork", `{"children": 2, "seconds": 3, "wait": true}`)
	var q struct{ ID string }
	if err := json.Unmarshal([]byte(r.stdout), &q); err != nil {
		t.Fatalf("submit: %s %s", r.stdout, r.stderr)
	}
	// Wait until the call's grandchildren exist, then kill the worker.
	deadline := time.Now().Add(10 * time.Second)
	for len(a.children()) < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("call never started; log:\n%s", a.logText())
		}
		time.Sleep(10 * time.Millisecond)
	}
	apid := a.cmd.Process.Pid
	if len(instanceDirs(apid)) == 0 && sandboxMode() != "none" {
		t.Fatalf("no cgroup instance found for worker %d", apid)
	}
	_ = a.cmd.Process.Signal(syscall.SIGKILL)
	<-a.done
	left := a.children()
	if len(left) == 0 {
		t.Fatal("the dead worker's grandchildren died on their own; the test proves nothing")
	}

	b := e.startWorker()
	// Nothing of A survives B's start.
	if p := a.children(); len(p) != 0 && sandboxMode() != "none" {
		t.Fatalf("processes of the dead worker survived the next start: %v", p)
	}
	if d := instanceDirs(apid); len(d) != 0 {
		t.Fatalf("cgroups of the dead worker survived the next start: %v", d)
	}
	w := e.enqueue("wait", "--wait-timeout", "60s", q.ID)
	env := w.envelope(t)
	if w.code != 0 || env.State != jobs.Succeeded {
		t.Fatalf("call not finished by the next worker: %d %s\nlog B:\n%s", w.code, w.stdout, b.logText())
	}
	if env.Attempts != 2 || !strings.HasSuffix(env.Worker, ":"+itoa(b.cmd.Process.Pid)) {
		t.Errorf("attempts %d worker %s, want 2 and worker B", env.Attempts, env.Worker)
	}
	// Exactly one final write was announced.
	n := 0
	timeout := time.After(500 * time.Millisecond)
loop:
	for {
		select {
		case m := <-sub.Channel():
			if m.Payload == q.ID {
				n++
			}
		case <-timeout:
			break loop
		}
	}
	if n != 1 {
		t.Errorf("%d final writes announced, want 1", n)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestGracefulShutdown sends SIGTERM while calls run: a short one finishes,
// a long one is killed at the end of the grace period and handed back to
// the queue, and nothing of either is left.
func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	w := e.startWorker("TOOLQ_SHUTDOWN_GRACE=1500ms")
	short := e.enqueue("--timeout", "10s", "diag_sleep", `{"seconds": 0.5}`)
	long := e.enqueue("--timeout", "10s", "diag_fork", `{"children": 2, "seconds": 30, "wait": true}`)
	var s, l struct{ ID string }
	_ = json.Unmarshal([]byte(short.stdout), &s)
	_ = json.Unmarshal([]byte(long.stdout), &l)
	deadline := time.Now().Add(10 * time.Second)
	for len(w.children()) < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("calls never started:\n%s", w.logText())
		}
		time.Sleep(10 * time.Millisecond)
	}
	start := time.Now()
	if err := w.stop(20 * time.Second); err != nil {
		t.Fatalf("worker exit: %v\n%s", err, w.logText())
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("shutdown took %s with a 1.5 s grace", el)
	}
	if p := w.processes(); len(p) != 0 {
		t.Fatalf("processes left after shutdown: %v", p)
	}
	if d := instanceDirs(w.cmd.Process.Pid); len(d) != 0 {
		t.Fatalf("cgroups left after shutdown: %v", d)
	}
	if g := e.enqueue("get", s.ID); g.envelope(t).State != jobs.Succeeded {
		t.Errorf("short call: %s", g.stdout)
	}
	if g := e.enqueue("get", l.ID); g.envelope(t).State != jobs.Queued {
		t.Errorf("long call should be queued again: %s", g.stdout)
	}
}

func compact(raw json.RawMessage) string {
	var b strings.Builder
	var v any
	_ = json.Unmarshal(raw, &v)
	out, _ := json.Marshal(v)
	b.Write(out)
	return b.String()
}

// TestHardenedCall proves the hardening from inside a real call run by the
// worker as built: the child cannot reach the test's Redis, cannot create a
// file outside its scratch space, does not see the worker's environment and
// runs with the expected uid.
func TestHardenedCall(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.startWorker("TOOLQ_WORKER_SECRET=do-not-leak")
	outside := filepath.Join(t.TempDir(), "outside")
	if err := os.Chmod(filepath.Dir(outside), 0o777); err != nil {
		t.Fatal(err)
	}
	input, _ := json.Marshal(map[string]any{"connect": e.redis.Addr, "create": []string{"/tmp/inside", outside}})
	r := e.enqueue("--wait", "diag_inspect", string(input))
	if r.code != 0 {
		t.Fatalf("exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	var in struct {
		UID     int               `json:"uid"`
		Env     []string          `json:"env"`
		Connect string            `json:"connect"`
		Create  map[string]string `json:"create"`
	}
	if err := json.Unmarshal(r.envelope(t).Result, &in); err != nil {
		t.Fatal(err)
	}
	for _, kv := range in.Env {
		if !strings.HasPrefix(kv, "GOMEMLIMIT=") && !strings.HasPrefix(kv, "GOMAXPROCS=") {
			t.Errorf("the child sees %q", kv)
		}
	}
	if os.Geteuid() != 0 {
		t.Skip("identity and namespaces need a root worker")
	}
	if in.UID != 65534 {
		t.Errorf("child uid %d, want 65534", in.UID)
	}
	if !strings.HasPrefix(in.Connect, "refused") {
		t.Errorf("the child reached Redis at %s: %s", e.redis.Addr, in.Connect)
	}
	if in.Create["/tmp/inside"] != "ok" || in.Create[outside] == "ok" {
		t.Errorf("file creation: %v", in.Create)
	}
	if _, err := os.Stat(outside); err == nil {
		t.Errorf("%s was created on the host", outside)
	}
}
