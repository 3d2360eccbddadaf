// Command toolq-child is the inside of a sandboxed call and nothing else:
// the tools, without Redis or the queue. A worker normally re-executes its
// own binary for every call; pointed at this one (TOOLQ_CHILD_BINARY) it
// starts each call's process in about half the time, because the binary is
// a fifth of the size. Build it from the same commit as the worker.
package main

import (
	"fmt"
	"os"

	"github.com/toolq/toolq/jobs/child"
)

func main() {
	if len(os.Args) < 2 || os.Args[1] != child.Arg {
		fmt.Fprintln(os.Stderr, "toolq-child runs one sandboxed tool call for a toolq worker; it is not meant to be run by hand (see TOOLQ_CHILD_BINARY)")
		os.Exit(2)
	}
	os.Exit(child.Main())
}
