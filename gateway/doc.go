// Package gateway is toolq's HTTP front door for callers that are not Go
// programs in the same process: backends in other languages (REST) and LLM
// agents (MCP). It sits on top of the jobs.Client and Redis and adds what a
// public endpoint needs and the queue does not have: identities, ownership
// of jobs, limits, and long waits over HTTP.
//
// # Endpoints
//
//	GET    /v1/tools, /v1/tools/{name}     specs with their JSON Schema inputs
//	POST   /v1/jobs                        {tool, input, timeout_s?, memory_mb?, queue?} → 202 + envelope
//	GET    /v1/jobs/{id}[?wait=30s]        the envelope; long-polls until final
//	DELETE /v1/jobs/{id}                   cancel
//	POST   /v1/tools/{name}:call[?wait=]   submit and wait: 200 final envelope, or 202 when the bound passes
//	POST   /mcp                            MCP, streamable HTTP (stateless), every tool plus get_job_result and cancel_job
//	GET    /healthz, /readyz, /metrics, /openapi.json
//	GET    /ops/                           asynqmon, for operator tokens, read-only by default
//
// Refusals before enqueue are the error JSON ({"error", "message",
// "details"}) with 400 (malformed request), 404 (unknown tool or job), 413
// (body or input too large), 422 (input or option invalid), 429 (rate or
// job limit, with Retry-After) or 503 (Redis unreachable, with
// Retry-After). A job's own verdict (timeout, tool_error, …) is inside its
// envelope, with 200. openapi.json documents all of it; the tests check
// real responses against it.
//
// # Security
//
// Callers present a bearer token; the gateway is configured with SHA-256
// hashes only (ParseTokens, HashToken) and compares digests in constant
// time. Tokens are never logged: logs, metrics and ownership use the
// token's name.
//
// Every job is bound to the token that created it by an owner record,
// toolq:gw:owner:<id>, written before the job is enqueued. Any other token
// asking for the job gets the 404 of a job that does not exist, so job ids
// are not capabilities. An Idempotency-Key derives the job id from the
// token and the key, so a retried submission returns the same job and two
// tokens using the same key never meet.
//
// Limits are per token and kept in Redis, so they hold across gateway
// replicas: a request rate (GCRA, toolq:gw:rate:<token>) and a number of
// unfinished jobs (toolq:gw:active:<token>, freed as toolq:done announces
// finished jobs, and pruned from the job records when full). Bodies are
// bounded with http.MaxBytesReader, and refused on their Content-Length
// before any byte is read. /mcp also checks Host and Origin against
// allowlists (DNS rebinding). Server timeouts cover every phase; handlers
// that wait on purpose extend only their own connection's deadlines.
//
// # MCP
//
// tools/list advertises each registry tool with its own input schema and
// one output schema for all outcomes ({status: ok|error|pending, …}), so
// that a typed error or a pending answer still validates on clients that
// check structuredContent. tools/call enqueues, waits up to MCPWait
// (20 s) sending progress notifications when the caller gave a progress
// token, and answers with the result, the typed error (isError), or a job
// id to poll with get_job_result: agents' clients time out around 60 s,
// and the SDK has no tasks yet.
package gateway
