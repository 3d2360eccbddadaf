package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools"
)

// Defaults shared by the client and the worker (DESIGN.md).
const (
	DefaultTimeout     = 10 * time.Second
	DefaultMemoryBytes = 1024 << 20
	DefaultResultTTL   = 24 * time.Hour
	// DefaultMaxRetry bounds the extra attempts after infrastructure
	// failures (sandbox set-up, host memory pressure, a lost worker).
	DefaultMaxRetry = 3
	// asynqGrace is added to a call's timeout to make asynq's own deadline,
	// so that the worker's sandbox deadline always fires first and the
	// worker, not asynq, decides the verdict (asynq-notes §1.4).
	asynqGrace = 10 * time.Second
	// pollInterval is Wait's fallback when a toolq:done message is missed.
	pollInterval = time.Second
)

// ErrUnavailable wraps failures to reach Redis, so callers can tell "try
// again later" from a rejected call.
var ErrUnavailable = errors.New("jobs: redis unavailable")

// ClientOptions configure a Client. Nil or zero fields take the defaults.
type ClientOptions struct {
	// Registry validates calls before they are enqueued. Defaults to
	// tools.Standard().
	Registry *tools.Registry
	// Limits are the input size limits. Defaults to the seed's.
	Limits *tools.Limits
	// Timeout is the per-call timeout asked for when a call names none.
	// Defaults to 10 s.
	Timeout time.Duration
	// MemoryBytes is the per-call memory limit asked for when a call names
	// none. Defaults to 1 GiB.
	MemoryBytes int64
	// ResultTTL is how long the records of this client's calls are kept
	// once final (the call carries it to the worker). Defaults to 24 h.
	ResultTTL time.Duration
	// MaxRetry is how many times an infrastructure failure is retried.
	// Defaults to 3.
	MaxRetry int
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

func (o *ClientOptions) withDefaults() ClientOptions {
	var out ClientOptions
	if o != nil {
		out = *o
	}
	if out.Registry == nil {
		out.Registry = tools.Standard()
	}
	if out.Timeout <= 0 {
		out.Timeout = DefaultTimeout
	}
	if out.MemoryBytes <= 0 {
		out.MemoryBytes = DefaultMemoryBytes
	}
	if out.ResultTTL <= 0 {
		out.ResultTTL = DefaultResultTTL
	}
	if out.MaxRetry <= 0 {
		out.MaxRetry = DefaultMaxRetry
	}
	if out.Logger == nil {
		out.Logger = slog.Default()
	}
	return out
}

// Client submits calls and reads their results. It is safe for concurrent
// use; Close it when done.
type Client struct {
	opts ClientOptions
	rdb  redis.UniversalClient
	aq   *asynq.Client
	insp *asynq.Inspector
	st   store
	done *notifier
}

// NewClient returns a client over rdb, which the caller keeps and closes.
func NewClient(rdb redis.UniversalClient, opts *ClientOptions) *Client {
	o := opts.withDefaults()
	return &Client{
		opts: o,
		rdb:  rdb,
		aq:   asynq.NewClientFromRedisClient(rdb),
		insp: asynq.NewInspectorFromRedisClient(rdb),
		st:   store{rdb: rdb},
		done: &notifier{rdb: rdb, waiters: map[string]map[chan struct{}]struct{}{}},
	}
}

// Close stops the client's subscription. It does not close the Redis client.
func (c *Client) Close() error {
	c.done.close()
	return nil
}

// SubmitOptions are per-call settings.
type SubmitOptions struct {
	// ID names the job. Submitting the same ID again returns the existing
	// job instead of running it twice. Defaults to a random UUID.
	ID string
	// Queue defaults to "default".
	Queue string
	// Timeout asks for a deadline; the worker grants at most its own
	// maximum. Defaults to the client's Timeout.
	Timeout time.Duration
	// MemoryBytes asks for a memory limit; the worker grants at most its own
	// maximum. Defaults to the client's MemoryBytes.
	MemoryBytes int64
}

// Validate checks a call as Submit would, without enqueueing it.
func (c *Client) Validate(tool string, input []byte) (json.RawMessage, error) {
	return c.opts.Registry.Validate(tool, input, c.opts.Limits)
}

// Submit validates a call and enqueues it. It returns the queued envelope,
// or a *errcode.Error (unknown_tool, input_invalid, input_too_large) when
// the call is refused, in which case nothing was enqueued. Redis failures
// wrap ErrUnavailable.
func (c *Client) Submit(ctx context.Context, tool string, input []byte, opts *SubmitOptions) (*Envelope, error) {
	call, err := c.prepare(tool, input, opts)
	if err != nil {
		return nil, err
	}
	return c.enqueue(ctx, call)
}

func (c *Client) prepare(tool string, input []byte, opts *SubmitOptions) (*Call, error) {
	norm, err := c.Validate(tool, input)
	if err != nil {
		return nil, err
	}
	var o SubmitOptions
	if opts != nil {
		o = *opts
	}
	if o.ID == "" {
		o.ID = uuid.NewString()
	}
	if o.Queue == "" {
		o.Queue = DefaultQueue
	}
	if o.Timeout <= 0 {
		o.Timeout = c.opts.Timeout
	}
	if o.MemoryBytes <= 0 {
		o.MemoryBytes = c.opts.MemoryBytes
	}
	return &Call{
		ID: o.ID, Tool: tool, Input: norm, Queue: o.Queue,
		TimeoutMS: o.Timeout.Milliseconds(), MemoryBytes: o.MemoryBytes,
		ResultTTLMS: c.opts.ResultTTL.Milliseconds(),
		SubmittedAt: time.Now().UTC(),
	}, nil
}

// enqueue puts the task on the queue first and writes the queued record
// second. In that order a crash in between leaves a task that writes its
// own record when it runs, never a record that promises a job nobody will
// run; and a worker that got there first (running, or even final) is
// never overwritten, because the record is only created if absent.
func (c *Client) enqueue(ctx context.Context, call *Call) (*Envelope, error) {
	if env, err := c.st.get(ctx, call.ID); err == nil {
		return env, nil // a resubmission: answer with the job that exists
	} else if !errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("jobs: submit: %w: %w", ErrUnavailable, err)
	}
	payload, err := json.Marshal(call)
	if err != nil {
		return nil, err
	}
	timeout := time.Duration(call.TimeoutMS)*time.Millisecond + asynqGrace
	task := asynq.NewTask(TaskPrefix+call.Tool, payload,
		asynq.TaskID(call.ID),
		asynq.Queue(call.Queue),
		asynq.MaxRetry(c.opts.MaxRetry),
		// asynq counts whole seconds.
		asynq.Timeout(timeout.Round(time.Second)+time.Second),
	)
	_, err = c.aq.EnqueueContext(ctx, task)
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		// A task with this ID exists without a record. If it is still to
		// run, it is this job: write its record. If asynq keeps it only as
		// history (archived, completed), the record expired: the ID is
		// free again, so drop the old task and enqueue anew.
		info, ierr := c.insp.GetTaskInfo(call.Queue, call.ID)
		if ierr == nil && (info.State == asynq.TaskStateArchived || info.State == asynq.TaskStateCompleted) {
			if derr := c.insp.DeleteTask(call.Queue, call.ID); derr == nil {
				_, err = c.aq.EnqueueContext(ctx, task)
			}
		} else if ierr == nil {
			err = nil
		}
	}
	if err != nil {
		return nil, fmt.Errorf("jobs: enqueue: %w: %w", ErrUnavailable, err)
	}
	env := &Envelope{ID: call.ID, Tool: call.Tool, Queue: call.Queue, State: Queued, SubmittedAt: timePtr(call.SubmittedAt)}
	created, err := c.st.create(ctx, env, c.opts.ResultTTL)
	if err != nil {
		return nil, fmt.Errorf("jobs: submit: %w: %w", ErrUnavailable, err)
	}
	if !created {
		return c.Get(ctx, call.ID) // a worker already wrote it
	}
	return env, nil
}

// BatchCall is one line of a batch.
type BatchCall struct {
	Tool    string          `json:"tool"`
	Input   json.RawMessage `json:"input"`
	Options *SubmitOptions  `json:"-"`
}

// BatchResult is the outcome of submitting one BatchCall: the queued
// envelope or the error that refused it.
type BatchResult struct {
	Envelope *Envelope
	Err      error
}

// SubmitBatch validates and enqueues calls, up to parallel at a time (8 if
// parallel ≤ 0). A refused call does not stop the others; results come back
// in input order.
func (c *Client) SubmitBatch(ctx context.Context, calls []BatchCall, parallel int) []BatchResult {
	if parallel <= 0 {
		parallel = 8
	}
	out := make([]BatchResult, len(calls))
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, bc := range calls {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			env, err := c.Submit(ctx, bc.Tool, bc.Input, bc.Options)
			out[i] = BatchResult{Envelope: env, Err: err}
		}()
	}
	wg.Wait()
	return out
}

// Get returns a job's envelope, or ErrNotFound.
func (c *Client) Get(ctx context.Context, id string) (*Envelope, error) {
	env, err := c.st.get(ctx, id)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return env, err
}

// Wait blocks until the job is final or ctx is done. It is woken by
// toolq:done and polls as a fallback, so a missed message costs at most a
// second. When ctx ends first it returns the last envelope read and ctx's
// error.
func (c *Client) Wait(ctx context.Context, id string) (*Envelope, error) {
	wake, stop := c.done.watch(ctx, id)
	defer stop()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	var last *Envelope
	for {
		env, err := c.Get(ctx, id)
		if err != nil {
			if ctx.Err() != nil {
				return last, ctx.Err()
			}
			return nil, err
		}
		if env.State.Final() {
			return env, nil
		}
		last = env
		select {
		case <-wake:
		case <-tick.C:
		case <-ctx.Done():
			return last, ctx.Err()
		}
	}
}

// Cancel cancels a job: a queued one never runs, a running one has its
// sandbox killed. The record becomes final with error code "cancelled"
// unless it was final already, in which case Cancel changes nothing and
// returns it.
func (c *Client) Cancel(ctx context.Context, id string) (*Envelope, error) {
	env, err := c.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if env.State.Final() {
		return env, nil
	}
	was := env.State
	now := time.Now()
	env.State = Cancelled
	env.Result = nil
	env.Error = errcode.New(errcode.Cancelled, "Job %s was cancelled by its caller", id).With("previous_state", string(was))
	env.FinishedAt = timePtr(now)
	wrote, err := c.st.put(ctx, env, c.opts.ResultTTL, DoneChannel, CancelChannel)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	if !wrote {
		return c.Get(ctx, id)
	}
	if was == Queued {
		// Best effort: the worker would skip it anyway, since the record
		// is final.
		_ = c.insp.DeleteTask(env.Queue, id)
	}
	return env, nil
}

// notifier shares one subscription to toolq:done among all waiters.
type notifier struct {
	rdb     redis.UniversalClient
	mu      sync.Mutex
	ps      *redis.PubSub
	waiters map[string]map[chan struct{}]struct{}
	closed  bool
}

// watch registers interest in id and returns a channel that receives when
// its record may have become final. The subscription is started on first
// use and confirmed before watch returns, so that a Get after watch cannot
// miss the message.
func (n *notifier) watch(ctx context.Context, id string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	n.mu.Lock()
	if n.ps == nil && !n.closed {
		ps := n.rdb.Subscribe(ctx, DoneChannel)
		if _, err := ps.Receive(ctx); err == nil {
			n.ps = ps
			go n.loop(ps)
		} else {
			_ = ps.Close() // polling still works
		}
	}
	if n.waiters[id] == nil {
		n.waiters[id] = map[chan struct{}]struct{}{}
	}
	n.waiters[id][ch] = struct{}{}
	n.mu.Unlock()
	return ch, func() {
		n.mu.Lock()
		delete(n.waiters[id], ch)
		if len(n.waiters[id]) == 0 {
			delete(n.waiters, id)
		}
		n.mu.Unlock()
	}
}

func (n *notifier) loop(ps *redis.PubSub) {
	for msg := range ps.Channel() {
		n.mu.Lock()
		for ch := range n.waiters[msg.Payload] {
			select {
			case ch <- struct{}{}:
			default:
			}
		}
		n.mu.Unlock()
	}
}

func (n *notifier) close() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.closed = true
	if n.ps != nil {
		_ = n.ps.Close()
		n.ps = nil
	}
}
