// Command gateway is toolq's HTTP front door: a REST API and an MCP
// endpoint over the queue, for callers that are not written in Go and for
// LLM agents.
//
//	gateway [flags]            serve until SIGTERM or SIGINT
//	gateway hash-token         read a secret on stdin, print its SHA-256 (what TOOLQ_GATEWAY_TOKENS holds)
//	gateway new-token NAME     print a fresh random secret and its TOOLQ_GATEWAY_TOKENS entry
//	gateway version
//
// Every flag has an environment variable of the same meaning (TOOLQ_*);
// `gateway --help` lists them. An invalid value stops it with an error
// naming the variable.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set by the Makefile from git describe.
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// Exit statuses.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) > 0 {
		switch args[0] {
		case "version":
			fmt.Fprintln(stdout, version)
			return exitOK
		case "hash-token":
			return hashToken(stdin, stdout, stderr)
		case "new-token":
			return newToken(args[1:], stdout, stderr)
		}
	}
	return serve(ctx, args, stdout, stderr, getenv)
}
