package jobs

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// Reclaim hands calls whose worker died on this host back to the queue at
// once. ids are the calls the sandbox found (and killed) in a dead worker's
// cgroups at start-up; see sandbox.Sandbox.Swept.
//
// asynq notices a dead worker only when the task's lease has been expired
// for 30 s, and its recoverer looks only once a minute, so a crashed call
// would wait one to two minutes. Here the call is known to be dead (its
// processes were just killed), so its lease is expired now: the recoverer
// that asynq runs when this worker's server starts retries it straight away
// (RetryDelay answers a lost lease with one second).
//
// This writes asynq's lease set, asynq:{<queue>}:lease (internal/base in
// asynq v0.26), with ZADD XX, so it never creates an entry. Call it before
// starting the server. It returns how many calls it reclaimed.
func (w *Worker) Reclaim(ctx context.Context, ids []string) (int, error) {
	n := 0
	var errs []error
	for _, id := range ids {
		env, err := w.st.get(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if env.State.Final() {
			continue
		}
		key := fmt.Sprintf("asynq:{%s}:lease", env.Queue)
		// Score 0 is long past the recoverer's cutoff.
		if err := w.rdb.ZAddXX(ctx, key, redis.Z{Score: 0, Member: id}).Err(); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
		w.log.InfoContext(ctx, "reclaimed a call of a dead worker", "job_id", id, "queue", env.Queue, "was_worker", env.Worker)
	}
	return n, errors.Join(errs...)
}
