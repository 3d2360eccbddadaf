package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/toolq/toolq/sandbox"
)

// ServerOptions configure the asynq server that feeds a Worker.
type ServerOptions struct {
	// Queues maps queue names to weights. Defaults to {"default": 1}.
	Queues map[string]int
	// StrictPriority serves queues strictly by weight.
	StrictPriority bool
	// PollInterval is how often an idle server looks for work: asynq has no
	// blocking pop, so this is the idle pickup latency (half of it on
	// average). Each idle server sends one small script to Redis per
	// interval. Defaults to 10 ms.
	PollInterval time.Duration
	// ShutdownTimeout is how long Shutdown lets running calls finish before
	// it kills their sandboxes and hands them back to the queue. Defaults
	// to 30 s.
	ShutdownTimeout time.Duration
	// Logger defaults to the Worker's logger.
	Logger *slog.Logger
	// ReconcileInterval is how often Serve looks for calls asynq gave up on
	// silently (see Worker.Reconcile). Defaults to 30 s.
	ReconcileInterval time.Duration
	// Swept are the calls the sandbox found running in the cgroups of dead
	// workers on this host; Serve reclaims them (see Worker.Reclaim).
	Swept []sandbox.SweptCall
	// Started, if set, is called once the worker takes calls.
	Started func()
}

// Serve runs w until ctx is done: it subscribes to cancellations (and
// fails if it cannot), proves with a self-test call that children start,
// hands back calls of dead workers, starts the asynq server and the
// reconciler, and on ctx's end shuts down — no new calls, running ones
// finish within ShutdownTimeout or are killed and requeued — and returns
// once every call it started has ended.
func (w *Worker) Serve(ctx context.Context, opts *ServerOptions) error {
	var o ServerOptions
	if opts != nil {
		o = *opts
	}
	if o.ReconcileInterval <= 0 {
		o.ReconcileInterval = 30 * time.Second
	}
	bg, stop := context.WithCancel(context.WithoutCancel(ctx))
	defer stop()
	listening := make(chan struct{})
	go func() { defer close(listening); w.ListenCancel(bg) }()
	ticking := make(chan struct{})
	go func() { defer close(ticking); w.stall.run(bg) }()
	defer func() { stop(); <-listening; <-ticking }()
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	err := w.CancelReady(rctx)
	cancel()
	if err != nil {
		return err
	}
	if err := w.SelfTest(ctx); err != nil {
		return err
	}
	if len(o.Swept) > 0 {
		n, err := w.Reclaim(ctx, o.Swept)
		w.log.InfoContext(ctx, "calls of dead workers on this host handed back to the queue", "found", len(o.Swept), "reclaimed", n, "err", err)
	}
	srv := NewServer(w.rdb, w, &o)
	if err := srv.Start(Mux(w)); err != nil {
		return fmt.Errorf("jobs: start the asynq server: %w", err)
	}
	queues := make([]string, 0, len(o.Queues))
	for q := range o.Queues {
		queues = append(queues, q)
	}
	if len(queues) == 0 {
		queues = []string{DefaultQueue}
	}
	reconciled := make(chan struct{})
	go func() { defer close(reconciled); w.Reconcile(bg, queues, o.ReconcileInterval) }()
	if o.Started != nil {
		o.Started()
	}
	<-ctx.Done()
	// Shutdown stops fetching, waits up to ShutdownTimeout, then cancels the
	// calls still running (their sandboxes are killed and the calls
	// requeued). It does not wait for handlers to return; w.Wait does.
	srv.Shutdown()
	w.Wait()
	stop()
	<-reconciled
	return nil
}

// NewServer returns an asynq server that runs w for every "tool:*" task,
// with toolq's retry policy and as many asynq slots as w has sandbox slots.
// Start it with srv.Start(Mux(w)); stop it with srv.Shutdown() and then
// w.Wait().
func NewServer(rdb redis.UniversalClient, w *Worker, opts *ServerOptions) *asynq.Server {
	var o ServerOptions
	if opts != nil {
		o = *opts
	}
	if len(o.Queues) == 0 {
		o.Queues = map[string]int{DefaultQueue: 1}
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 10 * time.Millisecond
	}
	if o.ShutdownTimeout <= 0 {
		o.ShutdownTimeout = 30 * time.Second
	}
	if o.Logger == nil {
		o.Logger = w.log
	}
	return asynq.NewServerFromRedisClient(rdb, asynq.Config{
		Concurrency:              w.o.Concurrency,
		Queues:                   o.Queues,
		StrictPriority:           o.StrictPriority,
		TaskCheckInterval:        o.PollInterval,
		DelayedTaskCheckInterval: time.Second,
		RetryDelayFunc:           RetryDelay,
		ErrorHandler:             asynq.ErrorHandlerFunc(w.HandleError),
		ShutdownTimeout:          o.ShutdownTimeout,
		Logger:                   asynqLogger{o.Logger.With("component", "asynq")},
		LogLevel:                 asynq.WarnLevel,
		BaseContext:              context.Background,
	})
}

// Mux routes every tool task to w.
func Mux(w *Worker) *asynq.ServeMux {
	mux := asynq.NewServeMux()
	mux.Handle(TaskPrefix, w)
	return mux
}

// asynqLogger adapts asynq's logger to slog. asynq's Fatal exits the
// process; here it logs at error level and leaves exiting to the caller.
type asynqLogger struct{ l *slog.Logger }

func (a asynqLogger) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...)) }
func (a asynqLogger) Info(args ...any)  { a.l.Info(fmt.Sprint(args...)) }
func (a asynqLogger) Warn(args ...any)  { a.l.Warn(fmt.Sprint(args...)) }
func (a asynqLogger) Error(args ...any) { a.l.Error(fmt.Sprint(args...)) }
func (a asynqLogger) Fatal(args ...any) { a.l.Error(fmt.Sprint(args...), "fatal", true) }
