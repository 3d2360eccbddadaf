package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrNotFound is returned for a job id with no record: it never existed, or
// its retention has passed.
var ErrNotFound = errors.New("jobs: no such job")

// writeUnlessFinal stores a record unless the one already there is final,
// and optionally publishes the id. It is the single place records change,
// which is what makes "first final write wins" hold for every writer (the
// worker's result, a caller's cancellation, a duplicate delivery).
//
// The state is found with a plain search rather than cjson.decode, so that a
// final record holding a large result is never parsed: the encoder writes
// "state" before "result", and inside a JSON string a quote is always
// escaped, so the first `"state":"` is the envelope's own.
var writeUnlessFinal = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if cur then
  local i, j = string.find(cur, '"state":"', 1, true)
  if i then
    local k = string.find(cur, '"', j + 1, true)
    local s = string.sub(cur, j + 1, (k or j + 1) - 1)
    if s == 'succeeded' or s == 'failed' or s == 'cancelled' then
      return 0
    end
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
for n = 3, #ARGV, 2 do
  redis.call('PUBLISH', ARGV[n], ARGV[n + 1])
end
return 1
`)

// store reads and writes job records. Every write sets the record's TTL:
// the call's retention, so a record lives that long after its last change.
type store struct {
	rdb redis.UniversalClient
}

// create writes a new queued record; it reports false when one exists
// already (a resubmission, or a worker that wrote first).
func (s store) create(ctx context.Context, env *Envelope, ttl time.Duration) (bool, error) {
	b, err := json.Marshal(env)
	if err != nil {
		return false, err
	}
	return s.rdb.SetNX(ctx, Key(env.ID), b, ttl).Result()
}

// put writes env unless the record is final and announces the id on the
// given channels. It reports whether it wrote.
func (s store) put(ctx context.Context, env *Envelope, ttl time.Duration, channels ...string) (bool, error) {
	b, err := json.Marshal(env)
	if err != nil {
		return false, err
	}
	args := []any{b, ttl.Milliseconds()}
	for _, ch := range channels {
		args = append(args, ch, env.ID)
	}
	n, err := writeUnlessFinal.Run(ctx, s.rdb, []string{Key(env.ID)}, args...).Int()
	if err != nil {
		return false, fmt.Errorf("jobs: write record %s: %w", env.ID, err)
	}
	return n == 1, nil
}

// finalWriteRetry is how long the write that ends a call keeps trying while
// Redis is unreachable. A result that took seconds to compute should not be
// thrown away (and the call run again) because Redis restarted meanwhile;
// past this bound the error goes back to asynq, whose lease recovers the call.
const finalWriteRetry = 10 * time.Second

// putFinal is put for the write that ends a call: it retries connection
// failures with backoff for up to finalWriteRetry. A retry after a reply was
// lost finds the record final and reports false, which is the truth: the
// first try wrote it and published the id.
func (s store) putFinal(ctx context.Context, env *Envelope, ttl time.Duration, channels ...string) (bool, error) {
	deadline := time.Now().Add(finalWriteRetry)
	wait := 50 * time.Millisecond
	for {
		wrote, err := s.put(ctx, env, ttl, channels...)
		if err == nil || time.Now().Add(wait).After(deadline) {
			return wrote, err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return false, err
		case <-t.C:
		}
		wait = min(2*wait, time.Second)
	}
}

func (s store) get(ctx context.Context, id string) (*Envelope, error) {
	b, err := s.rdb.Get(ctx, Key(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("jobs: read record %s: %w", id, err)
	}
	var env Envelope
	if err := json.Unmarshal(b, &env); err != nil {
		return nil, fmt.Errorf("jobs: decode record %s: %w", id, err)
	}
	return &env, nil
}
