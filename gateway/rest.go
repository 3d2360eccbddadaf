package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/internal/config"
	"github.com/toolq/toolq/jobs"
)

// callOptions are the per-call settings a REST body or an MCP call may
// carry. Pointers tell "absent" from zero, which is refused.
type callOptions struct {
	TimeoutS *float64 `json:"timeout_s,omitempty"`
	MemoryMB *float64 `json:"memory_mb,omitempty"`
	Queue    *string  `json:"queue,omitempty"`
}

// submitBody is POST /v1/jobs.
type submitBody struct {
	Tool  string          `json:"tool"`
	Input json.RawMessage `json:"input"`
	callOptions
}

// callBody is POST /v1/tools/{name}:call: the tool is in the path.
type callBody struct {
	Input json.RawMessage `json:"input"`
	callOptions
}

// submission is one call about to be enqueued.
type submission struct {
	tool    string
	input   json.RawMessage
	opts    callOptions
	idemKey string
	via     string // "rest" or "mcp", for metrics
}

// refusal is why a call was not enqueued: the HTTP status and the error
// JSON, plus Retry-After for the retryable ones.
type refusal struct {
	status     int
	err        *errcode.Error
	retryAfter string
}

func refuse(status int, e *errcode.Error) *refusal { return &refusal{status: status, err: e} }

func (g *Gateway) writeRefusal(w http.ResponseWriter, r *refusal) {
	if r.retryAfter != "" {
		w.Header().Set("Retry-After", r.retryAfter)
	}
	writeError(w, r.status, r.err)
}

// readBody decodes a JSON request body of at most MaxBodyBytes into dst,
// refusing unknown fields. A body announced as too large is refused before
// any of it is read; one that turns out too large stops being read at the
// limit.
func (g *Gateway) readBody(w http.ResponseWriter, r *http.Request, dst any) *refusal {
	limit := g.opts.MaxBodyBytes
	tooBig := func() *refusal {
		g.metrics.rejected.WithLabelValues("body_too_large").Inc()
		return refuse(http.StatusRequestEntityTooLarge, errcode.New(CodeTooLarge, "The request body exceeds %d bytes", limit).With("limit_bytes", limit))
	}
	if r.ContentLength > limit {
		// Tell the server not to drain the body for keep-alive.
		w.Header().Set("Connection", "close")
		return tooBig()
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooBig()
		}
		g.metrics.rejected.WithLabelValues("bad_request").Inc()
		return refuse(http.StatusBadRequest, errcode.New(CodeBadRequest, "The request body is not valid: %s", err))
	}
	if _, err := dec.Token(); err != io.EOF {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooBig()
		}
		return refuse(http.StatusBadRequest, errcode.New(CodeBadRequest, "The request body holds more than one JSON value"))
	}
	return nil
}

// submitOptions checks the per-call settings against what the gateway
// allows: a caller may ask for less than the default timeout and memory,
// never more, and only for a queue a worker serves.
func (g *Gateway) submitOptions(o callOptions) (jobs.SubmitOptions, *refusal) {
	co := g.opts.Client
	var so jobs.SubmitOptions
	bad := func(field, format string, args ...any) (jobs.SubmitOptions, *refusal) {
		g.metrics.rejected.WithLabelValues("invalid").Inc()
		return so, refuse(http.StatusUnprocessableEntity, errcode.New(errcode.InputInvalid, format, args...).With("field", field))
	}
	if o.TimeoutS != nil {
		max := co.Timeout.Seconds()
		if v := *o.TimeoutS; !(v > 0) || v > max || math.IsInf(v, 0) {
			return bad("timeout_s", "timeout_s must be more than 0 and at most %g seconds", max)
		}
		so.Timeout = time.Duration(*o.TimeoutS * float64(time.Second))
	}
	if o.MemoryMB != nil {
		max := float64(co.MemoryBytes >> 20)
		if v := *o.MemoryMB; !(v >= 1) || v > max || v != math.Trunc(v) {
			return bad("memory_mb", "memory_mb must be a whole number from 1 to %g", max)
		}
		so.MemoryBytes = int64(*o.MemoryMB) << 20
	}
	if o.Queue != nil {
		if !g.queues[*o.Queue] {
			return bad("queue", "queue %q is not served here; use one of: %s", *o.Queue, describeQueues(g.queues))
		}
		so.Queue = *o.Queue
	}
	return so, nil
}

// submit enqueues a call for p: the job is bound to p before it exists
// (so it is never visible to anyone else, not even for a moment), counted
// against p's concurrent-job limit, and only then submitted, which
// validates it. It returns the envelope and whether it is a replay of an
// earlier submission with the same Idempotency-Key.
func (g *Gateway) submit(ctx context.Context, p *principal, s submission) (*jobs.Envelope, bool, *refusal) {
	if _, ok := g.reg.Lookup(s.tool); !ok {
		g.metrics.rejected.WithLabelValues("unknown_tool").Inc()
		return nil, false, refuse(http.StatusNotFound, errcode.New(errcode.UnknownTool, "Unknown tool %q; GET /v1/tools lists them", s.tool).With("tool", s.tool))
	}
	so, rf := g.submitOptions(s.opts)
	if rf != nil {
		return nil, false, rf
	}
	if len(bytes.TrimSpace(s.input)) == 0 || bytes.Equal(bytes.TrimSpace(s.input), []byte("null")) {
		s.input = json.RawMessage(`{}`)
	}
	if s.idemKey != "" {
		so.ID = idempotentID(p.Name, s.idemKey)
	} else {
		so.ID = uuid.NewString()
	}
	fp := fingerprint(s.tool, s.input, so.Timeout, so.MemoryBytes, so.Queue)
	created, cur, err := g.st.claim(ctx, so.ID, owner{Token: p.Name, FP: fp})
	if err != nil {
		return nil, false, g.unavailableRefusal(err)
	}
	if !created {
		if cur.Token != p.Name || cur.FP != fp {
			g.metrics.rejected.WithLabelValues("conflict").Inc()
			return nil, false, refuse(http.StatusUnprocessableEntity, errcode.New(CodeConflict, "This Idempotency-Key was already used for a different request; use a new key").With("field", "Idempotency-Key"))
		}
		env, err := g.client.Get(ctx, so.ID)
		if err == nil {
			return env, true, nil
		}
		if !errors.Is(err, jobs.ErrNotFound) {
			return nil, false, g.unavailableRefusal(err)
		}
		// The earlier attempt never got its job enqueued: go on with this one.
	}
	ok, err := g.st.admit(ctx, p, so.ID)
	if err != nil {
		g.st.unclaim(context.WithoutCancel(ctx), p, so.ID)
		return nil, false, g.unavailableRefusal(err)
	}
	if !ok {
		g.st.unclaim(context.WithoutCancel(ctx), p, so.ID)
		g.metrics.rejected.WithLabelValues("too_many_jobs").Inc()
		return nil, false, &refusal{status: http.StatusTooManyRequests, retryAfter: "1",
			err: errcode.New(CodeTooManyJobs, "Token %q already has %d unfinished jobs; wait for one to finish", p.Name, p.MaxJobs).With("max_jobs", p.MaxJobs)}
	}
	env, err := g.client.Submit(ctx, s.tool, s.input, &so)
	if err != nil {
		g.st.unclaim(context.WithoutCancel(ctx), p, so.ID)
		var ce *errcode.Error
		if errors.As(err, &ce) {
			g.metrics.rejected.WithLabelValues(string(ce.Code)).Inc()
			return nil, false, refuse(statusFor(ce.Code), ce)
		}
		return nil, false, g.unavailableRefusal(err)
	}
	g.metrics.submitted.WithLabelValues(s.via).Inc()
	g.log.Info("job submitted", "id", env.ID, "tool", s.tool, "token", p.Name, "via", s.via, "queue", env.Queue)
	return env, false, nil
}

func (g *Gateway) unavailableRefusal(err error) *refusal {
	g.log.Warn("redis unavailable", "err", err)
	return &refusal{status: http.StatusServiceUnavailable, retryAfter: "1",
		err: errcode.New(CodeUnavailable, "The queue is unavailable; try again shortly")}
}

func idempotencyKey(r *http.Request) (string, *refusal) {
	k := r.Header.Get("Idempotency-Key")
	if k == "" {
		return "", nil
	}
	if len(k) > 255 || strings.IndexFunc(k, func(c rune) bool { return c < 0x21 || c > 0x7e }) >= 0 {
		return "", refuse(http.StatusBadRequest, errcode.New(CodeBadRequest, "Idempotency-Key must be 1 to 255 printable ASCII characters without spaces"))
	}
	return k, nil
}

func (g *Gateway) listTools(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"tools": g.reg.Specs(r.URL.Query().Get("category"))})
}

func (g *Gateway) getTool(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	spec, ok := g.reg.Lookup(name)
	if !ok {
		writeError(w, http.StatusNotFound, errcode.New(errcode.UnknownTool, "Unknown tool %q", name).With("tool", name))
		return
	}
	writeJSON(w, http.StatusOK, spec)
}

// submitJob is POST /v1/jobs.
func (g *Gateway) submitJob(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	key, rf := idempotencyKey(r)
	if rf != nil {
		g.writeRefusal(w, rf)
		return
	}
	var body submitBody
	if rf := g.readBody(w, r, &body); rf != nil {
		g.writeRefusal(w, rf)
		return
	}
	if body.Tool == "" {
		g.writeRefusal(w, refuse(http.StatusBadRequest, errcode.New(CodeBadRequest, `The request body needs "tool"`)))
		return
	}
	env, replay, rf := g.submit(r.Context(), p, submission{tool: body.Tool, input: body.Input, opts: body.callOptions, idemKey: key, via: "rest"})
	if rf != nil {
		g.writeRefusal(w, rf)
		return
	}
	if replay {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	w.Header().Set("Location", "/v1/jobs/"+env.ID)
	writeJSON(w, http.StatusAccepted, env)
}

// callTool is POST /v1/tools/{name}:call: submit, then wait up to CallWait
// (or less, with ?wait=) for the final envelope; 202 with the queued or
// running envelope when the bound passes first.
func (g *Gateway) callTool(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutSuffix(r.PathValue("name"), ":call")
	if !ok {
		writeError(w, http.StatusNotFound, errcode.New(CodeNotFound, "No route for POST %s; did you mean %s:call?", r.URL.Path, r.URL.Path))
		return
	}
	p := principalFrom(r.Context())
	wait, rf := g.waitParam(r, g.opts.CallWait, g.opts.CallWait)
	if rf != nil {
		g.writeRefusal(w, rf)
		return
	}
	key, rf := idempotencyKey(r)
	if rf != nil {
		g.writeRefusal(w, rf)
		return
	}
	var body callBody
	if rf := g.readBody(w, r, &body); rf != nil {
		g.writeRefusal(w, rf)
		return
	}
	env, replay, rf := g.submit(r.Context(), p, submission{tool: name, input: body.Input, opts: body.callOptions, idemKey: key, via: "rest"})
	if rf != nil {
		g.writeRefusal(w, rf)
		return
	}
	if replay {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	w.Header().Set("Location", "/v1/jobs/"+env.ID)
	if !env.State.Final() {
		env2, err := g.wait(w, r, env.ID, wait)
		if err != nil {
			g.jobError(w, err)
			return
		}
		env = env2
	}
	status := http.StatusAccepted
	if env.State.Final() {
		status = http.StatusOK
	}
	writeJSON(w, status, env)
}

// getJob is GET /v1/jobs/{id}[?wait=DURATION].
func (g *Gateway) getJob(w http.ResponseWriter, r *http.Request) {
	id, ok := g.ownedJob(w, r)
	if !ok {
		return
	}
	wait, rf := g.waitParam(r, 0, g.opts.MaxWait)
	if rf != nil {
		g.writeRefusal(w, rf)
		return
	}
	env, err := g.wait(w, r, id, wait)
	if err != nil {
		g.jobError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, env)
}

// cancelJob is DELETE /v1/jobs/{id}: the job ends as cancelled unless it
// was final already; either way the answer is its envelope.
func (g *Gateway) cancelJob(w http.ResponseWriter, r *http.Request) {
	id, ok := g.ownedJob(w, r)
	if !ok {
		return
	}
	env, err := g.client.Cancel(r.Context(), id)
	if err != nil {
		g.jobError(w, err)
		return
	}
	g.st.finished(r.Context(), id)
	g.log.Info("job cancelled", "id", id, "token", principalFrom(r.Context()).Name, "state", env.State)
	writeJSON(w, http.StatusOK, env)
}

// ownedJob reads {id} and checks it belongs to the caller. Another
// token's job gets the very answer a job that never existed gets, so ids
// cannot be probed.
func (g *Gateway) ownedJob(w http.ResponseWriter, r *http.Request) (string, bool) {
	id := r.PathValue("id")
	p := principalFrom(r.Context())
	if validJobID(id) {
		mine, err := g.st.owns(r.Context(), p, id)
		if err != nil {
			g.unavailable(w, err)
			return "", false
		}
		if mine {
			return id, true
		}
	}
	writeError(w, http.StatusNotFound, notFound(id))
	return "", false
}

func notFound(id string) *errcode.Error {
	return errcode.New(CodeNotFound, "No job %q (it never existed, belongs to another token, or its retention has passed)", id).With("id", id)
}

func (g *Gateway) jobError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, jobs.ErrNotFound):
		writeError(w, http.StatusNotFound, errcode.New(CodeNotFound, "No such job (its retention may have passed)"))
	case errors.Is(err, context.Canceled):
		// The caller went away; nobody reads this.
		w.WriteHeader(499)
	default:
		g.unavailable(w, err)
	}
}

// waitParam reads ?wait= (a Go duration or seconds), defaulting to def and
// capped at max.
func (g *Gateway) waitParam(r *http.Request, def, max time.Duration) (time.Duration, *refusal) {
	raw := r.URL.Query().Get("wait")
	if raw == "" {
		return def, nil
	}
	if raw == "0" || raw == "0s" {
		return 0, nil
	}
	d, err := config.ParseDuration(raw)
	if err != nil {
		return 0, refuse(http.StatusBadRequest, errcode.New(CodeBadRequest, "wait=%q: %s", raw, err))
	}
	return min(d, max), nil
}

// wait returns the job's envelope once it is final or d has passed,
// whichever is first. The write and read deadlines of the connection are
// moved past d: the server's own are shorter than a long-poll on purpose.
func (g *Gateway) wait(w http.ResponseWriter, r *http.Request, id string, d time.Duration) (*jobs.Envelope, error) {
	ctx := r.Context()
	if d <= 0 {
		return g.client.Get(ctx, id)
	}
	extendDeadlines(w, d)
	wctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	env, err := g.client.Wait(wctx, id)
	if err != nil && ctx.Err() == nil && wctx.Err() != nil {
		if env != nil {
			return env, nil
		}
		return g.client.Get(ctx, id)
	}
	return env, err
}

// extendDeadlines gives a handler that waits on purpose d more than its
// wait to answer. The read deadline matters too: when it passes while the
// server watches an idle connection for a hang-up, the request's context
// is cancelled.
func extendDeadlines(w http.ResponseWriter, d time.Duration) {
	rc := http.NewResponseController(w)
	t := time.Now().Add(d + 15*time.Second)
	_ = rc.SetWriteDeadline(t)
	_ = rc.SetReadDeadline(t)
}
