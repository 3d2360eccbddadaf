package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/jobs/child"
	"github.com/toolq/toolq/sandbox"
	"github.com/toolq/toolq/tools"
)

// Runner runs one sandboxed child; *sandbox.Sandbox is the implementation.
type Runner interface {
	Run(ctx context.Context, c *sandbox.Cmd) (*sandbox.Outcome, error)
}

// WorkerOptions configure a Worker. Zero fields take the defaults.
type WorkerOptions struct {
	// Sandbox runs the children. Required.
	Sandbox Runner
	// Enforcement names the sandbox's enforcer in logs and usage.
	Enforcement string
	// Registry validates calls again before they run. Defaults to
	// tools.Standard(), or tools.WithDiagnostics() when Diagnostics is set.
	Registry *tools.Registry
	// Diagnostics lets children run the diag_* tools.
	Diagnostics bool
	// Limits are the input size limits. Defaults to the seed's.
	Limits *tools.Limits
	// Concurrency is how many sandboxes may run at once, whatever asynq
	// believes (it frees its slot on a timeout before the handler has
	// killed anything). Defaults to runtime.NumCPU().
	Concurrency int
	// MaxTimeout caps the timeout a call may ask for. Defaults to 10 s.
	MaxTimeout time.Duration
	// MaxMemoryBytes caps the memory limit a call may ask for. Defaults to
	// 1 GiB.
	MaxMemoryBytes int64
	// MaxOutputBytes caps a result. Defaults to 16 MiB.
	MaxOutputBytes int64
	// Pids caps the tasks in a call's group. Defaults to sandbox.DefaultPids.
	Pids int64
	// ResultTTL is how long records are kept. Defaults to 24 h.
	ResultTTL time.Duration
	// ChildPath and ChildArgs start a child; default: this binary with
	// child.Arg. cmd/toolq-child is the lean alternative for ChildPath.
	ChildPath string
	ChildArgs []string
	// Name identifies this worker in envelopes. Defaults to "host:pid".
	Name string
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// Observer, when set, hears about each sandboxed run and each final
	// write, for metrics.
	Observer Observer
}

// Observer hears what a worker does, so that metrics can be kept outside
// this package. Its methods are called from the handlers' goroutines and
// must be quick and safe for concurrent use.
type Observer interface {
	// SandboxStarted: a child is about to start for a call of tool.
	SandboxStarted(tool string)
	// SandboxEnded: that child is gone; out is nil when it never started.
	SandboxEnded(tool string, out *sandbox.Outcome)
	// Finished: this worker wrote env as the call's final record, or found
	// another writer first (superseded).
	Finished(env *Envelope, superseded bool)
}

// nopObserver is the Observer of a worker given none.
type nopObserver struct{}

func (nopObserver) SandboxStarted(string)                 {}
func (nopObserver) SandboxEnded(string, *sandbox.Outcome) {}
func (nopObserver) Finished(*Envelope, bool)              {}

// Worker is the asynq handler for tool calls.
type Worker struct {
	o     WorkerOptions
	st    store
	rdb   redis.UniversalClient
	slots chan struct{}
	log   *slog.Logger

	mu      sync.Mutex
	running map[string]context.CancelCauseFunc
	active  sync.WaitGroup

	ready     chan struct{} // closed once the cancel subscription is up
	readyOnce sync.Once

	stall stallClock // runs while Serve does
}

// errCancelledByCaller is the cause recorded when Cancel reaches a running
// call.
var errCancelledByCaller = errors.New("jobs: cancelled by the caller")

// NewWorker returns a handler that runs calls in opts.Sandbox and keeps
// records in rdb.
func NewWorker(rdb redis.UniversalClient, opts *WorkerOptions) (*Worker, error) {
	if opts == nil || opts.Sandbox == nil {
		return nil, errors.New("jobs: WorkerOptions.Sandbox is required")
	}
	o := *opts
	if o.Registry == nil {
		o.Registry = tools.Standard()
		if o.Diagnostics {
			o.Registry = tools.WithDiagnostics()
		}
	}
	if o.Concurrency <= 0 {
		o.Concurrency = runtime.NumCPU()
	}
	if o.MaxTimeout <= 0 {
		o.MaxTimeout = DefaultTimeout
	}
	if o.MaxMemoryBytes <= 0 {
		o.MaxMemoryBytes = DefaultMemoryBytes
	}
	if o.MaxOutputBytes <= 0 {
		o.MaxOutputBytes = sandbox.DefaultStdout
	}
	if o.ResultTTL <= 0 {
		o.ResultTTL = DefaultResultTTL
	}
	if len(o.ChildArgs) == 0 {
		o.ChildArgs = []string{child.Arg}
	}
	if o.Name == "" {
		host, _ := os.Hostname()
		o.Name = defaultName(host, os.Getpid())
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Observer == nil {
		o.Observer = nopObserver{}
	}
	return &Worker{
		o:       o,
		st:      store{rdb: rdb},
		rdb:     rdb,
		ready:   make(chan struct{}),
		slots:   make(chan struct{}, o.Concurrency),
		log:     o.Logger.With("component", "worker"),
		running: map[string]context.CancelCauseFunc{},
	}, nil
}

// defaultName is a worker's name unless WorkerOptions.Name sets one,
// "host:pid". Reclaim recognises a dead worker's calls by it.
func defaultName(host string, pid int) string { return fmt.Sprintf("%s:%d", host, pid) }

// Name returns the worker's name as it appears in envelopes.
func (w *Worker) Name() string { return w.o.Name }

// ListenCancel follows toolq:cancel until ctx is done, killing the sandbox
// of any call here that its caller cancels. It subscribes again, with
// backoff, whenever the subscription fails, so a Redis restart does not
// leave running calls uncancellable. Run it before starting the asynq
// server and wait for CancelReady, so that no call runs unsubscribed.
func (w *Worker) ListenCancel(ctx context.Context) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := w.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		w.log.WarnContext(ctx, "cancel subscription lost; subscribing again", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

func (w *Worker) listenOnce(ctx context.Context) error {
	ps := w.rdb.Subscribe(ctx, CancelChannel)
	defer ps.Close()
	if _, err := ps.Receive(ctx); err != nil {
		return fmt.Errorf("jobs: subscribe %s: %w", CancelChannel, err)
	}
	w.readyOnce.Do(func() { close(w.ready) })
	ch := ps.Channel()
	for {
		select {
		case <-ctx.Done():
			return nil
		case msg, ok := <-ch:
			if !ok {
				return errors.New("jobs: cancel subscription closed")
			}
			w.mu.Lock()
			cancel := w.running[msg.Payload]
			w.mu.Unlock()
			if cancel != nil {
				cancel(errCancelledByCaller)
			}
		}
	}
}

// CancelReady waits until ListenCancel has subscribed once, or ctx ends.
func (w *Worker) CancelReady(ctx context.Context) error {
	select {
	case <-w.ready:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("jobs: no subscription to %s: %w", CancelChannel, context.Cause(ctx))
	}
}

// SelfTest runs one no-op call through the sandbox, as a call would run,
// so that a worker whose children cannot start (a bad identity, a missing
// binary, a kernel that refuses the hardening) refuses to start instead of
// failing every call.
func (w *Worker) SelfTest(ctx context.Context) error {
	req, _ := json.Marshal(child.Request{Tool: "diag_echo", Input: json.RawMessage(`{"value":"self-test"}`), Diagnostics: true})
	out, err := w.o.Sandbox.Run(ctx, &sandbox.Cmd{
		ID: "self-test", Path: w.o.ChildPath, Args: w.o.ChildArgs, Env: []string{}, Stdin: req,
		Limits: sandbox.Limits{Memory: min(w.o.MaxMemoryBytes, 256<<20), Timeout: 30 * time.Second, Pids: w.o.Pids},
	})
	if err != nil {
		return fmt.Errorf("jobs: self-test: %w", err)
	}
	if res, cerr := verdict("diag_echo", out); cerr != nil || !strings.Contains(string(res), "self-test") {
		return fmt.Errorf("jobs: self-test: the child ended %s (exit %d): %v\n%s", out.Status, out.ExitCode, cerr, out.Stderr)
	}
	return nil
}

// HandleError is the asynq ErrorHandler. asynq calls it before it retries
// or archives a task that failed in the processor: our own infrastructure
// error, its deadline, a cancellation or a lost lease. When no attempt is
// left the task is about to be archived, and the record must not stay
// queued or running forever: it becomes final with code internal.
func (w *Worker) HandleError(ctx context.Context, t *asynq.Task, err error) {
	if errors.Is(err, asynq.SkipRetry) {
		return
	}
	retried, _ := asynq.GetRetryCount(ctx)
	maxRetry, _ := asynq.GetMaxRetry(ctx)
	if retried < maxRetry {
		return
	}
	var call Call
	if json.Unmarshal(t.Payload(), &call) != nil || call.ID == "" {
		return
	}
	w.giveUp(context.WithoutCancel(ctx), &call, retried+1, err)
}

// giveUp makes a call's record final with code internal after its last
// attempt failed for reasons outside the call.
func (w *Worker) giveUp(ctx context.Context, call *Call, attempts int, cause error) {
	env := &Envelope{
		ID: call.ID, Tool: call.Tool, Queue: call.Queue, State: Failed, Attempts: attempts,
		SubmittedAt: timePtr(call.SubmittedAt), FinishedAt: timePtr(time.Now()),
		Error: errcode.New(errcode.Internal, "Tool %s could not be run: %d attempts failed; the last: %v", pyQuote(call.Tool), attempts, cause).
			With("tool_name", call.Tool).With("attempts", attempts),
	}
	if cur, err := w.st.get(ctx, call.ID); err == nil {
		env.Worker, env.StartedAt = cur.Worker, cur.StartedAt
	}
	if wrote, err := w.st.putFinal(ctx, env, w.ttlFor(call), DoneChannel); err != nil {
		w.log.ErrorContext(ctx, "could not finish a call that ran out of attempts", "job_id", call.ID, "err", err)
	} else {
		if wrote {
			w.log.WarnContext(ctx, "call ran out of attempts", "job_id", call.ID, "tool", call.Tool, "attempts", attempts, "cause", cause)
		}
		w.o.Observer.Finished(env, !wrote)
	}
}

// ttlFor is how long a call's record is kept: what its caller asked for,
// else the worker's setting.
func (w *Worker) ttlFor(call *Call) time.Duration {
	if call.ResultTTLMS > 0 {
		return time.Duration(call.ResultTTLMS) * time.Millisecond
	}
	return w.o.ResultTTL
}

// Wait blocks until every call this worker started has finished (asynq's
// Shutdown does not wait for handlers), so that nothing is left running.
func (w *Worker) Wait() { w.active.Wait() }

// RetryDelay is the asynq RetryDelayFunc for toolq: a task whose worker
// vanished (lease expired) is run again after a second, not after asynq's
// Sidekiq-style backoff of 15 s and more; other infrastructure failures back
// off exponentially from a second, to at most a minute.
func RetryDelay(n int, err error, _ *asynq.Task) time.Duration {
	if errors.Is(err, asynq.ErrLeaseExpired) {
		return time.Second
	}
	d := time.Second << min(n, 6)
	return min(d, time.Minute)
}

// ProcessTask implements asynq.Handler. A returned error makes asynq retry
// the task; it is returned only for infrastructure failures with attempts
// left. Every other outcome is a final record and a nil return.
func (w *Worker) ProcessTask(ctx context.Context, t *asynq.Task) error {
	w.active.Add(1)
	defer w.active.Done()
	var call Call
	if err := json.Unmarshal(t.Payload(), &call); err != nil || call.ID == "" {
		w.log.ErrorContext(ctx, "undecodable task payload; dropping it", "type", t.Type(), "err", err)
		return fmt.Errorf("jobs: bad payload: %v: %w", err, asynq.SkipRetry)
	}
	log := w.log.With("job_id", call.ID, "tool", call.Tool, "queue", call.Queue)

	retried, _ := asynq.GetRetryCount(ctx)
	maxRetry, _ := asynq.GetMaxRetry(ctx)

	env := &Envelope{
		ID: call.ID, Tool: call.Tool, Queue: call.Queue, State: Running,
		Attempts: retried + 1, Worker: w.o.Name,
		SubmittedAt: timePtr(call.SubmittedAt),
	}
	input, verr := w.o.Registry.Validate(call.Tool, call.Input, w.o.Limits)
	if verr != nil {
		return w.finish(ctx, log, &call, env, nil, errcode.As(verr))
	}
	timeout := clampDuration(time.Duration(call.TimeoutMS)*time.Millisecond, w.o.MaxTimeout)
	memory := clampInt(call.MemoryBytes, w.o.MaxMemoryBytes)

	// Our own context: asynq's (shutdown, its own deadline) plus the
	// caller's cancellation, with the reason kept as the cause.
	jobCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	w.mu.Lock()
	w.running[call.ID] = cancel
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		delete(w.running, call.ID)
		w.mu.Unlock()
	}()

	select {
	case w.slots <- struct{}{}:
	case <-jobCtx.Done():
		return w.interrupted(ctx, log, &call, env, jobCtx)
	}
	defer func() { <-w.slots }()

	env.StartedAt = timePtr(time.Now())
	// Marking it running is also the check that nobody finished it first
	// (a cancellation while queued, a duplicate delivery): the write is
	// refused on a final record.
	if ok, err := w.st.put(ctx, env, w.ttlFor(&call)); err != nil {
		return err
	} else if !ok {
		log.InfoContext(ctx, "job already final; skipping")
		return nil
	}

	req, _ := json.Marshal(child.Request{Tool: call.Tool, Input: input, Diagnostics: w.o.Diagnostics})
	w.o.Observer.SandboxStarted(call.Tool)
	stalledBefore := w.stall.stalled()
	out, err := w.o.Sandbox.Run(jobCtx, &sandbox.Cmd{
		ID:    call.ID,
		Path:  w.o.ChildPath,
		Args:  w.o.ChildArgs,
		Env:   []string{},
		Stdin: req,
		Limits: sandbox.Limits{
			Memory:  memory,
			Timeout: timeout,
			Pids:    w.o.Pids,
			Stdout:  w.o.MaxOutputBytes,
		},
	})
	w.o.Observer.SandboxEnded(call.Tool, out)
	if err != nil {
		// Sandbox set-up failed: nothing ran. Retry while attempts remain.
		if retried < maxRetry && jobCtx.Err() == nil {
			log.WarnContext(ctx, "sandbox set-up failed; will retry", "err", err, "attempt", env.Attempts)
			return err
		}
		return w.finish(ctx, log, &call, env, nil, errcode.Wrap(errcode.Internal, err, "Sandbox set-up failed: %v", err))
	}
	env.Usage = usageOf(out, w.o.Enforcement)
	if out.Status == sandbox.Cancelled {
		return w.interrupted(ctx, log, &call, env, jobCtx)
	}
	if out.Status == sandbox.TimedOut && retried < maxRetry {
		if d := w.stall.stalled() - stalledBefore; d >= stallThreshold {
			log.WarnContext(ctx, "this worker was not running for part of the call, so its deadline says nothing about the call; will retry",
				"stalled", d, "attempt", env.Attempts)
			return fmt.Errorf("jobs: worker stalled for %s during the call", d.Round(time.Millisecond))
		}
	}
	result, cerr := verdict(call.Tool, out)
	if cerr != nil && cerr.Code == errcode.ToolCrashed {
		log.WarnContext(ctx, "child crashed", "status", out.Status, "exit_code", out.ExitCode, "signal", int(out.Signal), "stderr", string(out.Stderr))
	}
	if cerr != nil && cerr.Code == errcode.Internal && retried < maxRetry {
		log.WarnContext(ctx, "infrastructure failure; will retry", "err", cerr, "attempt", env.Attempts)
		return cerr
	}
	return w.finish(ctx, log, &call, env, result, cerr)
}

// interrupted handles a call stopped before it finished: by its caller
// (Cancel already wrote the final record) or by asynq (a shutdown, which
// requeues it, or asynq's own deadline, which retries it; the record goes
// back to queued until it runs again, and HandleError makes it final when
// no attempt is left).
func (w *Worker) interrupted(ctx context.Context, log *slog.Logger, call *Call, env *Envelope, jobCtx context.Context) error {
	cause := context.Cause(jobCtx)
	if errors.Is(cause, errCancelledByCaller) {
		log.InfoContext(ctx, "job cancelled by its caller")
		return nil
	}
	env.State = Queued
	env.StartedAt = nil
	env.Usage = nil
	// asynq's context is done; the record update must not depend on it.
	if _, err := w.st.put(context.WithoutCancel(ctx), env, w.ttlFor(call)); err != nil {
		log.WarnContext(ctx, "could not mark the job queued again", "err", err)
	}
	log.InfoContext(ctx, "job interrupted; asynq will run it again", "cause", cause)
	return fmt.Errorf("jobs: interrupted: %w", cause)
}

// finish writes the final record (unless another writer was first) and
// logs the outcome once.
func (w *Worker) finish(ctx context.Context, log *slog.Logger, call *Call, env *Envelope, result json.RawMessage, cerr *errcode.Error) error {
	now := time.Now()
	env.FinishedAt = timePtr(now)
	if cerr != nil {
		env.State, env.Error, env.Result = Failed, cerr, nil
	} else {
		env.State, env.Result = Succeeded, result
	}
	wrote, err := w.st.putFinal(context.WithoutCancel(ctx), env, w.ttlFor(call), DoneChannel)
	if err != nil {
		return err
	}
	attrs := []any{"state", env.State, "attempt", env.Attempts}
	if env.Usage != nil {
		attrs = append(attrs, "wall_ms", env.Usage.WallMS, "peak_memory_bytes", env.Usage.PeakMemoryBytes)
	}
	if cerr != nil {
		attrs = append(attrs, "error", cerr.Code, "message", cerr.Message)
	}
	if !wrote {
		attrs = append(attrs, "superseded", true)
	}
	w.o.Observer.Finished(env, !wrote)
	log.InfoContext(ctx, "job finished", attrs...)
	return nil
}

// verdict turns a child's outcome into a result or a typed error.
func verdict(tool string, out *sandbox.Outcome) (json.RawMessage, *errcode.Error) {
	u := out.Usage
	switch out.Status {
	case sandbox.SetupFailed:
		return nil, errcode.New(errcode.Internal, "The sandbox could not harden the child of tool %s: %s", pyQuote(tool), strings.TrimSpace(string(out.Stderr))).
			With("tool_name", tool).With("reason", "child_setup")
	case sandbox.Exited:
		if out.ExitCode == sandbox.ExitGateClosed {
			return nil, errcode.New(errcode.Internal, "The child of tool %s was never released to run", pyQuote(tool)).
				With("tool_name", tool).With("reason", "child_gate")
		}
		if out.ExitCode != 0 {
			return nil, crashed(tool, out, fmt.Sprintf("exited with status %d", out.ExitCode))
		}
		var resp child.Response
		dec := json.NewDecoder(bytes.NewReader(out.Stdout))
		err := dec.Decode(&resp)
		if string(resp.Result) == "null" {
			resp.Result = nil // a tool must return something; null is no answer
		}
		if err != nil || (resp.Result == nil) == (resp.Error == nil) || dec.More() {
			return nil, crashed(tool, out, "wrote a response that is not one result or one error")
		}
		if resp.Error != nil {
			if !resp.Error.Code.Known() {
				resp.Error.Code = errcode.ToolError
			}
			return nil, resp.Error
		}
		return resp.Result, nil
	case sandbox.OOM:
		return nil, errcode.New(errcode.MemoryExceeded, "Tool %s exceeded memory limit of %d MB", pyQuote(tool), u.MemoryLimit>>20).
			With("tool_name", tool).With("memory_mb", u.MemoryLimit>>20).
			With("memory_limit_bytes", u.MemoryLimit).With("peak_memory_bytes", u.PeakMemory)
	case sandbox.HostOOM:
		return nil, errcode.New(errcode.Internal, "Tool %s was killed by memory pressure outside its own limit", pyQuote(tool)).
			With("tool_name", tool).With("reason", "host_memory_pressure").With("peak_memory_bytes", u.PeakMemory)
	case sandbox.TimedOut:
		return nil, errcode.New(errcode.Timeout, "Tool %s exceeded %ss timeout", pyQuote(tool), seconds(u.Timeout)).
			With("tool_name", tool).With("timeout", u.Timeout.Seconds())
	case sandbox.OutputExceeded:
		return nil, errcode.New(errcode.OutputTooLarge, "Tool %s produced more than %d bytes of output", pyQuote(tool), len(out.Stdout)).
			With("tool_name", tool).With("limit", len(out.Stdout))
	case sandbox.PidsExceeded:
		return nil, crashed(tool, out, "hit its process limit").With("reason", "pids_limit")
	default: // Signaled
		return nil, crashed(tool, out, fmt.Sprintf("was killed by signal %d (%s)", int(out.Signal), out.Signal))
	}
}

// crashed builds tool_crashed with what the child said on stderr; a Go
// panic's first line names the problem.
func crashed(tool string, out *sandbox.Outcome, how string) *errcode.Error {
	stderr := strings.TrimSpace(string(out.Stderr))
	msg := fmt.Sprintf("Tool %s crashed: it %s", pyQuote(tool), how)
	if i := strings.Index(stderr, "panic: "); i >= 0 {
		line, _, _ := strings.Cut(stderr[i:], "\n")
		msg = fmt.Sprintf("Tool %s crashed: %s", pyQuote(tool), line)
	}
	// The child's stderr (a Go stack trace, with the worker's source paths)
	// goes to the worker's log, not to the caller.
	e := errcode.New(errcode.ToolCrashed, "%s", msg).With("tool_name", tool)
	if out.Status == sandbox.Exited {
		e.With("exit_code", out.ExitCode)
	} else if out.Signal != 0 {
		e.With("signal", int(out.Signal))
	}
	return e
}

func usageOf(out *sandbox.Outcome, enforcement string) *Usage {
	u := out.Usage
	if enforcement == "" {
		enforcement = string(u.Enforcement)
	}
	return &Usage{
		WallMS:           ms(u.Wall),
		CPUMS:            ms(u.CPU),
		PeakMemoryBytes:  u.PeakMemory,
		MemoryLimitBytes: u.MemoryLimit,
		TimeoutMS:        u.Timeout.Milliseconds(),
		Enforcement:      enforcement,
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func seconds(d time.Duration) string {
	return strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%.3f", d.Seconds()), "0"), "0")
}

func clampDuration(asked, max time.Duration) time.Duration {
	if asked <= 0 || asked > max {
		return max
	}
	return asked
}

func clampInt(asked, max int64) int64 {
	if asked <= 0 || asked > max {
		return max
	}
	return asked
}

// pyQuote quotes a name the way the seed's messages do ('name').
func pyQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }
