package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/toolq/toolq/jobs"
)

// observer watches the calls of the run from outside, as a caller would:
// it counts the toolq:done announcements of each id and keeps the first
// final record it reads, so that a later change can be told.
type observer struct {
	rdb redis.UniversalClient

	mu      sync.Mutex
	pending map[string]bool
	final   map[string][]byte
	done    map[string]int
}

func newObserver(rdb redis.UniversalClient) *observer {
	return &observer{rdb: rdb, pending: map[string]bool{}, final: map[string][]byte{}, done: map[string]int{}}
}

// listen counts announcements and polls records until ctx ends. The
// subscription reconnects by itself after a Redis restart; what it misses
// meanwhile only makes the duplicate count a lower bound, and the record
// comparison catches an overwrite either way.
func (o *observer) listen(ctx context.Context) {
	ps := o.rdb.Subscribe(ctx, jobs.DoneChannel)
	defer ps.Close()
	go func() {
		for m := range ps.Channel() {
			o.mu.Lock()
			o.done[m.Payload]++
			o.mu.Unlock()
		}
	}()
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			o.poll(ctx)
		}
	}
}

func (o *observer) track(id string) {
	o.mu.Lock()
	o.pending[id] = true
	o.mu.Unlock()
}

// poll reads the records of the calls not yet seen final.
func (o *observer) poll(ctx context.Context) {
	o.mu.Lock()
	ids := make([]string, 0, len(o.pending))
	for id := range o.pending {
		ids = append(ids, id)
	}
	o.mu.Unlock()
	for len(ids) > 0 {
		n := min(len(ids), 500)
		chunk := ids[:n]
		ids = ids[n:]
		keys := make([]string, n)
		for i, id := range chunk {
			keys[i] = jobs.Key(id)
		}
		vals, err := o.rdb.MGet(ctx, keys...).Result()
		if err != nil {
			return // Redis is restarting; the next tick tries again
		}
		for i, v := range vals {
			s, ok := v.(string)
			if !ok {
				continue
			}
			if stateOf([]byte(s)).Final() {
				o.mu.Lock()
				delete(o.pending, chunk[i])
				o.final[chunk[i]] = []byte(s)
				o.mu.Unlock()
			}
		}
	}
}

func stateOf(b []byte) jobs.State {
	var env struct {
		State jobs.State `json:"state"`
	}
	_ = json.Unmarshal(b, &env)
	return env.State
}

// waitAll waits until every tracked call is final, or d passes.
func (o *observer) waitAll(ctx context.Context, d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		o.mu.Lock()
		left := len(o.pending)
		o.mu.Unlock()
		if left == 0 {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("%d calls were not final %s after the window", left, d)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (o *observer) first(id string) ([]byte, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	b, ok := o.final[id]
	return b, ok
}

func (o *observer) dones(id string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.done[id]
}

func newInspector(rdb redis.UniversalClient) *asynq.Inspector {
	return asynq.NewInspectorFromRedisClient(rdb)
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
