package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
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
