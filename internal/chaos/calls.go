package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/jobs"
	"github.com/toolq/toolq/tools"
)

// template is one kind of call the run submits many times.
type template struct {
	name    string // tool name, or tool name and variant
	tool    string
	input   string
	timeout time.Duration
	memory  int64
	weight  int
	// varies marks a call whose result is not a function of its input
	// (diag_spin reports how far it got, diag_fork the pids it was given):
	// only its state is compared.
	varies bool

	want outcome // what it gives when run alone
}

// outcome is what a call ends with, reduced to what must not depend on
// faults: the result of a success, the code of a failure.
type outcome struct {
	state  jobs.State
	code   errcode.Code
	result string // compact JSON
}

func (o outcome) String() string {
	if o.state == jobs.Succeeded {
		r := o.result
		if len(r) > 120 {
			r = r[:120] + "…"
		}
		return "succeeded " + r
	}
	return string(o.state) + " " + string(o.code)
}

func outcomeOf(env *jobs.Envelope) outcome {
	o := outcome{state: env.State}
	if env.Error != nil {
		o.code = env.Error.Code
	}
	if env.State == jobs.Succeeded {
		var b bytes.Buffer
		if err := json.Compact(&b, env.Result); err == nil {
			o.result = b.String()
		} else {
			o.result = string(env.Result)
		}
	}
	return o
}

// templates are every registered tool's example, plus the diagnostic calls
// that misbehave on purpose: each verdict the sandbox gives, under load.
// Real analyses carry most of the weight.
func templates() []*template {
	reg := tools.Standard()
	var out []*template
	for _, name := range reg.Names() {
		ex := reg.Example(name)
		if ex == "" {
			continue
		}
		out = append(out, &template{name: name, tool: name, input: ex, weight: 6})
	}
	diag := []*template{
		{name: "diag_echo", tool: "diag_echo", input: `{"value": {"a": [1, 2.5, "x"]}}`, weight: 6},
		{name: "diag_spin", tool: "diag_spin", input: `{"seconds": 0.2}`, weight: 3, varies: true},
		{name: "diag_sleep timeout", tool: "diag_sleep", input: `{"seconds": 30}`, timeout: time.Second, weight: 3},
		{name: "diag_alloc over its limit", tool: "diag_alloc", input: `{"mb": 256}`, memory: 64 << 20, weight: 3},
		{name: "diag_alloc within its limit", tool: "diag_alloc", input: `{"mb": 32}`, memory: 128 << 20, weight: 2},
		{name: "diag_panic", tool: "diag_panic", input: `{}`, weight: 3},
		{name: "diag_fork leaving grandchildren", tool: "diag_fork", input: `{"children": 3, "seconds": 30}`, weight: 2, varies: true},
		{name: "diag_fork waiting past its deadline", tool: "diag_fork", input: `{"children": 2, "seconds": 30, "wait": true}`, timeout: time.Second, weight: 2},
		{name: "diag_output flood", tool: "diag_output", input: `{"mb": 20}`, weight: 2},
	}
	return append(out, diag...)
}

// pick draws n templates by weight, reproducibly from seed.
func pick(ts []*template, n int, seed uint64) []*template {
	total := 0
	for _, t := range ts {
		total += t.weight
	}
	r := rand.New(rand.NewPCG(seed, 0x70016))
	out := make([]*template, n)
	for i := range out {
		x := r.IntN(total)
		for _, t := range ts {
			if x < t.weight {
				out[i] = t
				break
			}
			x -= t.weight
		}
	}
	return out
}

// submitter is one way in: the Go client or the gateway. key names the
// submission; retried with the same key, a submission never makes a second
// job. It returns the job's id.
type submitter interface {
	name() string
	submit(ctx context.Context, key string, t *template) (string, error)
}

// clientSubmitter submits with the Go client in jobs/; the key is the id.
type clientSubmitter struct{ c *jobs.Client }

func (clientSubmitter) name() string { return "go-client" }

func (s clientSubmitter) submit(ctx context.Context, key string, t *template) (string, error) {
	_, err := s.c.Submit(ctx, t.tool, []byte(t.input), &jobs.SubmitOptions{ID: key, Timeout: t.timeout, MemoryBytes: t.memory})
	return key, err
}

// gatewaySubmitter submits with POST /v1/jobs, the key as Idempotency-Key.
type gatewaySubmitter struct {
	url, token string
	http       *http.Client
}

func (gatewaySubmitter) name() string { return "gateway" }

func (s gatewaySubmitter) submit(ctx context.Context, key string, t *template) (string, error) {
	body := map[string]any{"tool": t.tool, "input": json.RawMessage(t.input)}
	if t.timeout > 0 {
		body["timeout_s"] = t.timeout.Seconds()
	}
	if t.memory > 0 {
		body["memory_mb"] = t.memory >> 20
	}
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url+"/v1/jobs", bytes.NewReader(b))
	if err != nil {
		return "", permanent{err}
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	resp, err := s.http.Do(req)
	if err != nil {
		return "", err // the gateway is unreachable: retry
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	switch {
	case resp.StatusCode == http.StatusAccepted:
		var env jobs.Envelope
		if err := json.Unmarshal(out, &env); err != nil || env.ID == "" {
			return "", permanent{fmt.Errorf("gateway: 202 without an envelope: %.200s", out)}
		}
		return env.ID, nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return "", fmt.Errorf("gateway: %d %.200s", resp.StatusCode, out) // retry
	default:
		return "", permanent{fmt.Errorf("gateway: %d %.200s", resp.StatusCode, out)}
	}
}

// permanent tells a refusal, which retrying cannot change, from a failure
// to reach Redis or the gateway.
type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// submitRetrying submits until it is accepted, the way a careful caller
// does: the same key each time, so a retry never makes a second job.
func submitRetrying(ctx context.Context, s submitter, key string, t *template) (id string, retries int, err error) {
	wait := 50 * time.Millisecond
	for {
		id, err := s.submit(ctx, key, t)
		if err == nil {
			return id, retries, nil
		}
		var p permanent
		var ce *errcode.Error
		if errors.As(err, &p) || (errors.As(err, &ce) && !errors.Is(err, jobs.ErrUnavailable)) {
			return "", retries, err
		}
		retries++
		select {
		case <-ctx.Done():
			return "", retries, fmt.Errorf("%s: gave up: %w", s.name(), err)
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Second)
	}
}

// reference runs every template once, alone, on a quiet stack, and keeps
// what it gives as the outcome every copy of it must reach under faults.
// Each runs twice: a tool whose result differs between two quiet runs
// could not be checked, and is itself a finding.
func reference(ctx context.Context, c *jobs.Client, ts []*template) error {
	var mu sync.Mutex
	var errs []string
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for _, t := range ts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			var got [2]outcome
			for k := range got {
				env, err := c.Submit(ctx, t.tool, []byte(t.input), &jobs.SubmitOptions{Timeout: t.timeout, MemoryBytes: t.memory})
				if err == nil {
					env, err = c.Wait(ctx, env.ID)
				}
				if err != nil {
					mu.Lock()
					errs = append(errs, fmt.Sprintf("%s: %v", t.name, err))
					mu.Unlock()
					return
				}
				got[k] = outcomeOf(env)
			}
			mu.Lock()
			defer mu.Unlock()
			if t.varies {
				got[0].result, got[1].result = "", ""
			}
			if got[0] != got[1] {
				errs = append(errs, fmt.Sprintf("%s is not deterministic: %s, then %s", t.name, got[0], got[1]))
			}
			t.want = got[0]
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		sort.Strings(errs)
		return fmt.Errorf("reference run:\n  %s", strings.Join(errs, "\n  "))
	}
	return nil
}
