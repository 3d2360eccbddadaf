// Command chaos is `make chaos`: it proves that every call submitted ends in
// exactly one final envelope, with the result it gives when run alone, while
// the machinery under it fails.
//
// It builds the worker, the lean child and the gateway, starts its own Redis
// with an append-only file (appendfsync everysec), three workers and the
// gateway on loopback, runs each kind of call once alone for its reference
// outcome, then submits the calls of the run (real analyses, plus diagnostic
// calls that time out, exceed their memory, panic, fork past their deadline
// and flood their output) at a steady rate through the Go client and the
// gateway. Meanwhile it SIGKILLs a random worker every few seconds and
// restarts it, restarts Redis once, and SIGSTOPs a worker for longer than
// asynq's 30 s lease once. Then it checks every call — final, one final
// envelope that never changes, equal to its reference — and that no process
// or cgroup is left and the witness worker's memory is back to its baseline.
//
// Worker 0 is the witness: never killed or stopped, so its memory before and
// after the run can be compared. The others take the faults.
//
// It prints one line, `chaos: N submitted, N final, 0 lost, 0 duplicated,
// 0 wrong, 0 leaked`, and exits 1 on any miss, keeping its directory (logs,
// Redis files) for a post-mortem.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/toolq/toolq/internal/harness"
	"github.com/toolq/toolq/internal/redisserver"
	"github.com/toolq/toolq/jobs"
	"github.com/toolq/toolq/tools"
)

type config struct {
	calls       int
	workers     int
	concurrency int
	window      time.Duration
	killEvery   time.Duration
	stopFor     time.Duration
	redisDown   time.Duration
	drain       time.Duration
	seed        uint64
	keep        bool
	report      string
}

func main() {
	var c config
	flag.IntVar(&c.calls, "calls", 2000, "calls to submit")
	flag.IntVar(&c.workers, "workers", 3, "worker processes (worker 0 is never faulted)")
	flag.IntVar(&c.concurrency, "concurrency", 4, "sandboxes per worker")
	flag.DurationVar(&c.window, "window", time.Minute, "submissions are spread evenly over this time; faults happen within it")
	flag.DurationVar(&c.killEvery, "kill-every", 4*time.Second, "mean time between SIGKILLs of a random worker (0: none)")
	flag.DurationVar(&c.stopFor, "stop-for", 35*time.Second, "how long one worker stays SIGSTOPped; past asynq's 30 s lease (0: never)")
	flag.DurationVar(&c.redisDown, "redis-down", time.Second, "how long Redis stays down in its one restart (negative: no restart)")
	flag.DurationVar(&c.drain, "drain", 4*time.Minute, "after the window, how long calls may take to become final (crash recovery through asynq's lease takes up to 2 min)")
	flag.Uint64Var(&c.seed, "seed", 1, "seed for the call mix and the fault schedule")
	flag.BoolVar(&c.keep, "keep", false, "keep the run's directory even when it passes")
	flag.StringVar(&c.report, "report", "", "also write the figures as JSON to this file")
	flag.Parse()
	if c.workers < 2 {
		fmt.Fprintln(os.Stderr, "chaos: -workers must be at least 2 (one witness, one to fault)")
		os.Exit(2)
	}
	harness.Run("chaos", c.keep, func(ctx context.Context, dir string) (bool, error) { return run(ctx, c, dir) })
}

// figures are what the run measured; -report writes them as JSON.
type figures struct {
	Config struct {
		Calls, Workers, Concurrency int
		Window, KillEvery, StopFor  string
		RedisDown, Sandbox          string
		Seed                        uint64
	}
	Submitted, Final, Lost, Duplicated, Wrong, Leaked int
	SubmitRetries                                     int
	Kills, Stops, RedisRestarts                       int
	ByTool                                            map[string]int
	ByPath                                            map[string]int
	ReExecuted                                        int     // finished a second time (a superseded write)
	MaxAttempts                                       int     // the most attempts any call took
	DrainSeconds                                      float64 // from the last submission until every call was final
	RunSeconds                                        float64
	WitnessRSSBaseline, WitnessRSSAfter               int64
	Problems                                          []string
}

func run(ctx context.Context, c config, dir string) (bool, error) {
	start := time.Now()
	var fig figures
	fig.Config.Calls, fig.Config.Workers, fig.Config.Concurrency = c.calls, c.workers, c.concurrency
	fig.Config.Window, fig.Config.KillEvery, fig.Config.StopFor = c.window.String(), c.killEvery.String(), c.stopFor.String()
	fig.Config.RedisDown, fig.Config.Seed = c.redisDown.String(), c.seed
	fig.Config.Sandbox = os.Getenv("TOOLQ_SANDBOX")

	s := &stack{dir: dir, bin: filepath.Join(dir, "bin"), concurrency: c.concurrency}
	say("building the worker, the lean child and the gateway")
	if err := harness.Build(ctx, s.bin, "worker", "toolq-child", "gateway"); err != nil {
		return false, err
	}
	say("starting redis-server with appendonly yes, appendfsync everysec")
	var err error
	s.redis, err = redisserver.StartWith(ctx, filepath.Join(dir, "redis"), redisserver.Options{AppendOnly: true})
	if err != nil {
		return false, err
	}
	defer s.redis.Stop()
	s.env = []string{"TOOLQ_REDIS_URL=" + s.redis.URL(), "TOOLQ_DIAGNOSTIC_TOOLS=1", "PATH=" + os.Getenv("PATH")}
	if m := os.Getenv("TOOLQ_SANDBOX"); m != "" {
		s.env = append(s.env, "TOOLQ_SANDBOX="+m)
	}

	rdb := redis.NewClient(&redis.Options{Addr: s.redis.Addr, DialTimeout: 250 * time.Millisecond, MaxRetries: 2})
	defer rdb.Close()
	client := jobs.NewClient(rdb, &jobs.ClientOptions{Registry: tools.WithDiagnostics(), Logger: quietLogger()})
	defer client.Close()

	witness, err := s.startWorker(0)
	if err != nil {
		return false, err
	}
	ts := templates()
	say("reference: each of %d kinds of call, twice, alone on worker 0", len(ts))
	refCtx, cancelRef := context.WithTimeout(ctx, 3*time.Minute)
	err = reference(refCtx, client, ts)
	cancelRef()
	if err != nil {
		return false, err
	}
	time.Sleep(2 * time.Second)
	if fig.WitnessRSSBaseline, err = harness.RSS(witness.Pid()); err != nil {
		return false, err
	}

	for i := 1; i < c.workers; i++ {
		if _, err := s.startWorker(i); err != nil {
			return false, err
		}
	}
	gwAddr, err := harness.FreeAddr()
	if err != nil {
		return false, err
	}
	const token = "chaos-token"
	sum := sha256.Sum256([]byte(token))
	gw, err := harness.StartGateway(filepath.Join(s.bin, "gateway"), append(append([]string{}, s.env...),
		"TOOLQ_GATEWAY_ADDR="+gwAddr,
		"TOOLQ_GATEWAY_TOKENS=chaos:"+hex.EncodeToString(sum[:]),
		"TOOLQ_GATEWAY_RATE=100000", "TOOLQ_GATEWAY_BURST=100000", "TOOLQ_GATEWAY_MAX_JOBS=100000",
		"TOOLQ_LOG_FORMAT=json",
	), gwAddr, filepath.Join(dir, "logs", "gateway.log"))
	if gw != nil {
		defer gw.Stop(15 * time.Second)
	}
	if err != nil {
		return false, err
	}
	// Half the calls come through the gateway, half through the Go client.
	subs := []submitter{clientSubmitter{client}, gatewaySubmitter{url: "http://" + gwAddr, token: token, http: &http.Client{Timeout: 30 * time.Second}}}

	plan := pick(ts, c.calls, c.seed)
	keys := make([]string, len(plan))
	ids := make([]string, len(plan))
	runID := fmt.Sprintf("%x", time.Now().UnixNano())
	for i := range plan {
		keys[i] = fmt.Sprintf("chaos-%s-%05d", runID, i)
	}
	obs := newObserver(rdb)
	go obs.listen(ctx)

	say("submitting %d calls over %s to %d workers (x%d) while faults are injected", c.calls, c.window, c.workers, c.concurrency)
	faultsCtx, stopFaults := context.WithCancel(ctx)
	faultsDone := make(chan struct{})
	var faults faultLog
	go func() {
		defer close(faultsDone)
		inject(faultsCtx, s, c, &faults)
	}()

	var (
		mu        sync.Mutex
		submitted = make([]bool, len(plan))
		problems  []string
	)
	problem := func(format string, args ...any) {
		mu.Lock()
		problems = append(problems, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				sctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
				sub := subs[i%len(subs)]
				id, retries, err := submitRetrying(sctx, sub, keys[i], plan[i])
				cancel()
				mu.Lock()
				fig.SubmitRetries += retries
				mu.Unlock()
				if err != nil {
					problem("submit %s (%s) through the %s: %v", keys[i], plan[i].name, sub.name(), err)
					continue
				}
				mu.Lock()
				submitted[i] = true
				ids[i] = id
				mu.Unlock()
				obs.track(id)
			}
		}()
	}
	interval := c.window / time.Duration(max(1, c.calls))
	t0 := time.Now()
	for i := range plan {
		if d := time.Until(t0.Add(time.Duration(i) * interval)); d > 0 {
			time.Sleep(d)
		}
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	// Faults run to the end of the window, then stop (a stopped worker is
	// continued, a killed one restarted).
	if d := time.Until(t0.Add(c.window)); d > 0 {
		time.Sleep(d)
	}
	stopFaults()
	<-faultsDone
	lastSubmit := time.Now()

	say("waiting up to %s for every call to be final", c.drain)
	if err := obs.waitAll(ctx, c.drain); err != nil {
		problem("%v", err)
	}
	fig.DrainSeconds = time.Since(lastSubmit).Seconds()
	// Late writers (a continued worker, a duplicate delivery) get a moment
	// to try to overwrite what was seen first.
	time.Sleep(3 * time.Second)

	for i, id := range ids {
		if !submitted[i] {
			continue
		}
		fig.Submitted++
		first, ok := obs.first(id)
		if !ok {
			fig.Lost++
			problem("lost: %s (%s) never became final", id, plan[i].name)
			continue
		}
		fig.Final++
		var env jobs.Envelope
		_ = json.Unmarshal(first, &env)
		fig.MaxAttempts = max(fig.MaxAttempts, env.Attempts)
		now, err := rdb.Get(ctx, jobs.Key(id)).Bytes()
		switch {
		case err != nil:
			fig.Lost++
			problem("lost: the final record of %s disappeared: %v", id, err)
		case string(now) != string(first):
			fig.Duplicated++
			problem("duplicated: the final record of %s changed:\n    first %s\n    now   %s", id, first, now)
		case obs.dones(id) > 1:
			fig.Duplicated++
			problem("duplicated: %s was announced final %d times", id, obs.dones(id))
		}
		got := outcomeOf(&env)
		if plan[i].varies {
			got.result = ""
		}
		if got != plan[i].want {
			fig.Wrong++
			problem("wrong: %s (%s, attempt %d): got %s, alone it gives %s", id, plan[i].name, env.Attempts, got, plan[i].want)
		}
	}
	fig.ByTool, fig.ByPath = map[string]int{}, map[string]int{}
	for i, t := range plan {
		if submitted[i] {
			fig.ByTool[t.name]++
			fig.ByPath[subs[i%len(subs)].name()]++
		}
	}

	// The witness's memory, once it is idle again. The Go runtime returns
	// freed memory to the OS gradually, so give it a little while.
	deadline := time.Now().Add(30 * time.Second)
	for {
		fig.WitnessRSSAfter, _ = harness.RSS(witness.Pid())
		if fig.WitnessRSSAfter <= harness.RSSBound(fig.WitnessRSSBaseline) || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Second)
	}
	if fig.WitnessRSSAfter > harness.RSSBound(fig.WitnessRSSBaseline) {
		fig.Leaked++
		problem("leaked: worker 0's memory is %d MiB after the run, %d MiB before it", fig.WitnessRSSAfter>>20, fig.WitnessRSSBaseline>>20)
	}
	// Every task leaves asynq once its call is final, but not at once: a
	// task whose worker was frozen past its lease stays active until a
	// recoverer (every minute, for leases expired 30 s) takes it, runs it
	// again and finds its record final. The live workers run recoverers.
	settle := time.Now().Add(150 * time.Second)
	residue, rerr := queueResidue(rdb)
	for (rerr != nil || residue > 0) && time.Now().Before(settle) && ctx.Err() == nil {
		time.Sleep(time.Second)
		residue, rerr = queueResidue(rdb)
	}
	if rerr != nil || residue > 0 {
		fig.Leaked += residue
		problem("asynq still holds %d tasks 150 s after every call was final (%v)", residue, rerr)
	}
	if err := s.stopAll(30 * time.Second); err != nil {
		problem("%v", err)
	}
	if !gw.Stop(15 * time.Second) {
		problem("the gateway did not stop within 15 s of SIGTERM")
	}
	time.Sleep(200 * time.Millisecond)
	procs, cgroups := s.leftovers()
	for _, p := range procs {
		fig.Leaked++
		problem("leaked process: %s", p)
	}
	for _, g := range cgroups {
		fig.Leaked++
		problem("leaked cgroup: %s", g)
	}

	fig.Kills, fig.Stops, fig.RedisRestarts = faults.counts()
	fig.ReExecuted = harness.CountLines(filepath.Join(dir, "logs", "worker*.log"), `"msg":"job finished"`, `"superseded":true`)
	fig.RunSeconds = time.Since(start).Seconds()
	sort.Strings(problems)
	fig.Problems = problems
	for _, p := range problems {
		fmt.Fprintln(os.Stderr, "  "+p)
	}
	fmt.Printf("faults: %d worker kills, %d worker stopped for %s, %d Redis restarts (down %s); %d submit retries; %d calls re-executed; at most %d attempts; drained %.1f s after the window; witness RSS %d → %d MiB\n",
		fig.Kills, fig.Stops, c.stopFor, fig.RedisRestarts, c.redisDown, fig.SubmitRetries, fig.ReExecuted, fig.MaxAttempts, fig.DrainSeconds, fig.WitnessRSSBaseline>>20, fig.WitnessRSSAfter>>20)
	fmt.Printf("chaos: %d submitted, %d final, %d lost, %d duplicated, %d wrong, %d leaked\n",
		fig.Submitted, fig.Final, fig.Lost, fig.Duplicated, fig.Wrong, fig.Leaked)
	if c.report != "" {
		if err := harness.WriteReport(c.report, fig); err != nil {
			return false, err
		}
	}
	return len(problems) == 0 && fig.Submitted == c.calls && fig.Final == fig.Submitted, nil
}

// queueResidue counts the tasks asynq still holds in any state but
// completed: with every call final there should be none.
func queueResidue(rdb redis.UniversalClient) (int, error) {
	insp := newInspector(rdb)
	qs, err := insp.Queues()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, q := range qs {
		info, err := insp.GetQueueInfo(q)
		if err != nil {
			return n, err
		}
		n += info.Pending + info.Active + info.Scheduled + info.Retry + info.Aggregating
	}
	return n, nil
}

func say(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "chaos: %s\n", fmt.Sprintf(format, args...))
}

// faultLog counts the faults injected.
type faultLog struct {
	mu                    sync.Mutex
	kills, stops, restart int
}

func (f *faultLog) add(k *int) { f.mu.Lock(); *k++; f.mu.Unlock() }

func (f *faultLog) counts() (int, int, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.kills, f.stops, f.restart
}

// inject runs the fault schedule until ctx ends: one SIGSTOP early, one
// Redis restart half way, SIGKILLs throughout. A killed worker is restarted
// at once, as a supervisor would; the stopped one is never killed.
func inject(ctx context.Context, s *stack, c config, log *faultLog) {
	r := rand.New(rand.NewPCG(c.seed, 0xc4a05))
	var wg sync.WaitGroup
	stopped := -1
	var stoppedMu sync.Mutex
	if c.stopFor > 0 {
		victim := 1 + r.IntN(c.workers-1)
		stoppedMu.Lock()
		stopped = victim
		stoppedMu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !sleep(ctx, c.window/10) {
				stoppedMu.Lock()
				stopped = -1
				stoppedMu.Unlock()
				return
			}
			p := s.worker(victim)
			say("SIGSTOP worker %d (pid %d) for %s", victim, p.Pid(), c.stopFor)
			p.Signal(syscall.SIGSTOP)
			log.add(&log.stops)
			// The stop outlasts the window if it must: the point is a
			// lease that expires.
			time.Sleep(c.stopFor)
			p.Signal(syscall.SIGCONT)
			say("SIGCONT worker %d", victim)
			stoppedMu.Lock()
			stopped = -1
			stoppedMu.Unlock()
		}()
	}
	if c.redisDown >= 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !sleep(ctx, c.window/2) {
				return
			}
			say("restarting Redis (SIGTERM, down %s)", c.redisDown)
			if err := s.redis.Restart(context.Background(), c.redisDown); err != nil {
				say("Redis did not come back: %v", err)
				return
			}
			log.add(&log.restart)
		}()
	}
	if c.killEvery > 0 {
		for {
			d := c.killEvery/2 + time.Duration(r.Int64N(int64(c.killEvery)))
			if !sleep(ctx, d) {
				break
			}
			stoppedMu.Lock()
			var pool []int
			for i := 1; i < c.workers; i++ {
				if i != stopped {
					pool = append(pool, i)
				}
			}
			stoppedMu.Unlock()
			if len(pool) == 0 {
				continue
			}
			victim := pool[r.IntN(len(pool))]
			p := s.worker(victim)
			say("SIGKILL worker %d (pid %d)", victim, p.Pid())
			p.Kill()
			log.add(&log.kills)
			if _, err := s.startWorker(victim); err != nil {
				say("restart of worker %d failed: %v", victim, err)
			}
		}
	}
	wg.Wait()
}

// sleep waits d or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
