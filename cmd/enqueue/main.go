// Command enqueue submits toolq tool calls and reads their results.
//
//	enqueue [flags] TOOL [INPUT]      submit a call (INPUT: JSON, @file.json or -; default {})
//	enqueue get ID                    print a job's envelope
//	enqueue wait ID                   wait for a job and print its final envelope
//	enqueue cancel ID                 cancel a job
//	enqueue tools [NAME]              list the tools, or print one tool's spec
//	enqueue batch FILE.jsonl          submit one {"tool", "input"} per line
//
// Exit status: 0 succeeded (or queued, without --wait); 1 the call finished
// with a typed error; 2 usage error or input rejected before enqueue; 3
// --wait-timeout passed; 4 Redis unreachable.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
