// Command soak is `make soak`: a sustained load at the highest rate this
// machine holds, for ten minutes by default, reporting throughput, latency
// and the worker's resources over time, and failing on growth.
//
// It builds the worker and the lean child, starts a private Redis and the
// workers (with their Prometheus metrics on loopback), and then:
//
//  1. probes: for -probe, as many callers as the workers have sandbox slots
//     (times two) submit and wait in a closed loop; the rate they reach is
//     the machine's capacity for this mix of calls;
//  2. soaks: for -duration, calls arrive on a fixed schedule (an open loop,
//     so a falling-behind system shows as latency, not as a lower offered
//     rate) at -load times that capacity;
//  3. every -sample it prints one row: completed calls per second, p50 and
//     p99 of submit-to-final latency, failures, and per worker its resident
//     memory, goroutines, open files and live call cgroups;
//  4. at the end, with the load off, it compares the idle workers with their
//     idle state before the soak: goroutines, open files and cgroups must be
//     back where they were, and resident memory within a quarter (plus 16
//     MiB) of it. Any growth, any failed call, fewer than 95 % of the offered
//     calls completed within the window, or more than 5 s of load still in
//     flight when it closes (the rate was not held) fails the run.
//
// The calls are the examples of every tool in the standard registry (the
// same inputs the end-to-end tests and the chaos run use), chosen in turn.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/toolq/toolq/internal/harness"
	"github.com/toolq/toolq/internal/redisserver"
	"github.com/toolq/toolq/jobs"
	"github.com/toolq/toolq/tools"
)

type config struct {
	duration    time.Duration
	probe       time.Duration
	sample      time.Duration
	load        float64
	rate        float64
	workers     int
	concurrency int
	keep        bool
	report      string
}

func main() {
	var c config
	flag.DurationVar(&c.duration, "duration", 10*time.Minute, "how long the sustained load runs")
	flag.DurationVar(&c.probe, "probe", 20*time.Second, "how long the closed-loop capacity probe runs")
	flag.DurationVar(&c.sample, "sample", 10*time.Second, "time between rows of the report")
	flag.Float64Var(&c.load, "load", 0.7, "offered rate as a fraction of the probed capacity")
	flag.Float64Var(&c.rate, "rate", 0, "offered rate in calls per second (0: -load times the probed capacity)")
	flag.IntVar(&c.workers, "workers", 1, "worker processes")
	flag.IntVar(&c.concurrency, "concurrency", 4, "sandboxes per worker")
	flag.BoolVar(&c.keep, "keep", false, "keep the run's directory (worker logs) even when it passes")
	flag.StringVar(&c.report, "report", "", "also write the figures as JSON to this file")
	flag.Parse()
	harness.Run("soak", c.keep, func(ctx context.Context, dir string) (bool, error) { return run(ctx, c, dir) })
}

// sample is one row of the report.
type sample struct {
	At         float64 // seconds into the soak
	PerSecond  float64 // calls that became final per second
	P50MS      float64
	P99MS      float64
	Failed     int // calls that did not succeed in this interval
	InFlight   int64
	RSSMiB     []float64 // per worker
	Goroutines []int
	OpenFiles  []int
	Cgroups    []int
	RedisMiB   float64
}

// idle is a worker's state with no load.
type idle struct {
	RSS        int64
	Goroutines int
	OpenFiles  int
	Cgroups    int
}

type figures struct {
	Workers, Concurrency int
	CapacityPerSecond    float64
	OfferedPerSecond     float64
	Duration             string
	Submitted, Succeeded int
	Failed               int
	// AchievedPerSecond counts the calls that became final within the
	// window; BacklogAtEnd is how many were still in flight when it closed.
	AchievedPerSecond   float64
	BacklogAtEnd        int64
	P50MS, P99MS, MaxMS float64
	Samples             []sample
	Before, After       []idle
	Problems            []string
}

func run(ctx context.Context, c config, dir string) (bool, error) {
	bin := filepath.Join(dir, "bin")
	say("building the worker and the lean child")
	if err := harness.Build(ctx, bin, "worker", "toolq-child"); err != nil {
		return false, err
	}
	srv, err := redisserver.Start(ctx, filepath.Join(dir, "redis"))
	if err != nil {
		return false, err
	}
	defer srv.Stop()

	var workers []*harness.Process
	var metricsAddrs []string
	defer func() {
		for _, w := range workers {
			w.Stop(30 * time.Second)
		}
	}()
	for i := range c.workers {
		addr, err := harness.FreeAddr()
		if err != nil {
			return false, err
		}
		env := []string{
			"TOOLQ_REDIS_URL=" + srv.URL(), "PATH=" + os.Getenv("PATH"),
			"TOOLQ_LOG_FORMAT=json",
			"TOOLQ_CONCURRENCY=" + strconv.Itoa(c.concurrency),
			"TOOLQ_CHILD_BINARY=" + filepath.Join(bin, "toolq-child"),
			"TOOLQ_METRICS_ADDR=" + addr,
		}
		if m := os.Getenv("TOOLQ_SANDBOX"); m != "" {
			env = append(env, "TOOLQ_SANDBOX="+m)
		}
		w, err := harness.StartWorker(filepath.Join(bin, "worker"), env, filepath.Join(dir, "logs", fmt.Sprintf("worker%d.log", i)))
		if w != nil {
			workers = append(workers, w)
		}
		if err != nil {
			return false, err
		}
		metricsAddrs = append(metricsAddrs, addr)
	}

	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, PoolSize: 256})
	defer rdb.Close()
	// Results are kept two minutes, not a day, so that Redis's memory
	// levels off over the soak instead of growing with every call.
	client := jobs.NewClient(rdb, &jobs.ClientOptions{ResultTTL: 2 * time.Minute, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	defer client.Close()
	calls := examples()
	var next atomic.Uint64
	pick := func() [2]string { return calls[int(next.Add(1))%len(calls)] }

	probe := func(d time.Duration) (float64, error) {
		pctx, cancel := context.WithTimeout(ctx, d)
		defer cancel()
		var n atomic.Int64
		var firstErr atomic.Value
		var wg sync.WaitGroup
		start := time.Now()
		for range 2 * c.workers * c.concurrency {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for pctx.Err() == nil {
					call := pick()
					if _, err := submitWait(pctx, client, call); err != nil {
						if pctx.Err() == nil {
							firstErr.CompareAndSwap(nil, err)
						}
						return
					}
					n.Add(1)
				}
			}()
		}
		wg.Wait()
		if err, _ := firstErr.Load().(error); err != nil {
			return 0, err
		}
		return float64(n.Load()) / time.Since(start).Seconds(), nil
	}
	say("warming up and probing capacity for %s (%d callers in a closed loop)", c.probe, 2*c.workers*c.concurrency)
	if _, err := probe(c.probe / 4); err != nil {
		return false, fmt.Errorf("warm-up: %w", err)
	}
	capacity, err := probe(c.probe)
	if err != nil {
		return false, fmt.Errorf("probe: %w", err)
	}
	var fig figures
	fig.Workers, fig.Concurrency, fig.Duration = c.workers, c.concurrency, c.duration.String()
	fig.CapacityPerSecond = capacity
	fig.OfferedPerSecond = c.rate
	if c.rate <= 0 {
		fig.OfferedPerSecond = c.load * capacity
	}
	time.Sleep(3 * time.Second)
	if fig.Before, err = idleState(workers, metricsAddrs); err != nil {
		return false, err
	}

	say("capacity %.0f calls/s; offering %.0f calls/s for %s", capacity, fig.OfferedPerSecond, c.duration)
	fmt.Printf("%7s %8s %8s %8s %6s %6s  %s\n", "t (s)", "calls/s", "p50 ms", "p99 ms", "failed", "queue", "per worker: RSS MiB / goroutines / open files / call cgroups; Redis MiB")
	var (
		mu        sync.Mutex
		latencies []time.Duration // this interval's
		all       []time.Duration
		failed    int
		failures  []string
		inflight  atomic.Int64
		inWindow  int
		open      atomic.Bool
		wg        sync.WaitGroup
	)
	open.Store(true)
	sctx, stopLoad := context.WithCancel(ctx)
	interval := time.Duration(float64(time.Second) / fig.OfferedPerSecond)
	t0 := time.Now()
	go func() {
		for i := 0; ; i++ {
			if d := time.Until(t0.Add(time.Duration(i) * interval)); d > 0 {
				select {
				case <-sctx.Done():
					return
				case <-time.After(d):
				}
			}
			if sctx.Err() != nil {
				return
			}
			wg.Add(1)
			inflight.Add(1)
			mu.Lock()
			fig.Submitted++
			mu.Unlock()
			go func() {
				defer wg.Done()
				defer inflight.Add(-1)
				call := pick()
				cctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
				defer cancel()
				took, err := submitWait(cctx, client, call)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					failed++
					if len(failures) < 10 {
						failures = append(failures, fmt.Sprintf("%s: %v", call[0], err))
					}
					return
				}
				fig.Succeeded++
				if open.Load() {
					inWindow++
				}
				latencies = append(latencies, took)
			}()
		}
	}()
	ticker := time.NewTicker(c.sample)
	last := time.Now()
	for done := false; !done; {
		select {
		case <-ctx.Done():
			done = true
		case now := <-ticker.C:
			mu.Lock()
			lat := latencies
			latencies = nil
			f := failed
			failed = 0
			fig.Failed += f
			mu.Unlock()
			all = append(all, lat...)
			s := sample{
				At: now.Sub(t0).Seconds(), PerSecond: float64(len(lat)) / now.Sub(last).Seconds(),
				P50MS: pct(lat, 0.50), P99MS: pct(lat, 0.99), Failed: f, InFlight: inflight.Load(),
			}
			last = now
			for i, w := range workers {
				rss, _ := harness.RSS(w.Pid())
				g, _ := goroutines(metricsAddrs[i])
				fds, _ := harness.OpenFiles(w.Pid())
				_, cg := harness.Cgroups([]int{w.Pid()})
				s.RSSMiB = append(s.RSSMiB, float64(rss)/(1<<20))
				s.Goroutines = append(s.Goroutines, g)
				s.OpenFiles = append(s.OpenFiles, fds)
				s.Cgroups = append(s.Cgroups, len(cg))
			}
			s.RedisMiB = redisMiB(ctx, rdb)
			fig.Samples = append(fig.Samples, s)
			var per []string
			for i := range workers {
				per = append(per, fmt.Sprintf("%.0f / %d / %d / %d", s.RSSMiB[i], s.Goroutines[i], s.OpenFiles[i], s.Cgroups[i]))
			}
			fmt.Printf("%7.0f %8.1f %8.1f %8.1f %6d %6d  %s; %.1f\n", s.At, s.PerSecond, s.P50MS, s.P99MS, s.Failed, s.InFlight, strings.Join(per, " | "), s.RedisMiB)
			if now.Sub(t0) >= c.duration {
				done = true
			}
		}
	}
	ticker.Stop()
	stopLoad()
	open.Store(false)
	soaked := time.Since(t0)
	fig.BacklogAtEnd = inflight.Load()
	// The calls still in flight finish (their own timeouts bound this).
	wg.Wait()
	mu.Lock()
	all = append(all, latencies...)
	fig.Failed += failed
	mu.Unlock()
	fig.AchievedPerSecond = float64(inWindow) / soaked.Seconds()
	fig.P50MS, fig.P99MS = pct(all, 0.50), pct(all, 0.99)
	if len(all) > 0 {
		fig.MaxMS = float64(slices.Max(all).Microseconds()) / 1000
	}

	time.Sleep(5 * time.Second)
	if fig.After, err = idleState(workers, metricsAddrs); err != nil {
		return false, err
	}
	var problems []string
	if fig.Failed > 0 {
		problems = append(problems, fmt.Sprintf("%d calls failed, e.g.:\n    %s", fig.Failed, strings.Join(failures, "\n    ")))
	}
	if ctx.Err() != nil {
		problems = append(problems, "interrupted")
	}
	if fig.AchievedPerSecond < 0.95*fig.OfferedPerSecond {
		problems = append(problems, fmt.Sprintf("fell behind: %.1f calls/s completed of %.1f offered", fig.AchievedPerSecond, fig.OfferedPerSecond))
	}
	if float64(fig.BacklogAtEnd) > 5*fig.OfferedPerSecond {
		problems = append(problems, fmt.Sprintf("did not hold the rate: %d calls (%.0f s of load) still in flight when the window closed",
			fig.BacklogAtEnd, float64(fig.BacklogAtEnd)/fig.OfferedPerSecond))
	}
	for i := range workers {
		b, a := fig.Before[i], fig.After[i]
		if a.Goroutines > b.Goroutines+2 {
			problems = append(problems, fmt.Sprintf("worker %d: %d goroutines idle after the soak, %d before", i, a.Goroutines, b.Goroutines))
		}
		if a.OpenFiles > b.OpenFiles+2 {
			problems = append(problems, fmt.Sprintf("worker %d: %d open files idle after the soak, %d before", i, a.OpenFiles, b.OpenFiles))
		}
		if a.Cgroups != 0 {
			problems = append(problems, fmt.Sprintf("worker %d: %d call cgroups left with no call running", i, a.Cgroups))
		}
		if a.RSS > harness.RSSBound(b.RSS) {
			problems = append(problems, fmt.Sprintf("worker %d: resident memory %d MiB idle after the soak, %d MiB before", i, a.RSS>>20, b.RSS>>20))
		}
	}
	fig.Problems = problems
	for _, p := range problems {
		fmt.Fprintln(os.Stderr, "  "+p)
	}
	for i := range workers {
		b, a := fig.Before[i], fig.After[i]
		fmt.Printf("worker %d idle before → after: RSS %d → %d MiB, goroutines %d → %d, open files %d → %d, call cgroups %d → %d\n",
			i, b.RSS>>20, a.RSS>>20, b.Goroutines, a.Goroutines, b.OpenFiles, a.OpenFiles, b.Cgroups, a.Cgroups)
	}
	fmt.Printf("soak: %s at %.1f calls/s offered (%.0f%% of the %.1f/s probed): %d succeeded, %d failed, %.1f/s within the window, %d in flight at its end, p50 %.1f ms, p99 %.1f ms, max %.1f ms; %s\n",
		soaked.Round(time.Second), fig.OfferedPerSecond, 100*fig.OfferedPerSecond/capacity, capacity,
		fig.Succeeded, fig.Failed, fig.AchievedPerSecond, fig.BacklogAtEnd, fig.P50MS, fig.P99MS, fig.MaxMS, verdict(problems))
	if c.report != "" {
		if err := harness.WriteReport(c.report, fig); err != nil {
			return false, err
		}
	}
	return len(problems) == 0, nil
}

func verdict(problems []string) string {
	if len(problems) == 0 {
		return "no growth"
	}
	return fmt.Sprintf("%d problems", len(problems))
}

// examples are [tool, input] for every tool of the standard registry that
// has an example.
func examples() [][2]string {
	reg := tools.Standard()
	var out [][2]string
	for _, name := range reg.Names() {
		if ex := reg.Example(name); ex != "" {
			out = append(out, [2]string{name, ex})
		}
	}
	return out
}

// submitWait makes one call and waits for its final record; a call that
// ends other than in success is an error.
func submitWait(ctx context.Context, c *jobs.Client, call [2]string) (time.Duration, error) {
	start := time.Now()
	env, err := c.Submit(ctx, call[0], []byte(call[1]), nil)
	if err != nil {
		return 0, err
	}
	env, err = c.Wait(ctx, env.ID)
	if err != nil {
		return 0, err
	}
	if env.State != jobs.Succeeded {
		return 0, fmt.Errorf("%s %v", env.State, env.Error)
	}
	return time.Since(start), nil
}

func idleState(workers []*harness.Process, addrs []string) ([]idle, error) {
	var out []idle
	for i, w := range workers {
		rss, err := harness.RSS(w.Pid())
		if err != nil {
			return nil, err
		}
		g, err := goroutines(addrs[i])
		if err != nil {
			return nil, err
		}
		fds, err := harness.OpenFiles(w.Pid())
		if err != nil {
			return nil, err
		}
		_, cg := harness.Cgroups([]int{w.Pid()})
		out = append(out, idle{RSS: rss, Goroutines: g, OpenFiles: fds, Cgroups: len(cg)})
	}
	return out, nil
}

// goroutines reads go_goroutines from a worker's /metrics.
func goroutines(addr string) (int, error) {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "go_goroutines "); ok {
			f, err := strconv.ParseFloat(v, 64)
			return int(f), err
		}
	}
	return 0, fmt.Errorf("no go_goroutines at %s", addr)
}

func redisMiB(ctx context.Context, rdb *redis.Client) float64 {
	info, err := rdb.Info(ctx, "memory").Result()
	if err != nil {
		return math.NaN()
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "used_memory:"); ok {
			n, _ := strconv.ParseFloat(v, 64)
			return n / (1 << 20)
		}
	}
	return math.NaN()
}

func pct(d []time.Duration, p float64) float64 {
	if len(d) == 0 {
		return math.NaN()
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(math.Ceil(p*float64(len(s)))) - 1
	return float64(s[max(i, 0)].Microseconds()) / 1000
}

func say(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "soak: %s\n", fmt.Sprintf(format, args...))
}
