// Package child is the inside of a sandboxed call: what the child process
// runs. It reads one Request on stdin, runs the tool in-process and writes
// one Response on stdout.
//
// It is kept apart from package jobs so that a binary holding only the child
// (cmd/toolq-child) links neither Redis nor the queue: every call starts a
// process, and a smaller binary starts faster (see Main).
package child

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/sandbox"
	"github.com/toolq/toolq/tools"
)

// Arg is the hidden first argument that makes the worker binary run as a
// sandboxed child instead of a worker.
const Arg = "__toolq_child"

// Request is what a worker writes on the child's stdin.
type Request struct {
	Tool        string          `json:"tool"`
	Input       json.RawMessage `json:"input"`
	Diagnostics bool            `json:"diagnostics,omitempty"`
}

// Response is what the child writes on its stdout: exactly one of Result
// and Error.
type Response struct {
	Result json.RawMessage `json:"result,omitempty"`
	Error  *errcode.Error  `json:"error,omitempty"`
}

// Main is the child side of a sandboxed call. The worker binary calls it,
// and exits with its return value, when started with Arg; so does
// cmd/toolq-child, a binary that holds nothing else and starts in about half
// the time (TOOLQ_CHILD_BINARY). It waits at the sandbox gate, reads one
// request from stdin, runs the tool in this process and writes one response
// on stdout. A panic is deliberately not recovered: the child dies, and the
// worker reports tool_crashed.
func Main() int {
	sandbox.ChildInit()
	code := serveChild(os.Stdin, os.Stdout)
	sandbox.ChildExit(code)
	return code
}

func serveChild(in io.Reader, out io.Writer) int {
	var req Request
	b, err := io.ReadAll(in)
	if err == nil {
		err = json.Unmarshal(b, &req)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "toolq child: bad request: %v\n", err)
		return 2
	}
	reg := tools.Standard()
	if req.Diagnostics {
		reg = tools.WithDiagnostics()
	}
	var resp Response
	result, err := reg.Execute(context.Background(), req.Tool, req.Input)
	if err != nil {
		resp.Error = errcode.As(err)
	} else {
		resp.Result = result
	}
	if err := json.NewEncoder(out).Encode(resp); err != nil {
		fmt.Fprintf(os.Stderr, "toolq child: write response: %v\n", err)
		return 3
	}
	return 0
}
