package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/jobs"
)

// The companion tools an agent uses when a call outlives the MCP wait.
const (
	toolGetJobResult = "get_job_result"
	toolCancelJob    = "cancel_job"
)

// mcpOutputSchema is every tool's outputSchema: one object envelope for
// success, typed error and "still running", because clients validate
// structuredContent against it even when isError is set.
var mcpOutputSchema = json.RawMessage(`{
  "type": "object",
  "properties": {
    "status": {"type": "string", "enum": ["ok", "error", "pending"], "description": "ok: result holds the tool's output; error: error holds a typed error; pending: the job is still queued or running, call get_job_result"},
    "job_id": {"type": "string"},
    "state": {"type": "string", "enum": ["queued", "running", "succeeded", "failed", "cancelled"]},
    "result": {"description": "the tool's output (status ok)"},
    "usage": {"type": ["object", "null"], "description": "what the call consumed: wall_ms, cpu_ms, peak_memory_bytes, …"},
    "error": {
      "type": "object",
      "properties": {"error": {"type": "string"}, "message": {"type": "string"}, "details": {"type": "object"}},
      "required": ["error", "message"]
    },
    "retryable": {"type": "boolean", "description": "whether the same call may succeed later"},
    "retry_after_ms": {"type": "integer"},
    "poll_after_ms": {"type": "integer"},
    "hint": {"type": "string"}
  },
  "required": ["status"]
}`)

// mcpOutcome is the structuredContent of every answer.
type mcpOutcome struct {
	Status       string          `json:"status"`
	JobID        string          `json:"job_id,omitempty"`
	State        jobs.State      `json:"state,omitempty"`
	Result       json.RawMessage `json:"result,omitempty"`
	Usage        *jobs.Usage     `json:"usage,omitempty"`
	Error        *errcode.Error  `json:"error,omitempty"`
	Retryable    *bool           `json:"retryable,omitempty"`
	RetryAfterMS int64           `json:"retry_after_ms,omitempty"`
	PollAfterMS  int64           `json:"poll_after_ms,omitempty"`
	Hint         string          `json:"hint,omitempty"`
}

// mcpHandler is /mcp: the SDK's streamable HTTP handler, stateless (which
// serves 2026-07-28 clients as well as older ones that initialize), behind
// the Host/Origin guard, bearer auth and the rate limit. Responses are
// event streams so that progress notifications reach the caller.
func (g *Gateway) mcpHandler() (http.Handler, error) {
	srv := mcp.NewServer(&mcp.Implementation{Name: "toolq", Title: "toolq analysis tools", Version: g.opts.Version}, &mcp.ServerOptions{
		Logger: g.log,
		Instructions: "Each tool runs a statistical analysis in an isolated sandbox. A call waits up to " +
			g.opts.MCPWait.String() + " for its result; a longer one answers status \"pending\" with a job_id: " +
			"call get_job_result with that job_id to wait for the result, or cancel_job to stop it.",
	})
	no := false
	for _, spec := range g.reg.Specs("") {
		if spec.Name == toolGetJobResult || spec.Name == toolCancelJob {
			return nil, fmt.Errorf("gateway: tool %q clashes with an MCP companion tool", spec.Name)
		}
		srv.AddTool(&mcp.Tool{
			Name: spec.Name, Description: spec.Description,
			InputSchema: spec.InputSchema, OutputSchema: mcpOutputSchema,
			Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true, IdempotentHint: true, OpenWorldHint: &no},
		}, g.mcpCall(spec.Name))
	}
	srv.AddTool(&mcp.Tool{
		Name: toolGetJobResult,
		Description: "Wait for the result of a job that an earlier call handed back as pending, up to wait_s seconds (default and most: " +
			fmt.Sprint(g.opts.MCPWait.Seconds()) + "). Answers like the original call: ok with the result, error with a typed error, or pending again.",
		InputSchema: json.RawMessage(fmt.Sprintf(`{"type": "object", "properties": {
			"job_id": {"type": "string", "description": "the job_id of a pending answer"},
			"wait_s": {"type": "number", "minimum": 0, "maximum": %g, "description": "how long to wait for the job to finish"}},
			"required": ["job_id"], "additionalProperties": false}`, g.opts.MCPWait.Seconds())),
		OutputSchema: mcpOutputSchema,
		Annotations:  &mcp.ToolAnnotations{ReadOnlyHint: true, IdempotentHint: true, OpenWorldHint: &no},
	}, g.mcpGetJobResult)
	yes := true
	srv.AddTool(&mcp.Tool{
		Name:         toolCancelJob,
		Description:  "Cancel a pending job: a queued one never runs, a running one is stopped. Answers with the job's final state.",
		InputSchema:  json.RawMessage(`{"type": "object", "properties": {"job_id": {"type": "string"}}, "required": ["job_id"], "additionalProperties": false}`),
		OutputSchema: mcpOutputSchema,
		Annotations:  &mcp.ToolAnnotations{DestructiveHint: &yes, IdempotentHint: true, OpenWorldHint: &no},
	}, g.mcpCancelJob)

	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv }, &mcp.StreamableHTTPOptions{
		Stateless: true,
		// Our own Host allowlist replaces the SDK's loopback-only check,
		// which would refuse every request a local reverse proxy forwards.
		DisableLocalhostProtection:   true,
		MaxRequestBodyBytes:          g.opts.MaxBodyBytes,
		PropagateRequestCancellation: true,
		Logger:                       g.log,
	})
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		extendDeadlines(w, g.opts.MCPWait)
		h.ServeHTTP(w, r)
	})
	return g.guardMCP(g.authenticated(inner)), nil
}

// guardMCP refuses requests whose Host is not allowed, or whose Origin is
// present and not allowed (DNS rebinding: a page on a hostile origin that
// resolves to this server), and bodies announced as too large.
func (g *Gateway) guardMCP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !hostAllowed(r.Host, g.opts.AllowedHosts) {
			g.metrics.rejected.WithLabelValues("host").Inc()
			writeError(w, http.StatusForbidden, errcode.New(CodeForbidden, "Host %q is not allowed here", r.Host))
			return
		}
		if o := r.Header.Get("Origin"); o != "" && !originAllowed(o, g.opts.AllowedOrigins) {
			g.metrics.rejected.WithLabelValues("origin").Inc()
			writeError(w, http.StatusForbidden, errcode.New(CodeForbidden, "Origin %q is not allowed here", o))
			return
		}
		if r.ContentLength > g.opts.MaxBodyBytes {
			w.Header().Set("Connection", "close")
			g.metrics.rejected.WithLabelValues("body_too_large").Inc()
			writeError(w, http.StatusRequestEntityTooLarge, errcode.New(CodeTooLarge, "The request body exceeds %d bytes", g.opts.MaxBodyBytes))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// hostAllowed matches a Host header against the allowlist; an entry
// without a port matches the name on any port.
func hostAllowed(host string, allowed []string) bool {
	host = strings.ToLower(host)
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	name = strings.Trim(name, "[]")
	for _, a := range allowed {
		a = strings.ToLower(a)
		if a == host || strings.Trim(a, "[]") == name {
			return true
		}
	}
	return false
}

func originAllowed(origin string, allowed []string) bool {
	for _, a := range allowed {
		if strings.EqualFold(strings.TrimSuffix(a, "/"), origin) {
			return true
		}
	}
	return false
}

// mcpPrincipal finds the caller of an MCP request. The HTTP layer has
// authenticated it already; the SDK hands tool handlers the request's
// headers, from which the principal is read again (a hash and a lookup).
func (g *Gateway) mcpPrincipal(extra *mcp.RequestExtra) (*principal, error) {
	if extra == nil || extra.Header == nil {
		return nil, errors.New("gateway: MCP request without HTTP headers")
	}
	r := &http.Request{Header: extra.Header}
	return g.auth.fromRequest(r, false)
}

// mcpCall is the handler of one analysis tool: submit, then wait.
func (g *Gateway) mcpCall(tool string) mcp.ToolHandler {
	return func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		p, err := g.mcpPrincipal(req.Extra)
		if err != nil {
			return nil, err
		}
		env, _, rf := g.submit(ctx, p, submission{tool: tool, input: req.Params.Arguments, via: "mcp"})
		if rf != nil {
			return g.mcpRefused(rf), nil
		}
		return g.mcpAwait(ctx, req, env, g.opts.MCPWait), nil
	}
}

type jobArgs struct {
	JobID string   `json:"job_id"`
	WaitS *float64 `json:"wait_s"`
}

func (g *Gateway) mcpJobArgs(req *mcp.CallToolRequest) (*principal, jobArgs, *mcp.CallToolResult) {
	var a jobArgs
	p, err := g.mcpPrincipal(req.Extra)
	if err != nil {
		return nil, a, g.mcpRefused(refuse(http.StatusUnauthorized, errcode.New(CodeUnauthorized, "not authenticated")))
	}
	dec := json.NewDecoder(strings.NewReader(string(req.Params.Arguments)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil || a.JobID == "" {
		return nil, a, g.mcpRefused(refuse(http.StatusUnprocessableEntity, errcode.New(errcode.InputInvalid, `arguments must be {"job_id": string, "wait_s"?: number}`)))
	}
	mine := false
	if validJobID(a.JobID) {
		mine, err = g.st.owns(context.Background(), p, a.JobID)
		if err != nil {
			return nil, a, g.mcpRefused(g.unavailableRefusal(err))
		}
	}
	if !mine {
		return nil, a, g.mcpRefused(refuse(http.StatusNotFound, notFound(a.JobID)))
	}
	return p, a, nil
}

func (g *Gateway) mcpGetJobResult(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	_, a, res := g.mcpJobArgs(req)
	if res != nil {
		return res, nil
	}
	wait := g.opts.MCPWait
	if a.WaitS != nil && *a.WaitS >= 0 {
		wait = min(wait, time.Duration(*a.WaitS*float64(time.Second)))
	}
	env, err := g.client.Get(ctx, a.JobID)
	if err != nil {
		return g.mcpJobErr(a.JobID, err), nil
	}
	return g.mcpAwait(ctx, req, env, wait), nil
}

func (g *Gateway) mcpCancelJob(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	p, a, res := g.mcpJobArgs(req)
	if res != nil {
		return res, nil
	}
	env, err := g.client.Cancel(ctx, a.JobID)
	if err != nil {
		return g.mcpJobErr(a.JobID, err), nil
	}
	g.st.finished(ctx, a.JobID)
	g.log.Info("job cancelled", "id", a.JobID, "token", p.Name, "via", "mcp", "state", env.State)
	return g.mcpFinal(env), nil
}

func (g *Gateway) mcpJobErr(id string, err error) *mcp.CallToolResult {
	if errors.Is(err, jobs.ErrNotFound) {
		return g.mcpRefused(refuse(http.StatusNotFound, notFound(id)))
	}
	return g.mcpRefused(g.unavailableRefusal(err))
}

// mcpAwait waits for env's job up to wait, sending a progress notification
// every ProgressInterval when the caller asked for progress, and answers
// with the final outcome or "pending". A caller that goes away stops the
// wait, not the job: an agent that retries, or polls, finds it.
func (g *Gateway) mcpAwait(ctx context.Context, req *mcp.CallToolRequest, env *jobs.Envelope, wait time.Duration) *mcp.CallToolResult {
	start := time.Now()
	deadline := start.Add(wait)
	tok := req.Params.GetProgressToken()
	step := 0
	for !env.State.Final() {
		left := time.Until(deadline)
		if left <= 0 || ctx.Err() != nil {
			break
		}
		wctx, cancel := context.WithTimeout(ctx, min(left, g.opts.ProgressInterval))
		e, err := g.client.Wait(wctx, env.ID)
		cancel()
		if e != nil {
			env = e
		}
		if err != nil && wctx.Err() == nil {
			if errors.Is(err, jobs.ErrNotFound) {
				return g.mcpJobErr(env.ID, err)
			}
			return g.mcpRefused(g.unavailableRefusal(err))
		}
		if !env.State.Final() && tok != nil && ctx.Err() == nil {
			step++
			_ = req.Session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{
				ProgressToken: tok, Progress: float64(step),
				Message: fmt.Sprintf("job %s is %s (%.0f s)", env.ID, env.State, time.Since(start).Seconds()),
			})
		}
	}
	if env.State.Final() {
		return g.mcpFinal(env)
	}
	g.metrics.mcpCalls.WithLabelValues("pending").Inc()
	return mcpResult(mcpOutcome{
		Status: "pending", JobID: env.ID, State: env.State, PollAfterMS: 1000,
		Hint: fmt.Sprintf("The job is still %s. Call %s with {\"job_id\": %q} to wait for its result.", env.State, toolGetJobResult, env.ID),
	}, false)
}

// mcpFinal turns a final envelope into a tool result: the result, or the
// typed job error with isError so that the model sees it and can react.
func (g *Gateway) mcpFinal(env *jobs.Envelope) *mcp.CallToolResult {
	if env.State == jobs.Succeeded && env.Error == nil {
		g.metrics.mcpCalls.WithLabelValues("ok").Inc()
		return mcpResult(mcpOutcome{Status: "ok", JobID: env.ID, State: env.State, Result: env.Result, Usage: env.Usage}, false)
	}
	g.metrics.mcpCalls.WithLabelValues("error").Inc()
	e := env.Error
	if e == nil {
		e = errcode.New(errcode.Internal, "job ended %s without an error", env.State)
	}
	retry := e.Code.Retryable()
	return mcpResult(mcpOutcome{Status: "error", JobID: env.ID, State: env.State, Error: e, Usage: env.Usage, Retryable: &retry}, true)
}

// mcpRefused is a call refused before enqueue (invalid input, limits),
// reported as a tool error: the model can correct its arguments.
func (g *Gateway) mcpRefused(rf *refusal) *mcp.CallToolResult {
	g.metrics.mcpCalls.WithLabelValues("error").Inc()
	retry := rf.status == http.StatusTooManyRequests || rf.status == http.StatusServiceUnavailable
	o := mcpOutcome{Status: "error", Error: rf.err, Retryable: &retry}
	if retry {
		o.RetryAfterMS = 1000
	}
	return mcpResult(o, true)
}

func mcpResult(o mcpOutcome, isError bool) *mcp.CallToolResult {
	b, err := json.Marshal(o)
	if err != nil {
		b = []byte(`{"status":"error","error":{"error":"internal","message":"encoding failed","details":{}}}`)
	}
	return &mcp.CallToolResult{
		Content:           []mcp.Content{&mcp.TextContent{Text: string(b)}},
		StructuredContent: json.RawMessage(b),
		IsError:           isError,
	}
}
