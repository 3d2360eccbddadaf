// Package diag defines the diagnostic tools: tools that misbehave on purpose
// (sleep past a deadline, burn CPU, allocate, fork grandchildren that escape
// their session, panic, flood their output) so that tests and operators can
// prove each sandbox verdict with real processes on a real host.
//
// They are registered only when a worker runs with TOOLQ_DIAGNOSTIC_TOOLS=1;
// they must never be reachable on a production queue.
package diag

import (
	"context"
	"encoding/json"
	"strings"
	"syscall"
	"time"

	"github.com/toolq/toolq/tools/tool"
)

// Category is the category of every diagnostic tool.
const Category = "diagnostic"

// Defs returns the diagnostic tool definitions.
func Defs() []tool.Def {
	return []tool.Def{
		{
			Name: "diag_echo", Category: Category,
			Description: "Return the given value unchanged: {\"value\": value}. The no-op used to measure sandbox overhead.",
			Schema:      []byte(`{"type":"object","properties":{"value":{"description":"any JSON value"}},"additionalProperties":false}`),
			Run: func(_ context.Context, in json.RawMessage) (any, error) {
				var p struct {
					Value json.RawMessage `json:"value"`
				}
				if err := tool.Decode(in, &p); err != nil {
					return nil, err
				}
				if p.Value == nil {
					p.Value = json.RawMessage("null")
				}
				return map[string]any{"value": p.Value}, nil
			},
		},
		{
			Name: "diag_sleep", Category: Category,
			Description: "Sleep for the given number of seconds without using CPU, then return {\"slept\": seconds}.",
			Schema:      []byte(`{"type":"object","properties":{"seconds":{"type":"number","minimum":0,"maximum":3600}},"required":["seconds"],"additionalProperties":false}`),
			Run: func(ctx context.Context, in json.RawMessage) (any, error) {
				var p struct{ Seconds float64 }
				if err := tool.Decode(in, &p); err != nil {
					return nil, err
				}
				t := time.NewTimer(seconds(p.Seconds))
				defer t.Stop()
				select {
				case <-t.C:
				case <-ctx.Done():
					return nil, ctx.Err()
				}
				return map[string]any{"slept": p.Seconds}, nil
			},
		},
		{
			Name: "diag_spin", Category: Category,
			Description: "Burn CPU on one core for the given number of seconds, then return {\"spun\": seconds, \"iterations\": n}.",
			Schema:      []byte(`{"type":"object","properties":{"seconds":{"type":"number","minimum":0,"maximum":3600}},"required":["seconds"],"additionalProperties":false}`),
			Run: func(ctx context.Context, in json.RawMessage) (any, error) {
				var p struct{ Seconds float64 }
				if err := tool.Decode(in, &p); err != nil {
					return nil, err
				}
				end := time.Now().Add(seconds(p.Seconds))
				n, x := 0, uint64(1)
				for time.Now().Before(end) && ctx.Err() == nil {
					for i := 0; i < 10000; i++ {
						x = x*6364136223846793005 + 1442695040888963407
					}
					n++
				}
				return map[string]any{"spun": p.Seconds, "iterations": n, "state": x % 2}, nil
			},
		},
		{
			Name: "diag_alloc", Category: Category,
			Description: "Allocate the given number of MiB, touch every page so it is really resident, hold it, and return {\"allocated_mb\": mb}.",
			Schema:      []byte(`{"type":"object","properties":{"mb":{"type":"integer","minimum":0,"maximum":1048576}},"required":["mb"],"additionalProperties":false}`),
			Run: func(_ context.Context, in json.RawMessage) (any, error) {
				var p struct{ MB int }
				if err := tool.Decode(in, &p); err != nil {
					return nil, err
				}
				// Allocate in 16 MiB chunks and touch each page, so memory
				// grows gradually the way a real computation's does and the
				// limit is hit mid-way rather than by one huge mapping.
				const chunk = 16 << 20
				var held [][]byte
				remaining := int64(p.MB) << 20
				for remaining > 0 {
					n := int64(chunk)
					if remaining < n {
						n = remaining
					}
					b := make([]byte, n)
					for i := 0; i < len(b); i += 4096 {
						b[i] = 1
					}
					held = append(held, b)
					remaining -= n
				}
				sum := 0
				for _, b := range held {
					sum += int(b[0])
				}
				return map[string]any{"allocated_mb": p.MB, "chunks": sum}, nil
			},
		},
		{
			Name: "diag_fork", Category: Category,
			Description: "Start the given number of grandchild processes, each in a session of its own (so a process-group kill misses them), sleeping for the given seconds; return at once with their pids. Proves that a timeout or the end of a call kills every descendant.",
			Schema:      []byte(`{"type":"object","properties":{"children":{"type":"integer","minimum":1,"maximum":64},"seconds":{"type":"number","minimum":0,"maximum":3600},"wait":{"type":"boolean","description":"after starting them, sleep as long as they do (default false)"}},"required":["children","seconds"],"additionalProperties":false}`),
			Run: func(ctx context.Context, in json.RawMessage) (any, error) {
				var p struct {
					Children int
					Seconds  float64
					Wait     bool
				}
				if err := tool.Decode(in, &p); err != nil {
					return nil, err
				}
				pids, err := forkSleepers(p.Children, seconds(p.Seconds))
				if err != nil {
					return nil, tool.Errorf("fork failed after %d children: %v", len(pids), err).With("pids", pids)
				}
				if p.Wait {
					t := time.NewTimer(seconds(p.Seconds))
					defer t.Stop()
					select {
					case <-t.C:
					case <-ctx.Done():
					}
				}
				return map[string]any{"pids": pids}, nil
			},
		},
		{
			Name: "diag_panic", Category: Category,
			Description: "Panic. The child process dies with a Go panic, which the worker reports as tool_crashed.",
			Schema:      []byte(`{"type":"object","properties":{},"additionalProperties":false}`),
			Run: func(context.Context, json.RawMessage) (any, error) {
				panic("diag_panic: deliberate panic")
			},
		},
		{
			Name: "diag_output", Category: Category,
			Description: "Return a result holding the given number of MiB of text ({\"data\": \"xxxx…\"}), to exercise the output cap.",
			Schema:      []byte(`{"type":"object","properties":{"mb":{"type":"number","minimum":0,"maximum":65536}},"required":["mb"],"additionalProperties":false}`),
			Run: func(_ context.Context, in json.RawMessage) (any, error) {
				var p struct{ MB float64 }
				if err := tool.Decode(in, &p); err != nil {
					return nil, err
				}
				return map[string]any{"data": strings.Repeat("x", int(p.MB*(1<<20)))}, nil
			},
		},
		{
			Name: "diag_inspect", Category: Category,
			Description: "Report what the child process can see and do: its uid, gid and groups, environment, open descriptors, rlimits, no_new_privs, working directory and network interfaces; optionally whether it can open a TCP connection to connect (host:port) and create each file in create. Proves the sandbox's hardening from inside a real child.",
			Schema:      []byte(`{"type":"object","properties":{"connect":{"type":"string","maxLength":300},"create":{"type":"array","items":{"type":"string","maxLength":4096},"maxItems":16}},"additionalProperties":false}`),
			Run:         inspect,
		},
		{
			Name: "diag_kill", Category: Category,
			Description: "Send the child process a signal (default SIGKILL), as a crash that is not a memory kill would. A child that is the init of its own PID namespace (a root worker's) cannot SIGKILL or SIGSTOP itself: the kernel drops those; it then reports a tool_error, and a signal it handles, such as 6 (SIGABRT), still ends it.",
			Schema:      []byte(`{"type":"object","properties":{"signal":{"type":"integer","minimum":1,"maximum":64}},"additionalProperties":false}`),
			Run: func(_ context.Context, in json.RawMessage) (any, error) {
				p := struct{ Signal int }{Signal: int(syscall.SIGKILL)}
				if err := tool.Decode(in, &p); err != nil {
					return nil, err
				}
				_ = syscall.Kill(syscall.Getpid(), syscall.Signal(p.Signal))
				time.Sleep(time.Second)
				return nil, tool.Errorf("still alive after signal %d (pid %d)", p.Signal, syscall.Getpid())
			},
		},
	}
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
