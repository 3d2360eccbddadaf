// Command worker runs toolq tool calls from Redis, each in a sandboxed child
// process with its own cgroup, memory limit and deadline.
//
//	worker [flags]          serve calls until SIGTERM or SIGINT
//	worker doctor [--json]  report what this host can enforce
//
// Every flag has an environment variable of the same meaning (TOOLQ_*);
// `worker --help` lists them. The binary is also its own sandboxed child: the
// worker starts it again with a hidden first argument for every call.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/toolq/toolq/jobs/child"
)

// version is set by the Makefile from git describe.
var version = "dev"

func main() {
	if len(os.Args) > 1 && os.Args[1] == child.Arg {
		os.Exit(child.Main())
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// usageError is a bad command line or configuration: exit status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }

// exitError carries an exit status that was already explained.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func exitCode(err error, stderr io.Writer) int {
	var ue usageError
	var ee exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return int(ee)
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "worker: %v\nTry: worker --help\n", err)
		return 2
	default:
		fmt.Fprintf(stderr, "worker: %v\n", err)
		return 1
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "doctor" {
		return doctor(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "version" {
		fmt.Fprintln(stdout, version)
		return nil
	}
	return serve(ctx, args, stdout, stderr)
}
