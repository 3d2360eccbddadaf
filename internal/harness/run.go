package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/redis/go-redis/v9"
)

// Run is the life of a long run: a context that SIGINT and SIGTERM cancel,
// a temporary directory with bin/, logs/ and redis/ in it, kept for a
// post-mortem unless the run passed (or kept anyway with keep), and exit
// status 1 when body fails or errs. go-redis's own log of failed dials is
// silenced: the runs restart Redis on purpose, and say what matters.
func Run(name string, keep bool, body func(ctx context.Context, dir string) (passed bool, err error)) {
	redis.SetLogger(quiet{})
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	passed, err := run(ctx, name, keep, body)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
	}
	if err != nil || !passed {
		os.Exit(1)
	}
}

func run(ctx context.Context, name string, keep bool, body func(context.Context, string) (bool, error)) (bool, error) {
	dir, err := os.MkdirTemp("", "toolq-"+name+"-")
	if err != nil {
		return false, err
	}
	if err := Mkdirs(filepath.Join(dir, "bin"), filepath.Join(dir, "logs"), filepath.Join(dir, "redis")); err != nil {
		return false, err
	}
	passed, err := body(ctx, dir)
	if passed && err == nil && !keep {
		os.RemoveAll(dir)
	} else {
		fmt.Fprintf(os.Stderr, "%s: logs and Redis files kept in %s\n", name, dir)
	}
	return passed, err
}

type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

// WriteReport writes v as indented JSON to path, making its directory.
func WriteReport(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
