package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/internal/redistest"
	"github.com/toolq/toolq/sandbox"
	"github.com/toolq/toolq/tools"
)

// bareWorker is a Worker with no server running, for the parts that only
// touch Redis.
func bareWorker(t *testing.T, rdb redis.UniversalClient) *Worker {
	t.Helper()
	sb, err := sandbox.New(&sandbox.Options{Mode: sandbox.None, NoSweep: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	w, err := NewWorker(rdb, &WorkerOptions{Sandbox: sb, Diagnostics: true, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// TestReconcileFinishesArchivedCalls: a task asynq archived without telling
// a handler (its lease expired on the last attempt) leaves a record that is
// not final; the reconciler makes it final with code internal.
func TestReconcileFinishesArchivedCalls(t *testing.T) {
	t.Parallel()
	rdb := redistest.Client(t, redistest.Start(t))
	ctx := context.Background()
	c := NewClient(rdb, &ClientOptions{Registry: tools.WithDiagnostics()})
	defer c.Close()
	env, err := c.Submit(ctx, "diag_echo", []byte(`{}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	insp := asynq.NewInspectorFromRedisClient(rdb)
	if err := insp.ArchiveTask(DefaultQueue, env.ID); err != nil {
		t.Fatal(err)
	}
	w := bareWorker(t, rdb)
	w.reconcileQueue(ctx, insp, DefaultQueue)
	got, err := c.Get(ctx, env.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantState(t, got, Failed, errcode.Internal)
	// Once final, it stays as it is.
	w.reconcileQueue(ctx, insp, DefaultQueue)
	again, _ := c.Get(ctx, env.ID)
	if *again.FinishedAt != *got.FinishedAt {
		t.Fatal("a final record was written again")
	}
}

// TestResubmitAfterTheRecordExpired: a record can expire while asynq still
// keeps its archived task; submitting the same ID again must run the call,
// not answer with a record nobody will ever finish.
func TestResubmitAfterTheRecordExpired(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	opts := &SubmitOptions{ID: "reused-id"}
	first := b.call(t, "diag_echo", `{"value": 1}`, opts)
	if first.State != Succeeded {
		t.Fatal(first)
	}
	insp := asynq.NewInspectorFromRedisClient(b.rdb)
	// asynq deletes a completed task; put an archived one with the same ID
	// in its place (as after a call that ran out of attempts) and lose the
	// record, as its retention would.
	deadline := time.Now().Add(5 * time.Second)
	for { // asynq finishes with the task just after the record is final
		if _, err := insp.GetTaskInfo(DefaultQueue, "reused-id"); err != nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	task := asynq.NewTask(TaskPrefix+"diag_echo", mustJSON(t, Call{ID: "reused-id", Tool: "diag_echo", Queue: DefaultQueue}),
		asynq.TaskID("reused-id"), asynq.ProcessIn(time.Hour))
	if _, err := asynq.NewClientFromRedisClient(b.rdb).Enqueue(task); err != nil {
		t.Fatal(err)
	}
	if err := insp.ArchiveTask(DefaultQueue, "reused-id"); err != nil {
		t.Fatal(err)
	}
	b.rdb.Del(ctx, Key("reused-id"))
	if _, err := asynq.NewClientFromRedisClient(b.rdb).Enqueue(task); err == nil {
		t.Fatal("the archived task does not block its ID; the test proves nothing")
	}
	second := b.call(t, "diag_echo", `{"value": 2}`, opts)
	if second.State != Succeeded || compactJSON(second.Result) != `{"value":2}` {
		t.Fatalf("resubmission did not run: %+v", second)
	}
}

func TestVerdictOfAChildThatCouldNotHarden(t *testing.T) {
	t.Parallel()
	for _, out := range []*sandbox.Outcome{
		{Status: sandbox.SetupFailed, ExitCode: sandbox.ExitSetupFailed, Stderr: []byte("toolq: sandbox setup: setresuid 70000: invalid argument")},
		{Status: sandbox.Exited, ExitCode: sandbox.ExitGateClosed},
	} {
		_, cerr := verdict("t", out)
		if cerr == nil || cerr.Code != errcode.Internal || !cerr.Code.Retryable() {
			t.Errorf("%s/%d: got %v, want a retryable internal error", out.Status, out.ExitCode, cerr)
		}
	}
}

// TestReclaimTouchesOnlyTheDeadWorkersCalls: a swept call whose record is
// running under another worker (it was handed on) or is final must keep its
// lease.
func TestReclaimTouchesOnlyTheDeadWorkersCalls(t *testing.T) {
	t.Parallel()
	rdb := redistest.Client(t, redistest.Start(t))
	ctx := context.Background()
	w := bareWorker(t, rdb)
	host, _ := os.Hostname()
	st := store{rdb: rdb}
	lease := "asynq:{default}:lease"
	for id, worker := range map[string]string{"dead": host + ":4242", "moved": host + ":777", "done": host + ":4242"} {
		env := &Envelope{ID: id, Queue: DefaultQueue, State: Running, Worker: worker}
		if id == "done" {
			env.State, env.Result = Succeeded, json.RawMessage(`1`)
		}
		if _, err := st.put(ctx, env, time.Minute); err != nil {
			t.Fatal(err)
		}
		rdb.ZAdd(ctx, lease, redis.Z{Score: float64(time.Now().Add(30 * time.Second).Unix()), Member: id})
	}
	n, err := w.Reclaim(ctx, []sandbox.SweptCall{{ID: "dead", WorkerPID: 4242}, {ID: "moved", WorkerPID: 4242}, {ID: "done", WorkerPID: 4242}})
	if err != nil || n != 1 {
		t.Fatalf("reclaimed %d (%v), want 1", n, err)
	}
	for id, expired := range map[string]bool{"dead": true, "moved": false, "done": false} {
		score := rdb.ZScore(ctx, lease, id).Val()
		if (score == 0) != expired {
			t.Errorf("%s: lease score %v, expired=%v wanted", id, score, expired)
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func compactJSON(raw json.RawMessage) string {
	var v any
	_ = json.Unmarshal(raw, &v)
	b, _ := json.Marshal(v)
	return string(b)
}

// TestFinalWriteOutlastsARedisRestart: the write that ends a call keeps
// trying while Redis restarts, so a finished result is kept rather than the
// call being run again after its lease expires.
func TestFinalWriteOutlastsARedisRestart(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1, DialTimeout: 100 * time.Millisecond})
	defer rdb.Close()
	ctx := context.Background()
	st := store{rdb: rdb}

	restarted := make(chan error, 1)
	go func() { restarted <- srv.Restart(ctx, 700*time.Millisecond) }()
	time.Sleep(200 * time.Millisecond)
	if err := rdb.Ping(ctx).Err(); err == nil {
		t.Fatal("Redis still answers 200 ms into a 700 ms restart")
	}
	env := &Envelope{ID: "outlast", Tool: "diag_echo", State: Succeeded, Result: json.RawMessage(`{"ok":true}`)}
	wrote, err := st.putFinal(ctx, env, time.Minute, DoneChannel)
	if rerr := <-restarted; rerr != nil {
		t.Fatal(rerr)
	}
	if err != nil || !wrote {
		t.Fatalf("putFinal across a restart: wrote=%v err=%v", wrote, err)
	}
	got, err := st.get(ctx, env.ID)
	if err != nil || got.State != Succeeded {
		t.Fatalf("record after the restart: %+v, %v", got, err)
	}
}

// recorder is an Observer that remembers what it heard.
type recorder struct {
	mu       sync.Mutex
	started  map[string]int
	ended    map[string]int // with or without an outcome
	ran      map[string]int // with an outcome
	finished []string       // tool/state/code
}

func (r *recorder) SandboxStarted(tool string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.started[tool]++
}

func (r *recorder) SandboxEnded(tool string, out *sandbox.Outcome) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ended[tool]++
	if out != nil {
		r.ran[tool]++
	}
}

func (r *recorder) Finished(env *Envelope, superseded bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	code := ""
	if env.Error != nil {
		code = string(env.Error.Code)
	}
	r.finished = append(r.finished, fmt.Sprintf("%s/%s/%s/%v", env.Tool, env.State, code, superseded))
}

// TestObserverHearsEachCall: the hooks metrics hang on see every sandboxed
// run and every final write, and nothing for a call refused before it ran.
func TestObserverHearsEachCall(t *testing.T) {
	t.Parallel()
	rec := &recorder{started: map[string]int{}, ended: map[string]int{}, ran: map[string]int{}}
	b := setupWith(t, func(o *WorkerOptions) { o.Observer = rec })
	b.call(t, "diag_echo", `{"value": 1}`, nil)
	b.call(t, "diag_panic", `{}`, nil)
	// Finished runs just after the record is written, so the caller may
	// see the record first: give the hook a moment.
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		rec.mu.Lock()
		n := len(rec.finished)
		rec.mu.Unlock()
		if n >= 2 {
			break
		}
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	// Each call ran in the sandbox at least once (more if an attempt met an
	// infrastructure failure and was retried, which a loaded host can
	// cause), and every start was matched by an end.
	for _, tool := range []string{"diag_echo", "diag_panic"} {
		if rec.ran[tool] < 1 || rec.started[tool] != rec.ended[tool] {
			t.Errorf("sandbox hooks for %s: started %d, ended %d, with an outcome %d", tool, rec.started[tool], rec.ended[tool], rec.ran[tool])
		}
	}
	// The first call's hook can run after the second call's on a loaded
	// host: compare what was heard, not its order.
	want := []string{"diag_echo/succeeded//false", "diag_panic/failed/tool_crashed/false"}
	slices.Sort(rec.finished)
	if !slices.Equal(rec.finished, want) {
		t.Errorf("finished %v, want %v", rec.finished, want)
	}
}
