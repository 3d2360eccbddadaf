package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/jobs"
	"github.com/toolq/toolq/tools"
)

// Defaults for Options.
const (
	DefaultRate             = 20.0 // requests per second per token
	DefaultBurst            = 40
	DefaultMaxJobs          = 16 // unfinished jobs per token
	DefaultMaxBodyBytes     = 8 << 20
	DefaultMaxWait          = 60 * time.Second
	DefaultCallWait         = 30 * time.Second
	DefaultMCPWait          = 20 * time.Second
	DefaultProgressInterval = 2 * time.Second
	DefaultReadHeaderTimout = 5 * time.Second
	DefaultReadTimeout      = 30 * time.Second
	DefaultWriteTimeout     = 30 * time.Second
	DefaultIdleTimeout      = 120 * time.Second
)

// Gateway-level error codes. They share the shape of the job error contract
// ({"error", "message", "details"}) but are answers of the HTTP layer, never
// the verdict of a job, so they do not appear in envelopes.
const (
	CodeUnauthorized errcode.Code = "unauthorized"    // 401: no or unknown token
	CodeForbidden    errcode.Code = "forbidden"       // 403: not an operator, Host or Origin not allowed
	CodeNotFound     errcode.Code = "not_found"       // 404: no such job for this token, or no such route
	CodeConflict     errcode.Code = "conflict"        // 422: Idempotency-Key reused for another request
	CodeRateLimited  errcode.Code = "rate_limited"    // 429: the token's request rate
	CodeTooManyJobs  errcode.Code = "too_many_jobs"   // 429: the token's unfinished jobs
	CodeBadRequest   errcode.Code = "bad_request"     // 400: the request itself is malformed
	CodeUnavailable  errcode.Code = "unavailable"     // 503: Redis unreachable
	CodeTooLarge     errcode.Code = "request_too_big" // 413: body over the limit
)

// Options configure a Gateway. Zero fields take the defaults.
type Options struct {
	// Redis holds the queue, the job records and the gateway's own keys.
	// Required; the caller keeps and closes it.
	Redis redis.UniversalClient
	// Client configures the jobs.Client the gateway submits with: its
	// Registry is what the gateway offers, its Timeout and MemoryBytes are
	// both the default of a call and the most a call may ask for.
	Client *jobs.ClientOptions
	// Tokens are the credentials accepted. At least one is required.
	Tokens []Token
	// Rate (requests per second), Burst and MaxJobs (unfinished jobs) are
	// the per-token limits unless a Token overrides them.
	Rate    float64
	Burst   int
	MaxJobs int
	// Queues are the queues a caller may name; defaults to ["default"].
	// A queue no worker serves would hold calls forever, so callers cannot
	// invent them.
	Queues []string
	// MaxBodyBytes bounds every request body, REST and MCP.
	MaxBodyBytes int64
	// MaxWait bounds GET /v1/jobs/{id}?wait=; CallWait is how long
	// POST /v1/tools/{name}:call waits before answering 202; MCPWait is how
	// long an MCP tools/call waits before handing back a job id.
	MaxWait, CallWait, MCPWait time.Duration
	// ProgressInterval is how often an MCP call that waits sends progress.
	ProgressInterval time.Duration
	// AllowedHosts are the Host values /mcp answers (a name without a port
	// matches any port); defaults to localhost, 127.0.0.1 and [::1].
	// AllowedOrigins are the browser origins /mcp accepts; a request with
	// any other Origin header is refused (none by default).
	AllowedHosts, AllowedOrigins []string
	// OpsWritable lets operators change the queue from /ops/ (delete, run,
	// pause tasks); by default it is read-only.
	OpsWritable bool
	// PublicMetrics serves /metrics without a token (for a scraper on a
	// private network); by default it needs an operator token.
	PublicMetrics bool
	// Version is reported in MCP's server info.
	Version string
	// Logger defaults to slog.Default(). Secrets are never logged.
	Logger *slog.Logger
}

// Gateway is toolq's HTTP front door: REST, MCP, operators' views. It is an
// http.Handler; see Server for the timeouts to serve it with.
type Gateway struct {
	opts    Options
	client  *jobs.Client
	reg     *tools.Registry
	auth    *authenticator
	st      *store
	queues  map[string]bool
	log     *slog.Logger
	metrics *metrics
	handler http.Handler
	stop    context.CancelFunc
	wg      sync.WaitGroup
}

// New builds a gateway. It starts one background subscription to
// toolq:done (which frees concurrent-job slots as jobs finish); Close stops
// it.
func New(opts Options) (*Gateway, error) {
	if opts.Redis == nil {
		return nil, errors.New("gateway: Options.Redis is required")
	}
	if len(opts.Tokens) == 0 {
		return nil, errors.New("gateway: no tokens configured; every request would be refused")
	}
	co := jobs.ClientOptions{}
	if opts.Client != nil {
		co = *opts.Client
	}
	if co.Registry == nil {
		co.Registry = tools.Standard()
	}
	if co.Timeout <= 0 {
		co.Timeout = jobs.DefaultTimeout
	}
	if co.MemoryBytes <= 0 {
		co.MemoryBytes = jobs.DefaultMemoryBytes
	}
	if co.ResultTTL <= 0 {
		co.ResultTTL = jobs.DefaultResultTTL
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if co.Logger == nil {
		co.Logger = opts.Logger
	}
	opts.Client = &co
	setDefault(&opts.Rate, DefaultRate)
	setDefault(&opts.Burst, DefaultBurst)
	setDefault(&opts.MaxJobs, DefaultMaxJobs)
	setDefault(&opts.MaxBodyBytes, DefaultMaxBodyBytes)
	setDefault(&opts.MaxWait, DefaultMaxWait)
	setDefault(&opts.CallWait, DefaultCallWait)
	setDefault(&opts.MCPWait, DefaultMCPWait)
	setDefault(&opts.ProgressInterval, DefaultProgressInterval)
	if len(opts.Queues) == 0 {
		opts.Queues = []string{jobs.DefaultQueue}
	}
	if len(opts.AllowedHosts) == 0 {
		opts.AllowedHosts = []string{"localhost", "127.0.0.1", "[::1]"}
	}
	if opts.Version == "" {
		opts.Version = "dev"
	}
	g := &Gateway{
		opts:   opts,
		client: jobs.NewClient(opts.Redis, &co),
		reg:    co.Registry,
		auth:   newAuthenticator(opts.Tokens, opts.Rate, opts.Burst, opts.MaxJobs),
		st: &store{
			rdb: opts.Redis, resultTTL: co.ResultTTL,
			ownerTTL:   2*co.ResultTTL + time.Hour,
			staleAfter: 2*co.ResultTTL + time.Hour,
		},
		queues:  map[string]bool{},
		log:     opts.Logger,
		metrics: newMetrics(),
	}
	for _, q := range opts.Queues {
		g.queues[q] = true
	}
	if err := g.routes(); err != nil {
		g.client.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	g.stop = cancel
	g.wg.Add(1)
	go func() { defer g.wg.Done(); g.followDone(ctx) }()
	return g, nil
}

func setDefault[T int | int64 | float64 | time.Duration](p *T, def T) {
	if *p <= 0 {
		*p = def
	}
}

// Close stops the background subscription and the jobs client. It does not
// close the Redis client.
func (g *Gateway) Close() error {
	g.stop()
	g.wg.Wait()
	return g.client.Close()
}

// ServeHTTP implements http.Handler.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) { g.handler.ServeHTTP(w, r) }

// Timeouts are the http.Server timeouts Server applies.
type Timeouts struct {
	ReadHeader, Read, Write, Idle time.Duration
}

// Server returns an http.Server for the gateway on addr with a timeout on
// every phase, so that a slow or stalled client cannot hold a connection:
// headers, the whole request, the response and idle keep-alives. Handlers
// that wait on purpose (long-polls, :call, MCP calls) extend their own
// write deadline by the wait they were granted, so Write can stay short.
func (g *Gateway) Server(addr string, t Timeouts) *http.Server {
	setDefault(&t.ReadHeader, DefaultReadHeaderTimout)
	setDefault(&t.Read, DefaultReadTimeout)
	setDefault(&t.Write, DefaultWriteTimeout)
	setDefault(&t.Idle, DefaultIdleTimeout)
	return &http.Server{
		Addr:              addr,
		Handler:           g,
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       t.Read,
		WriteTimeout:      t.Write,
		IdleTimeout:       t.Idle,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(g.log.Handler(), slog.LevelWarn),
	}
}

// followDone frees concurrent-job slots as jobs finish: every final record
// is announced on toolq:done. A message missed while the subscription is
// down costs nothing but a slot held until the next admission prunes it.
func (g *Gateway) followDone(ctx context.Context) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		ps := g.opts.Redis.Subscribe(ctx, jobs.DoneChannel)
		if _, err := ps.Receive(ctx); err == nil {
			backoff = 100 * time.Millisecond
			ch := ps.Channel()
		follow:
			for {
				select {
				case msg, ok := <-ch:
					if !ok {
						break follow
					}
					g.st.finished(ctx, msg.Payload)
				case <-ctx.Done():
					break follow
				}
			}
		}
		_ = ps.Close()
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

func (g *Gateway) routes() error {
	mux := http.NewServeMux()
	api := func(h http.HandlerFunc) http.Handler { return g.authenticated(h) }
	mux.Handle("GET /v1/tools", api(g.listTools))
	mux.Handle("GET /v1/tools/{name}", api(g.getTool))
	mux.Handle("POST /v1/tools/{name}", api(g.callTool)) // {name} is "NAME:call"
	mux.Handle("POST /v1/jobs", api(g.submitJob))
	mux.Handle("GET /v1/jobs/{id}", api(g.getJob))
	mux.Handle("DELETE /v1/jobs/{id}", api(g.cancelJob))
	mux.HandleFunc("GET /healthz", g.healthz)
	mux.HandleFunc("GET /readyz", g.readyz)
	mux.HandleFunc("GET /openapi.json", serveOpenAPI)
	mux.Handle("GET /metrics", g.metricsHandler())
	mcpHandler, err := g.mcpHandler()
	if err != nil {
		return err
	}
	mux.Handle("/mcp", mcpHandler)
	mux.Handle("/ops/", g.opsHandler())
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, errcode.New(CodeNotFound, "No route for %s %s", r.Method, r.URL.Path))
	})
	g.handler = g.observe(mux)
	return nil
}

// ctxKey carries the authenticated principal.
type ctxKey struct{}

func principalFrom(ctx context.Context) *principal {
	p, _ := ctx.Value(ctxKey{}).(*principal)
	return p
}

// authenticated requires a bearer token and applies its rate limit.
func (g *Gateway) authenticated(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := g.auth.fromRequest(r, false)
		if err != nil {
			g.metrics.rejected.WithLabelValues("unauthorized").Inc()
			w.Header().Set("WWW-Authenticate", `Bearer realm="toolq"`)
			writeError(w, http.StatusUnauthorized, errcode.New(CodeUnauthorized, "A valid bearer token is required (Authorization: Bearer TOKEN)"))
			return
		}
		setPrincipalLabel(r, p.Name)
		if !g.rateLimit(w, r, p) {
			return
		}
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, p)))
	})
}

// rateLimit answers 429 with Retry-After when p is over its rate.
func (g *Gateway) rateLimit(w http.ResponseWriter, r *http.Request, p *principal) bool {
	wait, err := g.st.allow(r.Context(), p)
	if err != nil {
		g.unavailable(w, err)
		return false
	}
	if wait > 0 {
		g.metrics.rejected.WithLabelValues("rate_limited").Inc()
		w.Header().Set("Retry-After", retryAfter(wait))
		writeError(w, http.StatusTooManyRequests, errcode.New(CodeRateLimited, "Token %q is over its rate of %g requests per second; retry after %s", p.Name, p.Rate, wait.Round(time.Millisecond)).
			With("retry_after_ms", wait.Milliseconds()))
		return false
	}
	return true
}

func (g *Gateway) unavailable(w http.ResponseWriter, err error) {
	g.writeRefusal(w, g.unavailableRefusal(err))
}

func (g *Gateway) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz reports whether Redis answers, so that a load balancer takes a
// gateway that cannot reach the queue out of rotation.
func (g *Gateway) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := g.opts.Redis.Ping(ctx).Err(); err != nil {
		g.log.Warn("readyz: redis unreachable", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "redis": "unreachable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "redis": "ok"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":"internal","message":"response encoding failed","details":{}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

func writeError(w http.ResponseWriter, status int, e *errcode.Error) {
	writeJSON(w, status, e)
}

// statusFor maps a refusal before enqueue to its HTTP status.
func statusFor(code errcode.Code) int {
	switch code {
	case errcode.UnknownTool:
		return http.StatusNotFound
	case errcode.InputTooLarge:
		return http.StatusRequestEntityTooLarge
	case errcode.InputInvalid:
		return http.StatusUnprocessableEntity
	}
	return http.StatusInternalServerError
}

var jobIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// validJobID keeps ids we never issue out of Redis key names.
func validJobID(id string) bool { return jobIDPattern.MatchString(id) }

func describeQueues(q map[string]bool) string {
	var names []string
	for n := range q {
		names = append(names, n)
	}
	return strings.Join(names, ", ")
}
