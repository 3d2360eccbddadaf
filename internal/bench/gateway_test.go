package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/toolq/toolq/gateway"
	"github.com/toolq/toolq/internal/redisserver"
	"github.com/toolq/toolq/jobs"
	"github.com/toolq/toolq/tools"
)

// gatewayCall is the small call both sides make: a real tool, seven values.
const gatewayCall = `{"values":[10,11,12,10,9,10,50]}`

// BenchmarkGateway measures POST /v1/tools/{name}:call through the real
// gateway (in this process, on a loopback listener, with auth, the rate
// limiter and ownership in Redis) beside the same call made with the Go
// client (Submit then Wait), at 1, 8 and 32 concurrent callers, against one
// worker process with concurrency 2. Each reports calls per second and the
// p50 and p99 latency of one call.
func BenchmarkGateway(b *testing.B) {
	dir := b.TempDir()
	srv, err := redisserver.Start(context.Background(), dir)
	if err != nil {
		b.Skip(err)
	}
	defer srv.Stop()
	worker := exec.Command(workerBin)
	worker.Env = []string{"TOOLQ_REDIS_URL=" + srv.URL(), "TOOLQ_CONCURRENCY=2", "TOOLQ_LOG_LEVEL=warn"}
	var wlog bytes.Buffer
	worker.Stderr = &wlog
	if err := worker.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = worker.Process.Signal(syscall.SIGTERM); _ = worker.Wait() }()
	rdb, err := jobs.NewRedisClient(srv.URL())
	if err != nil {
		b.Fatal(err)
	}
	defer rdb.Close()
	client := jobs.NewClient(rdb, nil)
	defer client.Close()
	const secret = "bench-secret"
	toks, _ := gateway.ParseTokens("bench:" + gateway.HashToken(secret))
	gw, err := gateway.New(gateway.Options{
		Redis: rdb, Client: &jobs.ClientOptions{Registry: tools.Standard()}, Tokens: toks,
		Rate: 1e6, Burst: 1e6, MaxJobs: 10000, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		b.Fatal(err)
	}
	defer gw.Close()
	hs := httptest.NewServer(gw)
	defer hs.Close()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	url := hs.URL + "/v1/tools/median_absolute_deviation:call"

	viaGo := func(ctx context.Context) error {
		env, err := client.Submit(ctx, "median_absolute_deviation", []byte(gatewayCall), nil)
		if err == nil {
			env, err = client.Wait(ctx, env.ID)
		}
		if err == nil && env.State != jobs.Succeeded {
			err = fmt.Errorf("state %s: %v", env.State, env.Error)
		}
		return err
	}
	viaHTTP := func(ctx context.Context) error {
		req, _ := http.NewRequestWithContext(ctx, "POST", url, strings.NewReader(`{"input":`+gatewayCall+`}`))
		req.Header.Set("Authorization", "Bearer "+secret)
		req.Header.Set("Content-Type", "application/json")
		res, err := hc.Do(req)
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !bytes.Contains(body, []byte(`"state":"succeeded"`)) {
			return fmt.Errorf("%d %s", res.StatusCode, body)
		}
		return nil
	}
	// Warm up both paths (and wait for the worker to serve).
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	for _, f := range []func(context.Context) error{viaGo, viaHTTP} {
		if err := f(ctx); err != nil {
			cancel()
			b.Fatalf("warm-up: %v\n%s", err, wlog.String())
		}
	}
	cancel()
	for _, c := range []int{1, 8, 32} {
		for _, side := range []struct {
			name string
			call func(context.Context) error
		}{{"go", viaGo}, {"http", viaHTTP}} {
			b.Run(fmt.Sprintf("%s_c%d", side.name, c), func(b *testing.B) {
				n := max(200, 25*c)
				for b.Loop() {
					load(b, c, n, side.call)
				}
			})
		}
	}
}

// load makes n calls from c concurrent callers and reports calls/s, p50
// and p99.
func load(b *testing.B, c, n int, call func(context.Context) error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	lat := make([]time.Duration, n)
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	start := time.Now()
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				t0 := time.Now()
				if err := call(ctx); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
				lat[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	if first != nil {
		b.Fatal(first)
	}
	slices.Sort(lat)
	b.ReportMetric(float64(n)/el.Seconds(), "calls/s")
	b.ReportMetric(ms(lat[n/2]), "p50-ms")
	b.ReportMetric(ms(lat[n*99/100]), "p99-ms")
}
