package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/toolq/toolq/sandbox"
)

// Reclaim hands calls whose worker died on this host back to the queue at
// once. swept are the calls the sandbox found (and killed) in a dead
// worker's cgroups at start-up; see sandbox.Sandbox.Swept.
//
// asynq notices a dead worker only when the task's lease has been expired
// for 30 s, and its recoverer looks only once a minute, so a crashed call
// would wait one to two minutes. Here the call is known to be dead (its
// processes were just killed), so its lease is expired now: the recoverer
// that asynq runs when this worker's server starts retries it straight away
// (RetryDelay answers a lost lease with one second).
//
// Only a record still running under the dead worker's name is touched: if
// the call has meanwhile been handed to another worker, or finished, or the
// cgroup name (sanitised, cut to 64 characters) matches another job, its
// lease is left alone.
//
// This writes asynq's lease set, asynq:{<queue>}:lease (internal/base in
// asynq v0.26), with ZADD XX, so it never creates an entry. Call it before
// starting the server. It returns how many calls it reclaimed.
func (w *Worker) Reclaim(ctx context.Context, swept []sandbox.SweptCall) (int, error) {
	host, _ := os.Hostname()
	n := 0
	var errs []error
	for _, sc := range swept {
		env, err := w.st.get(ctx, sc.ID)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if env.State != Running || env.Worker != defaultName(host, sc.WorkerPID) {
			continue
		}
		key := fmt.Sprintf("asynq:{%s}:lease", env.Queue)
		// Score 0 is long past the recoverer's cutoff.
		if err := w.rdb.ZAddXX(ctx, key, redis.Z{Score: 0, Member: sc.ID}).Err(); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
		w.log.InfoContext(ctx, "reclaimed a call of a dead worker", "job_id", sc.ID, "queue", env.Queue, "was_worker", env.Worker)
	}
	return n, errors.Join(errs...)
}

// Reconcile makes final the records of calls asynq gave up on without
// telling a handler: its recoverer archives a task whose lease expired on
// its last attempt (a worker killed on every try) and calls no
// ErrorHandler. Every interval it looks at the most recently archived tasks
// of the queues and finishes, with code internal, any whose record is not
// final. Run it next to the server; it returns when ctx is done.
func (w *Worker) Reconcile(ctx context.Context, queues []string, interval time.Duration) {
	insp := asynq.NewInspectorFromRedisClient(w.rdb)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		for _, q := range queues {
			w.reconcileQueue(ctx, insp, q)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// reconcileQueue checks the newest archived tasks of a queue (archives are
// listed oldest first, so it reads the last page).
func (w *Worker) reconcileQueue(ctx context.Context, insp *asynq.Inspector, q string) {
	const page = 200
	info, err := insp.GetQueueInfo(q)
	if err != nil || info.Archived == 0 {
		return
	}
	last := (info.Archived + page - 1) / page
	tasks, err := insp.ListArchivedTasks(q, asynq.PageSize(page), asynq.Page(last))
	if err != nil {
		return
	}
	if last > 1 && len(tasks) < page/2 {
		// The last page may be nearly empty; read the one before too.
		if more, err := insp.ListArchivedTasks(q, asynq.PageSize(page), asynq.Page(last-1)); err == nil {
			tasks = append(more, tasks...)
		}
	}
	for _, ti := range tasks {
		if !strings.HasPrefix(ti.Type, TaskPrefix) {
			continue
		}
		var call Call
		if json.Unmarshal(ti.Payload, &call) != nil || call.ID == "" {
			continue
		}
		env, err := w.st.get(ctx, call.ID)
		if err != nil || env.State.Final() {
			continue
		}
		w.giveUp(ctx, &call, ti.Retried+1, errors.New(ti.LastErr))
	}
}
