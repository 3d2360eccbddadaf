// Command demo is `make demo`: it builds the worker and the CLI, starts a
// private redis-server on a free loopback port in a temporary directory,
// starts a worker, submits a few calls — one that succeeds, one that times
// out, one that exceeds its memory, one refused before it is enqueued — and
// prints what the CLI prints. Then it stops everything and removes the
// directory.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/toolq/toolq/internal/harness"
	"github.com/toolq/toolq/internal/redisserver"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func step(format string, args ...any) {
	fmt.Printf("\n\033[1m==> %s\033[0m\n", fmt.Sprintf(format, args...))
}

func run(ctx context.Context) error {
	if err := ensureRedis(); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "toolq-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	step("building the worker and the CLI")
	if err := harness.Build(ctx, dir, "worker", "enqueue"); err != nil {
		return err
	}

	step("starting a private redis-server")
	rdir := filepath.Join(dir, "redis")
	if err := os.Mkdir(rdir, 0o700); err != nil {
		return err
	}
	srv, err := redisserver.Start(ctx, rdir)
	if err != nil {
		return err
	}
	defer srv.Stop()
	fmt.Printf("redis-server on %s (data in %s)\n", srv.Addr, rdir)

	env := append(os.Environ(), "TOOLQ_REDIS_URL="+srv.URL(), "TOOLQ_DIAGNOSTIC_TOOLS=1")
	step("starting a worker (diagnostic tools on, so the demo can misbehave on purpose)")
	worker := exec.Command(filepath.Join(dir, "worker"))
	worker.Env = append(env, "TOOLQ_LOG_LEVEL=warn")
	worker.Stdout, worker.Stderr = os.Stdout, os.Stderr
	if err := worker.Start(); err != nil {
		return err
	}
	stopped := false
	stopWorker := func() {
		if stopped {
			return
		}
		stopped = true
		_ = worker.Process.Signal(syscall.SIGTERM)
		_ = worker.Wait()
	}
	defer stopWorker()

	enqueue := func(title string, args ...string) error {
		step("%s", title)
		fmt.Printf("$ enqueue %s\n", strings.Join(quote(args), " "))
		cmd := exec.CommandContext(ctx, filepath.Join(dir, "enqueue"), args...)
		cmd.Env = env
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		err := cmd.Run()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			fmt.Printf("(exit status %d)\n", ee.ExitCode())
			return nil
		}
		return err
	}
	calls := [][]string{
		{"a robust summary that succeeds",
			"--wait", "robust_summary_stats", `{"values": [108, 89.52, 95.16, 101.61, 99.19, 100, 93.55, 97.58, 93.55, 98.39, 88.71]}`},
		{"a PCA with two components",
			"--wait", "fit_pca", `{"data": [[3,4,2,2],[4,3,4,3],[5,5,6,4]], "n_components": 2, "column_names": ["a","b","c","d"]}`},
		{"a call that sleeps past its 1 s deadline: its whole process tree is killed",
			"--wait", "--timeout", "1s", "diag_sleep", `{"seconds": 30}`},
		{"a call that allocates 512 MiB under a 64 MiB limit",
			"--wait", "--memory-mb", "64", "diag_alloc", `{"mb": 512}`},
		{"a call that panics",
			"--wait", "diag_panic"},
		{"a call refused before it is enqueued (schema violation: exit status 2)",
			"--wait", "robust_summary_stats", `{"values": [1, 2, 3], "method": "median"}`},
	}
	for _, c := range calls {
		if err := enqueue(c[0], c[1:]...); err != nil {
			return err
		}
	}
	step("stopping the worker and redis-server")
	stopWorker()
	return nil
}

func quote(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, " {}[]\"'") {
			a = "'" + a + "'"
		}
		out[i] = a
	}
	return out
}

// ensureRedis installs redis-server with apt when it is missing and we are
// root; otherwise it says exactly what to run.
func ensureRedis() error {
	if _, err := exec.LookPath("redis-server"); err == nil {
		return nil
	}
	const install = "apt-get update && apt-get install -y redis-server"
	if os.Geteuid() != 0 {
		return fmt.Errorf("redis-server is not installed; install it with:\n    sudo sh -c '%s'", install)
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		return fmt.Errorf("redis-server is not installed and apt-get is not available; install Redis 7 (redis-server) with your package manager")
	}
	step("installing redis-server (%s)", install)
	cmd := exec.Command("sh", "-c", install)
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return err
	}
	// The package starts a system server; the demo uses its own.
	_ = exec.Command("sh", "-c", "command -v systemctl >/dev/null && systemctl stop redis-server 2>/dev/null || true").Run()
	return nil
}
