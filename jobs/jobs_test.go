package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/internal/redistest"
	"github.com/toolq/toolq/jobs/child"
	"github.com/toolq/toolq/sandbox"
	"github.com/toolq/toolq/tools"
)

// The test binary is also the sandboxed child: the worker under test starts
// /proc/self/exe with child.Arg.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == child.Arg {
		os.Exit(child.Main())
	}
	os.Exit(m.Run())
}

type bundle struct {
	rdb    redis.UniversalClient
	client *Client
	worker *Worker
	sb     *sandbox.Sandbox
}

func quiet() *slog.Logger {
	if os.Getenv("TOOLQ_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// testLog is a logger whose output is shown only if t fails, so that a
// failure seen once in CI comes with the worker's and sandbox's account of
// it (TOOLQ_TEST_LOG=1 streams it instead).
func testLog(t *testing.T) *slog.Logger {
	if os.Getenv("TOOLQ_TEST_LOG") != "" {
		return quiet()
	}
	var mu sync.Mutex
	var buf bytes.Buffer
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		if t.Failed() && buf.Len() > 0 {
			t.Logf("worker log:\n%s", buf.String())
		}
	})
	return slog.New(slog.NewTextHandler(lockedWriter{&mu, &buf}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func setup(t *testing.T) *bundle { t.Helper(); return setupWith(t, nil) }

// setupWith is setup with the worker's options changed by edit.
func setupWith(t *testing.T, edit func(*WorkerOptions)) *bundle {
	t.Helper()
	srv := redistest.Start(t)
	rdb := redistest.Client(t, srv)
	mode, err := sandbox.ParseMode(os.Getenv("TOOLQ_TEST_SANDBOX"))
	if err != nil {
		t.Fatal(err)
	}
	log := testLog(t)
	sb, err := sandbox.New(&sandbox.Options{Mode: mode, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	wo := &WorkerOptions{
		Sandbox: sb, Diagnostics: true, Concurrency: 2,
		MaxTimeout: 5 * time.Second, MaxMemoryBytes: 512 << 20,
		MaxOutputBytes: 1 << 20, Logger: log,
	}
	if edit != nil {
		edit(wo)
	}
	w, err := NewWorker(rdb, wo)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	served := make(chan error, 1)
	go func() {
		served <- w.Serve(ctx, &ServerOptions{ShutdownTimeout: time.Second, Started: func() { close(started) }})
	}()
	select {
	case <-started:
	case err := <-served:
		t.Fatalf("worker did not start: %v", err)
	}
	c := NewClient(rdb, &ClientOptions{Registry: tools.WithDiagnostics(), Timeout: 5 * time.Second, MemoryBytes: 256 << 20})
	t.Cleanup(func() {
		c.Close()
		cancel()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
		if err := sb.Close(); err != nil {
			t.Errorf("sandbox close: %v", err)
		}
	})
	return &bundle{rdb: rdb, client: c, worker: w, sb: sb}
}

func (b *bundle) call(t *testing.T, tool, input string, opts *SubmitOptions) *Envelope {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	env, err := b.client.Submit(ctx, tool, []byte(input), opts)
	if err != nil {
		t.Fatalf("Submit(%s, %s): %v", tool, input, err)
	}
	// Submit enqueues before it writes the record, so on a busy host the
	// worker can have marked the call running (or finished it) first.
	if env.ID == "" || (env.State != Queued && env.State != Running && !env.State.Final()) {
		t.Fatalf("submitted: id %q, state %q", env.ID, env.State)
	}
	env, err = b.client.Wait(ctx, env.ID)
	if err != nil {
		t.Fatalf("Wait: %v", err)
	}
	return env
}

func wantCode(t *testing.T, env *Envelope, code errcode.Code) {
	t.Helper()
	if env.State != Failed || env.Error == nil || env.Error.Code != code {
		b, _ := json.Marshal(env)
		t.Fatalf("got %s, want failed with %s", b, code)
	}
	if env.Result != nil {
		t.Fatalf("failed envelope has a result: %s", env.Result)
	}
}

func TestEchoSucceeds(t *testing.T) {
	t.Parallel()
	b := setup(t)
	env := b.call(t, "diag_echo", `{"value": {"a": [1, 2.5, "x"]}}`, nil)
	if env.State != Succeeded || env.Error != nil {
		t.Fatalf("state %s error %v", env.State, env.Error)
	}
	if got, want := string(env.Result), `{"value":{"a":[1,2.5,"x"]}}`; got != want {
		t.Fatalf("result %s, want %s", got, want)
	}
	if env.Usage == nil || env.Usage.Enforcement != string(b.sb.Enforcement()) || env.Usage.WallMS <= 0 {
		t.Fatalf("usage %+v", env.Usage)
	}
	if env.Attempts != 1 || env.Worker == "" || env.StartedAt == nil || env.FinishedAt == nil || env.SubmittedAt == nil {
		t.Fatalf("bookkeeping missing: %+v", env)
	}
	// The record is what a non-Go backend reads with a plain GET.
	raw, err := b.rdb.Get(context.Background(), Key(env.ID)).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "tool", "queue", "state", "result", "error", "usage", "attempts", "worker", "submitted_at", "started_at", "finished_at"} {
		if _, ok := m[k]; !ok {
			t.Errorf("record lacks %q: %s", k, raw)
		}
	}
	if ttl := b.rdb.PTTL(context.Background(), Key(env.ID)).Val(); ttl <= 0 || ttl > DefaultResultTTL {
		t.Errorf("record TTL %s, want within %s", ttl, DefaultResultTTL)
	}
}

func TestVerdicts(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, tc := range []struct {
		name, tool, input string
		opts              *SubmitOptions
		code              errcode.Code
	}{
		{"timeout", "diag_sleep", `{"seconds": 30}`, &SubmitOptions{Timeout: 500 * time.Millisecond}, errcode.Timeout},
		{"memory", "diag_alloc", `{"mb": 1024}`, &SubmitOptions{MemoryBytes: 64 << 20}, errcode.MemoryExceeded},
		{"panic", "diag_panic", `{}`, nil, errcode.ToolCrashed},
		{"signal", "diag_kill", `{"signal": 6}`, nil, errcode.ToolCrashed},
		{"output", "diag_output", `{"mb": 4}`, nil, errcode.OutputTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			env := b.call(t, tc.tool, tc.input, tc.opts)
			wantCode(t, env, tc.code)
			if tc.code == errcode.Timeout && time.Since(start) > 3*time.Second {
				t.Errorf("timeout verdict took %s", time.Since(start))
			}
			if tc.code == errcode.MemoryExceeded {
				if d := env.Error.Details; d["memory_limit_bytes"] != float64(64<<20) && d["memory_limit_bytes"] != int64(64<<20) {
					t.Errorf("details %v", d)
				}
			}
			if tc.name == "panic" && !strings.Contains(env.Error.Message, "diag_panic: deliberate panic") {
				t.Errorf("panic message lost: %q", env.Error.Message)
			}
		})
	}
	// The worker still serves.
	env := b.call(t, "diag_echo", `{"value": 1}`, nil)
	if env.State != Succeeded {
		t.Fatalf("worker stopped serving: %+v", env)
	}
}

func TestRefusedBeforeEnqueue(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	for _, tc := range []struct {
		tool, input string
		code        errcode.Code
	}{
		{"no_such_tool", `{}`, errcode.UnknownTool},
		{"diag_sleep", `{"seconds": "long"}`, errcode.InputInvalid},
		{"diag_sleep", `{"seconds": 1, "extra": true}`, errcode.InputInvalid},
		{"diag_echo", `{"value": "` + strings.Repeat("x", 100_001) + `"}`, errcode.InputTooLarge},
		{"diag_echo", `[1, 2]`, errcode.InputInvalid},
	} {
		_, err := b.client.Submit(ctx, tc.tool, []byte(tc.input), nil)
		if got := errcode.Of(err); got != tc.code {
			t.Errorf("Submit(%s, %.40s): %v, want %s", tc.tool, tc.input, err, tc.code)
		}
	}
	if n := b.rdb.Keys(ctx, KeyPrefix+"*").Val(); len(n) != 0 {
		t.Fatalf("refused calls left records: %v", n)
	}
}

func TestCancelRunning(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	env, err := b.client.Submit(ctx, "diag_sleep", []byte(`{"seconds": 30}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	// Wait until it runs.
	deadline := time.Now().Add(10 * time.Second)
	for {
		cur, err := b.client.Get(ctx, env.ID)
		if err != nil {
			t.Fatal(err)
		}
		if cur.State == Running {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("never started: %+v", cur)
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // let the sandbox start
	got, err := b.client.Cancel(ctx, env.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantState(t, got, Cancelled, errcode.Cancelled)
	final, err := b.client.Wait(ctx, env.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantState(t, final, Cancelled, errcode.Cancelled)
	// The slot is free again: a new call runs at once.
	start := time.Now()
	if e := b.call(t, "diag_echo", `{}`, nil); e.State != Succeeded {
		t.Fatalf("after cancel: %+v", e)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Fatalf("next call took %s; was the cancelled sandbox still holding its slot?", el)
	}
	// Cancelling a final job changes nothing.
	again, err := b.client.Cancel(ctx, env.ID)
	if err != nil || again.State != Cancelled {
		t.Fatalf("second cancel: %v %+v", err, again)
	}
}

func wantState(t *testing.T, env *Envelope, s State, code errcode.Code) {
	t.Helper()
	if env.State != s || env.Error == nil || env.Error.Code != code {
		t.Fatalf("got %+v (error %v), want %s/%s", env, env.Error, s, code)
	}
}

func TestCancelQueuedNeverRuns(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	rdb := redistest.Client(t, srv)
	// No worker: the job stays queued.
	c := NewClient(rdb, &ClientOptions{Registry: tools.WithDiagnostics()})
	defer c.Close()
	ctx := context.Background()
	env, err := c.Submit(ctx, "diag_echo", []byte(`{}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Cancel(ctx, env.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantState(t, got, Cancelled, errcode.Cancelled)
	insp := asynq.NewInspectorFromRedisClient(rdb)
	if _, err := insp.GetTaskInfo(DefaultQueue, env.ID); !errors.Is(err, asynq.ErrTaskNotFound) {
		t.Fatalf("task still queued: %v", err)
	}
}

func TestWaitTimesOut(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	rdb := redistest.Client(t, srv)
	c := NewClient(rdb, &ClientOptions{Registry: tools.WithDiagnostics()})
	defer c.Close()
	env, err := c.Submit(context.Background(), "diag_echo", []byte(`{}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	last, err := c.Wait(ctx, env.ID)
	if !errors.Is(err, context.DeadlineExceeded) || last == nil || last.State != Queued {
		t.Fatalf("Wait = %+v, %v; want the queued envelope and DeadlineExceeded", last, err)
	}
}

func TestFirstFinalWriteWins(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	rdb := redistest.Client(t, srv)
	st := store{rdb: rdb}
	ctx := context.Background()
	env := &Envelope{ID: "x1", Tool: "t", Queue: "default", State: Queued}
	if ok, err := st.create(ctx, env, time.Minute); !ok || err != nil {
		t.Fatal(ok, err)
	}
	env.State = Running
	if ok, _ := st.put(ctx, env, time.Minute); !ok {
		t.Fatal("running write refused")
	}
	env.State, env.Result = Succeeded, json.RawMessage(`{"state":"failed","note":"a result mentioning a state"}`)
	if ok, _ := st.put(ctx, env, time.Minute, DoneChannel); !ok {
		t.Fatal("first final write refused")
	}
	loser := *env
	loser.State, loser.Result, loser.Error = Cancelled, nil, errcode.New(errcode.Cancelled, "late")
	if ok, _ := st.put(ctx, &loser, time.Minute, DoneChannel); ok {
		t.Fatal("second final write accepted")
	}
	got, err := st.get(ctx, "x1")
	if err != nil || got.State != Succeeded {
		t.Fatalf("record %+v, %v", got, err)
	}
	if ok, _ := st.create(ctx, env, time.Minute); ok {
		t.Fatal("create over an existing record")
	}
}

func TestIdempotentSubmit(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	opts := &SubmitOptions{ID: "fixed-id-1"}
	first := b.call(t, "diag_echo", `{"value": 1}`, opts)
	again, err := b.client.Submit(ctx, "diag_echo", []byte(`{"value": 1}`), opts)
	if err != nil {
		t.Fatal(err)
	}
	if again.State != Succeeded || string(again.Result) != string(first.Result) || again.Attempts != 1 {
		t.Fatalf("resubmission ran again or lost the result: %+v", again)
	}
}

func TestBatch(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	calls := []BatchCall{
		{Tool: "diag_echo", Input: json.RawMessage(`{"value": 1}`)},
		{Tool: "nope", Input: json.RawMessage(`{}`)},
		{Tool: "diag_echo", Input: json.RawMessage(`{"value": 3}`)},
	}
	res := b.client.SubmitBatch(ctx, calls, 2)
	if res[1].Err == nil || errcode.Of(res[1].Err) != errcode.UnknownTool {
		t.Fatalf("bad call accepted: %+v", res[1])
	}
	for _, i := range []int{0, 2} {
		if res[i].Err != nil {
			t.Fatal(res[i].Err)
		}
		env, err := b.client.Wait(ctx, res[i].Envelope.ID)
		if err != nil || env.State != Succeeded {
			t.Fatalf("call %d: %+v %v", i, env, err)
		}
	}
}
