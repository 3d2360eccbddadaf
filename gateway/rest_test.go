package gateway

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"

	"github.com/toolq/toolq/jobs"
)

var madInput = map[string]any{"values": []float64{10, 11, 12, 10, 9, 10, 50}}

func TestRESTSubmitPollCancel(t *testing.T) {
	t.Parallel()
	h := start(t, nil)

	// Tools.
	r := h.do("GET", "/v1/tools", aliceSecret, nil, nil)
	h.want(r, 200, "")
	if !strings.Contains(string(r.raw), `"name":"median_absolute_deviation"`) || !strings.Contains(string(r.raw), `"input_schema":{`) {
		t.Fatalf("tool list lacks specs: %.300s", r.raw)
	}
	h.want(h.do("GET", "/v1/tools/median_absolute_deviation", aliceSecret, nil, nil), 200, "")
	h.want(h.do("GET", "/v1/tools/nope", aliceSecret, nil, nil), 404, "unknown_tool")

	// Authentication.
	r = h.do("GET", "/v1/tools", "", nil, nil)
	h.want(r, 401, "unauthorized")
	if r.header.Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}
	h.want(h.do("GET", "/v1/tools", "not-a-token", nil, nil), 401, "unauthorized")
	h.want(h.do("GET", "/v1/tools", "", nil, map[string]string{"Authorization": "Basic " + "b3BzOm9wcy1zZWNyZXQtMGM1NWUy"}), 401, "unauthorized")

	// Submit, then long-poll until final.
	r = h.do("POST", "/v1/jobs", aliceSecret, map[string]any{"tool": "median_absolute_deviation", "input": madInput}, nil)
	h.want(r, 202, "")
	id := r.str("id")
	if loc := r.header.Get("Location"); loc != "/v1/jobs/"+id || id == "" {
		t.Fatalf("Location %q for id %q", loc, id)
	}
	r = h.do("GET", "/v1/jobs/"+id+"?wait=20s", aliceSecret, nil, nil)
	h.want(r, 200, "")
	if r.str("state") != "succeeded" || !strings.Contains(string(r.raw), `"mad":1.48260221850560`) {
		t.Fatalf("final envelope: %s", r.raw)
	}

	// Call and wait in one request.
	r = h.do("POST", "/v1/tools/diag_echo:call", aliceSecret, map[string]any{"input": map[string]any{"value": []int{1, 2}}}, nil)
	h.want(r, 200, "")
	if r.str("state") != "succeeded" || !strings.Contains(string(r.raw), `"result":{"value":[1,2]}`) {
		t.Fatalf(":call envelope: %s", r.raw)
	}
	// A typed job error is an envelope with status 200, not an HTTP error.
	r = h.do("POST", "/v1/tools/diag_panic:call", aliceSecret, map[string]any{}, nil)
	h.want(r, 200, "tool_crashed")
	if r.str("state") != "failed" || r.body["result"] != nil {
		t.Fatalf("typed error envelope: %s", r.raw)
	}
	// The caller's own, shorter deadline reaches the sandbox.
	start := time.Now()
	r = h.do("POST", "/v1/tools/diag_sleep:call", aliceSecret, map[string]any{"input": map[string]any{"seconds": 3}, "timeout_s": 0.5}, nil)
	h.want(r, 200, "timeout")
	if el := time.Since(start); el > 2500*time.Millisecond {
		t.Errorf("a 0.5 s deadline took %s", el)
	}

	// A call that outlives the bound is 202; then cancel it.
	r = h.do("POST", "/v1/tools/diag_sleep:call?wait=0.3", aliceSecret, map[string]any{"input": map[string]any{"seconds": 4}}, nil)
	h.want(r, 202, "")
	id = r.str("id")
	if st := r.str("state"); st != "queued" && st != "running" {
		t.Fatalf("202 with state %s", st)
	}
	r = h.do("DELETE", "/v1/jobs/"+id, aliceSecret, nil, nil)
	h.want(r, 200, "cancelled")
	if r.str("state") != "cancelled" {
		t.Fatalf("cancel answered %s", r.raw)
	}
	h.want(h.do("GET", "/v1/jobs/"+id, aliceSecret, nil, nil), 200, "cancelled")
	// Cancelling a final job changes nothing.
	h.want(h.do("DELETE", "/v1/jobs/"+id, aliceSecret, nil, nil), 200, "cancelled")

	// Refusals before enqueue, with their statuses.
	for _, tc := range []struct {
		name, path string
		body       any
		status     int
		code       string
	}{
		{"not JSON", "/v1/jobs", "{", 400, "bad_request"},
		{"two values", "/v1/jobs", `{"tool":"diag_echo"} {}`, 400, "bad_request"},
		{"unknown field", "/v1/jobs", map[string]any{"tool": "diag_echo", "inputs": map[string]any{}}, 400, "bad_request"},
		{"no tool", "/v1/jobs", map[string]any{"input": map[string]any{}}, 400, "bad_request"},
		{"unknown tool", "/v1/jobs", map[string]any{"tool": "nope"}, 404, "unknown_tool"},
		{"schema", "/v1/jobs", map[string]any{"tool": "median_absolute_deviation", "input": map[string]any{"values": "x"}}, 422, "input_invalid"},
		{"extra key", "/v1/tools/median_absolute_deviation:call", map[string]any{"input": map[string]any{"values": []int{1, 2}, "bogus": 1}}, 422, "input_invalid"},
		{"too many cells", "/v1/jobs", map[string]any{"tool": "median_absolute_deviation", "input": map[string]any{"values": make([]int, 1001)}}, 413, "input_too_large"},
		{"timeout above the cap", "/v1/jobs", map[string]any{"tool": "diag_echo", "timeout_s": 99}, 422, "input_invalid"},
		{"zero memory", "/v1/jobs", map[string]any{"tool": "diag_echo", "memory_mb": 0}, 422, "input_invalid"},
		{"queue not served", "/v1/jobs", map[string]any{"tool": "diag_echo", "queue": "nope"}, 422, "input_invalid"},
		{"bad wait", "/v1/tools/diag_echo:call?wait=soon", map[string]any{}, 400, "bad_request"},
		{"no :call", "/v1/tools/diag_echo", map[string]any{}, 404, "not_found"},
		{"unknown tool :call", "/v1/tools/nope:call", map[string]any{}, 404, "unknown_tool"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := *h
			h.t = t
			h.want(h.do("POST", tc.path, aliceSecret, tc.body, nil), tc.status, tc.code)
		})
	}
	if n := testutil.ToFloat64(h.gw.metrics.submitted.WithLabelValues("rest")); n != 5 {
		t.Errorf("%v jobs counted as submitted, want 5 (refusals must enqueue nothing)", n)
	}
	// Nothing refused holds a concurrent-job slot.
	if n := h.rdb.ZCard(context.Background(), activePrefix+"alice").Val(); n != 0 {
		t.Errorf("%d slots still held after every job finished", n)
	}
}

func TestIdempotencyAndTokenIsolation(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	key := map[string]string{"Idempotency-Key": "order-42"}
	body := map[string]any{"tool": "diag_echo", "input": map[string]any{"value": 7}}
	first := h.do("POST", "/v1/jobs", aliceSecret, body, key)
	h.want(first, 202, "")
	again := h.do("POST", "/v1/jobs", aliceSecret, body, key)
	h.want(again, 202, "")
	if again.str("id") != first.str("id") || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("resubmit gave %s (replayed %q), first %s", again.str("id"), again.header.Get("Idempotent-Replayed"), first.str("id"))
	}
	if first.header.Get("Idempotent-Replayed") != "" {
		t.Error("the first submission is marked as a replay")
	}
	// :call with the same key and request waits for the same job.
	call := h.do("POST", "/v1/tools/diag_echo:call", aliceSecret, map[string]any{"input": map[string]any{"value": 7}}, map[string]string{"Idempotency-Key": "order-43"})
	h.want(call, 200, "")
	// The same key for a different request is refused, not answered with
	// the other job.
	h.want(h.do("POST", "/v1/jobs", aliceSecret, map[string]any{"tool": "diag_echo", "input": map[string]any{"value": 8}}, key), 422, "conflict")
	h.want(h.do("POST", "/v1/jobs", aliceSecret, body, map[string]string{"Idempotency-Key": "has space"}), 400, "bad_request")
	if n := testutil.ToFloat64(h.gw.metrics.submitted.WithLabelValues("rest")); n != 2 {
		t.Fatalf("%v jobs enqueued, want 2", n)
	}

	// Bob's key of the same name is his own job.
	bobs := h.do("POST", "/v1/jobs", bobSecret, body, key)
	h.want(bobs, 202, "")
	if bobs.str("id") == first.str("id") {
		t.Fatal("two tokens share a job through an Idempotency-Key")
	}

	// Bob cannot see, wait on or cancel Alice's job: the answer is the one
	// for a job that does not exist.
	id := first.str("id")
	theirs := h.do("GET", "/v1/jobs/"+id, bobSecret, nil, nil)
	h.want(theirs, 404, "not_found")
	none := h.do("GET", "/v1/jobs/"+strings.Repeat("a", len(id)), bobSecret, nil, nil)
	h.want(none, 404, "not_found")
	if strings.ReplaceAll(string(theirs.raw), id, "X") != strings.ReplaceAll(string(none.raw), strings.Repeat("a", len(id)), "X") {
		t.Errorf("another token's job is distinguishable from none:\n%s\n%s", theirs.raw, none.raw)
	}
	h.want(h.do("GET", "/v1/jobs/"+id+"?wait=1s", bobSecret, nil, nil), 404, "not_found")
	h.want(h.do("DELETE", "/v1/jobs/"+id, bobSecret, nil, nil), 404, "not_found")
	h.want(h.do("GET", "/v1/jobs/..%2f..%2fetc", aliceSecret, nil, nil), 404, "not_found")
	r := h.do("GET", "/v1/jobs/"+id+"?wait=20s", aliceSecret, nil, nil)
	h.want(r, 200, "")
	if r.str("state") != "succeeded" {
		t.Fatalf("Alice's job after Bob's attempts: %s", r.raw)
	}
}

// TestLongPollWakesPromptly: a waiting GET answers within 50 ms of the
// job's final write, whoever makes it (the worker finishing, a cancel).
// The moment of the write is when its toolq:done message arrives here (the
// record is set and the message published in one script). It does not run
// in parallel with the other tests, so that their sandboxes starting on a
// small machine do not stand in for the gateway's latency.
func TestLongPollWakesPromptly(t *testing.T) {
	h := start(t, nil)
	const bound = 50 * time.Millisecond
	ctx := context.Background()
	ps := h.rdb.Subscribe(ctx, jobs.DoneChannel)
	defer ps.Close()
	if _, err := ps.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	written := map[string]time.Time{}
	go func() {
		for m := range ps.Channel() {
			mu.Lock()
			written[m.Payload] = time.Now()
			mu.Unlock()
		}
	}()
	lag := func(id string, answered time.Time) time.Duration {
		t.Helper()
		for i := 0; i < 100; i++ {
			mu.Lock()
			at, ok := written[id]
			mu.Unlock()
			if ok {
				return answered.Sub(at)
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatalf("no toolq:done for %s", id)
		return 0
	}
	longPoll := func(id string) chan time.Time {
		answered := make(chan time.Time, 1)
		go func() {
			req, _ := http.NewRequest("GET", h.url+"/v1/jobs/"+id+"?wait=20s", nil)
			req.Header.Set("Authorization", "Bearer "+aliceSecret)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				answered <- time.Time{}
				return
			}
			at := time.Now()
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 200 || !strings.Contains(string(b), `"state":"`) {
				at = time.Time{}
			}
			answered <- at
		}()
		return answered
	}

	// The worker's final write.
	r := h.do("POST", "/v1/jobs", aliceSecret, map[string]any{"tool": "diag_sleep", "input": map[string]any{"seconds": 0.4}}, nil)
	h.want(r, 202, "")
	at := <-longPoll(r.str("id"))
	if at.IsZero() {
		t.Fatal("long-poll failed")
	}
	if l := lag(r.str("id"), at); l > bound {
		t.Errorf("long-poll answered %s after the worker's final write, want ≤ %s", l, bound)
	}

	// A cancel from another client is a final write too.
	r = h.do("POST", "/v1/jobs", aliceSecret, map[string]any{"tool": "diag_sleep", "input": map[string]any{"seconds": 4}}, nil)
	h.want(r, 202, "")
	id := r.str("id")
	answered := longPoll(id)
	time.Sleep(300 * time.Millisecond) // the GET is waiting by now
	c := jobs.NewClient(h.rdb, nil)
	defer c.Close()
	if _, err := c.Cancel(ctx, id); err != nil {
		t.Fatal(err)
	}
	select {
	case at := <-answered:
		if at.IsZero() {
			t.Fatal("long-poll failed")
		}
		if l := lag(id, at); l > bound {
			t.Errorf("long-poll answered %s after the cancel's final write, want ≤ %s", l, bound)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("long-poll did not wake on the cancel")
	}

	// A wait that times out answers 200 with the job as it is.
	r = h.do("POST", "/v1/jobs", aliceSecret, map[string]any{"tool": "diag_sleep", "input": map[string]any{"seconds": 3}}, nil)
	start := time.Now()
	r = h.do("GET", "/v1/jobs/"+r.str("id")+"?wait=300ms", aliceSecret, nil, nil)
	h.want(r, 200, "")
	if el := time.Since(start); r.str("state") == "succeeded" || el < 250*time.Millisecond || el > 2*time.Second {
		t.Errorf("a 300 ms wait answered %s after %s", r.str("state"), el)
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	h := start(t, func(o *Options) {
		o.Tokens[0] = token(t, "alice:"+HashToken(aliceSecret)+":rate=1:burst=2")
	})
	h.want(h.do("GET", "/v1/tools", aliceSecret, nil, nil), 200, "")
	h.want(h.do("GET", "/v1/tools", aliceSecret, nil, nil), 200, "")
	r := h.do("GET", "/v1/tools", aliceSecret, nil, nil)
	h.want(r, 429, "rate_limited")
	if ra := r.header.Get("Retry-After"); ra != "1" {
		t.Errorf("Retry-After %q, want 1", ra)
	}
	// Submissions count too, and a refused one enqueues nothing.
	h.want(h.do("POST", "/v1/jobs", aliceSecret, map[string]any{"tool": "diag_echo"}, nil), 429, "rate_limited")
	// Another token has its own budget.
	h.want(h.do("GET", "/v1/tools", bobSecret, nil, nil), 200, "")
	time.Sleep(1100 * time.Millisecond)
	h.want(h.do("GET", "/v1/tools", aliceSecret, nil, nil), 200, "")
	if n := testutil.ToFloat64(h.gw.metrics.submitted.WithLabelValues("rest")); n != 0 {
		t.Errorf("a rate-limited submission was enqueued")
	}
}

func TestConcurrentJobLimit(t *testing.T) {
	t.Parallel()
	h := start(t, func(o *Options) {
		o.Tokens[0] = token(t, "alice:"+HashToken(aliceSecret)+":jobs=2")
	})
	sleep := map[string]any{"tool": "diag_sleep", "input": map[string]any{"seconds": 4}}
	a := h.do("POST", "/v1/jobs", aliceSecret, sleep, nil)
	h.want(a, 202, "")
	h.want(h.do("POST", "/v1/jobs", aliceSecret, sleep, nil), 202, "")
	r := h.do("POST", "/v1/jobs", aliceSecret, sleep, nil)
	h.want(r, 429, "too_many_jobs")
	if r.header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	// Bob is not held back by Alice's jobs.
	h.want(h.do("POST", "/v1/jobs", bobSecret, map[string]any{"tool": "diag_echo"}, nil), 202, "")
	// A job that ends frees its slot.
	h.want(h.do("DELETE", "/v1/jobs/"+a.str("id"), aliceSecret, nil, nil), 200, "cancelled")
	echo := h.do("POST", "/v1/jobs", aliceSecret, map[string]any{"tool": "diag_echo"}, nil)
	h.want(echo, 202, "")

	// Slots whose finish the gateway never heard of (a gateway down while
	// they finished) are reclaimed when the limit is reached.
	ctx := context.Background()
	h.want(h.do("GET", "/v1/jobs/"+echo.str("id")+"?wait=20s", aliceSecret, nil, nil), 200, "")
	for _, id := range []string{"ghost-1", "ghost-2"} {
		h.rdb.ZAdd(ctx, activePrefix+"alice", redisZ(id))
	}
	h.rdb.ZRem(ctx, activePrefix+"alice", a.str("id"))
	r = h.do("POST", "/v1/jobs", aliceSecret, map[string]any{"tool": "diag_echo"}, nil)
	h.want(r, 202, "")
	if h.rdb.ZScore(ctx, activePrefix+"alice", "ghost-1").Err() == nil {
		t.Error("a slot of a job with no record was not reclaimed")
	}
}

// TestBodyLimits: an oversized body is refused with 413 without being read
// whole: the client below never sends the rest, and still gets its answer.
func TestBodyLimits(t *testing.T) {
	t.Parallel()
	const limit = 4096
	h := start(t, func(o *Options) { o.MaxBodyBytes = limit })
	h.want(h.do("POST", "/v1/jobs", aliceSecret, `{"tool":"diag_echo","input":{"value":"`+strings.Repeat("x", limit)+`"}}`, nil), 413, "request_too_big")
	addr := strings.TrimPrefix(h.url, "http://")
	for _, path := range []string{"/v1/jobs", "/v1/tools/diag_echo:call", "/mcp"} {
		for _, chunked := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s chunked=%v", path, chunked), func(t *testing.T) {
				conn, err := net.Dial("tcp", addr)
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				head := "POST " + path + " HTTP/1.1\r\nHost: " + addr + "\r\nAuthorization: Bearer " + aliceSecret +
					"\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
				part := `{"tool":"diag_echo","input":{"value":"` + strings.Repeat("x", 2*limit)
				if chunked {
					head += "Transfer-Encoding: chunked\r\n\r\n" + fmt.Sprintf("%x\r\n%s\r\n", len(part), part)
				} else {
					// Announce 1 GiB, send 8 KiB.
					head += "Content-Length: 1073741824\r\n\r\n" + part
				}
				if _, err := conn.Write([]byte(head)); err != nil {
					t.Fatal(err)
				}
				_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
				res, err := http.ReadResponse(bufio.NewReader(conn), nil)
				if err != nil {
					t.Fatalf("no answer while the body is still unsent: %v", err)
				}
				res.Body.Close()
				if res.StatusCode != 413 {
					t.Fatalf("status %d, want 413", res.StatusCode)
				}
			})
		}
	}
}

func redisZ(member string) redis.Z {
	return redis.Z{Score: float64(time.Now().UnixMilli()), Member: member}
}
