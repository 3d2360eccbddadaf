package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/toolq/toolq/internal/config"
	"github.com/toolq/toolq/jobs"
	"github.com/toolq/toolq/sandbox"
)

// settings is the worker's whole configuration.
type settings struct {
	*config.Common
	*config.Logging
	sandbox          *string
	concurrency      *int
	queues           *string
	outputMB         *int
	pids             *int
	poll             *time.Duration
	grace            *time.Duration
	requireIsolation *bool
	forceGated       *bool
	childBinary      *string
	hardening        *bool
	childUID         *int
	childGID         *int
	childNetwork     *bool
	scratchMB        *int
	metricsAddr      *string
}

func bind(fs *flag.FlagSet) (*settings, *config.Set) {
	s := config.New(fs)
	return &settings{
		Common:           config.BindCommon(s),
		Logging:          config.BindLogging(s),
		sandbox:          s.String("sandbox", "TOOLQ_SANDBOX", "auto", "enforcer: auto, cgroup2, cgroup1 or none", func(v string) error { _, err := sandbox.ParseMode(v); return err }),
		concurrency:      s.Int("concurrency", "TOOLQ_CONCURRENCY", defaultConcurrency(), "sandboxes run at once"),
		queues:           s.String("queues", "TOOLQ_QUEUES", "default=1", "queues and weights, e.g. critical=6,default=3,low=1", func(v string) error { _, err := config.ParseQueues(v); return err }),
		outputMB:         s.IntUpTo("max-output-mb", "TOOLQ_MAX_OUTPUT_MB", 16, 4096, "largest result a call may return, in MiB"),
		pids:             s.IntUpTo("max-pids", "TOOLQ_MAX_PIDS", sandbox.DefaultPids, 1<<22, "most tasks (processes and threads) in one call"),
		poll:             s.Duration("poll-interval", "TOOLQ_POLL_INTERVAL", 10*time.Millisecond, "how often an idle worker looks for work (its pickup latency)"),
		grace:            s.Duration("shutdown-grace", "TOOLQ_SHUTDOWN_GRACE", 30*time.Second, "on SIGTERM, how long running calls may finish before they are killed and requeued"),
		requireIsolation: s.Bool("require-isolation", "TOOLQ_REQUIRE_ISOLATION", false, "refuse to start without a cgroup enforcer"),
		forceGated:       s.Bool("force-gated", "TOOLQ_FORCE_GATED", false, "always place children with the gated fallback, even where clone3 works"),
		childBinary:      s.String("child-binary", "TOOLQ_CHILD_BINARY", "", "run calls in this binary (cmd/toolq-child, same version) instead of re-executing the worker; starts each call in about half the time", checkExecutable),
		hardening:        s.Bool("hardening", "TOOLQ_HARDENING", true, "harden children: as root, an unprivileged identity and their own network and mount namespaces; always rlimits, no_new_privs, a minimal environment"),
		childUID:         s.IntUpTo("child-uid", "TOOLQ_CHILD_UID", sandbox.DefaultUID, sandbox.MaxID, "uid children run as when the worker is root"),
		childGID:         s.IntUpTo("child-gid", "TOOLQ_CHILD_GID", sandbox.DefaultUID, sandbox.MaxID, "gid children run as when the worker is root"),
		childNetwork:     s.Bool("child-network", "TOOLQ_CHILD_NETWORK", false, "leave children in the worker's network namespace (default: none, no route out)"),
		scratchMB:        s.IntUpTo("child-scratch-mb", "TOOLQ_CHILD_SCRATCH_MB", sandbox.DefaultScratchMB, config.MaxMiB, "size of a child's private /tmp, in MiB (counts against its memory)"),
		metricsAddr:      s.String("metrics-addr", "TOOLQ_METRICS_ADDR", "", "serve Prometheus metrics at http://ADDR/metrics (e.g. 127.0.0.1:9464; empty: off)", nil),
	}, s
}

func (s *settings) hardeningOptions() sandbox.Hardening {
	return sandbox.Hardening{
		Off: !*s.hardening, UID: *s.childUID, GID: *s.childGID,
		Network: *s.childNetwork, ScratchMB: *s.scratchMB,
	}
}

func checkExecutable(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.IsDir() || fi.Mode()&0o111 == 0 {
		return fmt.Errorf("%s is not an executable file", path)
	}
	return nil
}

func parse(name string, args []string, stderr io.Writer) (*settings, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	st, set := bind(fs)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: worker [flags]\n       worker doctor [--json]\n\nRuns toolq tool calls from Redis, each in a sandboxed child process.\n\nFlags (each with an environment variable of the same meaning):\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, exitError(0)
		}
		return nil, exitError(2)
	}
	if fs.NArg() > 0 {
		return nil, usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	if err := set.Err(); err != nil {
		return nil, usageError{err}
	}
	return st, nil
}

func serve(ctx context.Context, args []string, _, stderr io.Writer) error {
	st, err := parse("worker", args, stderr)
	if err != nil {
		return err
	}
	log := st.Logger(stderr)
	mode, _ := sandbox.ParseMode(*st.sandbox)
	sb, err := sandbox.New(&sandbox.Options{Mode: mode, ForceGated: *st.forceGated, Hardening: st.hardeningOptions(), Logger: log})
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	defer sb.Close()
	if sb.Enforcement() == sandbox.None {
		if *st.requireIsolation {
			return fmt.Errorf("TOOLQ_REQUIRE_ISOLATION is set but no cgroup enforcer is available here (run `worker doctor`)")
		}
		log.Warn("running without cgroup isolation: memory is only guarded from inside each call and nothing limits its processes (run `worker doctor`)")
	}
	rdb, err := connect(ctx, *st.RedisURL)
	if err != nil {
		return err
	}
	defer rdb.Close()
	queues, _ := config.ParseQueues(*st.queues)
	var m *metrics
	var obs jobs.Observer
	if *st.metricsAddr != "" {
		m = newMetrics(st.Registry())
		obs = m
	}
	w, err := jobs.NewWorker(rdb, &jobs.WorkerOptions{
		Sandbox:        sb,
		Enforcement:    string(sb.Enforcement()),
		Registry:       st.Registry(),
		Diagnostics:    *st.Diagnostics,
		Limits:         st.Limits(),
		Concurrency:    *st.concurrency,
		MaxTimeout:     *st.Timeout,
		MaxMemoryBytes: int64(*st.MemoryMB) << 20,
		MaxOutputBytes: int64(*st.outputMB) << 20,
		Pids:           int64(*st.pids),
		ResultTTL:      *st.ResultTTL,
		ChildPath:      *st.childBinary,
		Logger:         log,
		Observer:       obs,
	})
	if err != nil {
		return err
	}
	st.Registry().CompileAll()
	if m != nil {
		m.describe(w.Name(), string(sb.Enforcement()))
		if err := m.serve(ctx, *st.metricsAddr, log); err != nil {
			return usageError{fmt.Errorf("metrics: %w", err)}
		}
	}
	log.Info("worker starting", "name", w.Name(), "version", version, "enforcement", sb.Enforcement(),
		"placement", sb.Placement(), "concurrency", *st.concurrency, "queues", queues,
		"max_timeout", *st.Timeout, "max_memory_mb", *st.MemoryMB, "diagnostic_tools", *st.Diagnostics,
		"child_binary", *st.childBinary)
	err = w.Serve(ctx, &jobs.ServerOptions{
		Queues:          queues,
		PollInterval:    *st.poll,
		ShutdownTimeout: *st.grace,
		Logger:          log,
		Swept:           sb.Swept(),
		Started:         func() { log.Info("worker started") },
	})
	if err != nil {
		return err
	}
	log.Info("worker stopped")
	return nil
}

func connect(ctx context.Context, url string) (redis.UniversalClient, error) {
	rdb, err := jobs.NewRedisClient(url)
	if err != nil {
		return nil, usageError{err}
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := rdb.Ping(pctx).Err(); err != nil {
		_ = rdb.Close()
		return nil, fmt.Errorf("redis %s unreachable: %w", redactURL(url), err)
	}
	return rdb, nil
}

func redactURL(u string) string {
	if i := strings.Index(u, "@"); i >= 0 {
		if j := strings.Index(u, "://"); j >= 0 && j < i {
			return u[:j+3] + "***" + u[i:]
		}
	}
	return u
}

// defaultConcurrency is one sandbox per CPU: the tools are CPU-bound.
func defaultConcurrency() int { return runtime.NumCPU() }
