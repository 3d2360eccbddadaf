package e2e

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/jobs"
	"github.com/toolq/toolq/tools"
)

// TestFrozenWorker: a worker that stops running (SIGSTOP here; a paused VM
// or a starved host in production) while its children go on must neither
// blame its calls for deadlines that passed meanwhile nor accept a result it
// cannot show came in time. A call whose deadline passed while its worker
// was frozen is run again, and only a timeout seen by a running worker is
// final.
func TestFrozenWorker(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	w := e.startWorker()
	rdb := redis.NewClient(&redis.Options{Addr: e.redis.Addr})
	defer rdb.Close()
	c := jobs.NewClient(rdb, &jobs.ClientOptions{Registry: tools.WithDiagnostics()})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// call submits one call, freezes the worker as soon as the call's child
	// runs, resumes it after freeze, and returns the final envelope.
	call := func(input string, timeout, freeze time.Duration) *jobs.Envelope {
		t.Helper()
		env, err := c.Submit(ctx, "diag_sleep", []byte(input), &jobs.SubmitOptions{Timeout: timeout})
		if err != nil {
			t.Fatal(err)
		}
		for len(w.children()) == 0 {
			if ctx.Err() != nil {
				t.Fatalf("the call never started:\n%s", w.logText())
			}
			time.Sleep(5 * time.Millisecond)
		}
		// A child appears at fork, before the worker has returned from
		// starting it; freeze the worker once it supervises the child.
		time.Sleep(150 * time.Millisecond)
		_ = w.cmd.Process.Signal(syscall.SIGSTOP)
		time.Sleep(freeze)
		_ = w.cmd.Process.Signal(syscall.SIGCONT)
		env, err = c.Wait(ctx, env.ID)
		if err != nil {
			t.Fatal(err)
		}
		return env
	}

	// The child sleeps 0.6 s and exits during the freeze; its 1 s deadline
	// passes during the freeze too. On resume both are ready at once, and
	// nothing tells whether the exit came in time: the call runs again.
	env := call(`{"seconds": 0.6}`, time.Second, 3500*time.Millisecond)
	if env.State != jobs.Succeeded || env.Attempts < 2 {
		t.Errorf("call that ended while its worker was frozen: %s attempt %d %+v, want succeeded on a later attempt", env.State, env.Attempts, env.Error)
	}

	// The child sleeps 2 s, past its 1 s deadline, and exits by itself
	// during the freeze: its result came too late and must not count.
	env = call(`{"seconds": 2.5}`, time.Second, 3500*time.Millisecond)
	if env.State != jobs.Failed || env.Error == nil || env.Error.Code != errcode.Timeout || env.Attempts < 2 {
		t.Errorf("call that overran its deadline while its worker was frozen: %s attempt %d %+v, want a timeout on a later attempt", env.State, env.Attempts, env.Error)
	}

	// The child would sleep 30 s; its deadline passes unread during the
	// freeze. The stalled attempt is retried; the next one times out for
	// real.
	env = call(`{"seconds": 30}`, time.Second, 3500*time.Millisecond)
	if env.State != jobs.Failed || env.Error == nil || env.Error.Code != errcode.Timeout || env.Attempts < 2 {
		t.Errorf("call whose deadline passed while its worker was frozen: %s attempt %d %+v, want a timeout on a later attempt", env.State, env.Attempts, env.Error)
	}

	// As the second call, but frozen past asynq's own deadline for the call
	// too (its timeout + 11 s): on resume, asynq's cancellation can be the
	// first thing the worker sees, and the late exit must still not count.
	env = call(`{"seconds": 2.5}`, time.Second, 13*time.Second)
	if env.State != jobs.Failed || env.Error == nil || env.Error.Code != errcode.Timeout || env.Attempts < 2 {
		t.Errorf("call that overran its deadline while its worker was frozen past asynq's deadline: %s attempt %d %+v, want a timeout on a later attempt", env.State, env.Attempts, env.Error)
	}
}
