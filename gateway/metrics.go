package gateway

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/toolq/toolq/errcode"
)

// metrics are the gateway's Prometheus series, on a registry of its own so
// that two gateways in one process (tests) do not collide.
type metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	inflight  prometheus.Gauge
	submitted *prometheus.CounterVec
	rejected  *prometheus.CounterVec
	mcpCalls  *prometheus.CounterVec
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "toolq_gateway_http_requests_total", Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "toolq_gateway_http_request_duration_seconds", Help: "HTTP request latency by route (long-polls included).",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"route"}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "toolq_gateway_http_inflight_requests", Help: "Requests being served.",
		}),
		submitted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "toolq_gateway_jobs_submitted_total", Help: "Jobs enqueued through the gateway, by interface (rest, mcp).",
		}, []string{"via"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "toolq_gateway_rejected_total", Help: "Requests refused before enqueue, by reason.",
		}, []string{"reason"}),
		mcpCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "toolq_gateway_mcp_tool_calls_total", Help: "MCP tools/call answers by outcome (ok, error, pending).",
		}, []string{"outcome"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.inflight, m.submitted, m.rejected, m.mcpCalls,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// metricsHandler serves /metrics: to operators, or to anyone when
// PublicMetrics is set.
func (g *Gateway) metricsHandler() http.Handler {
	h := promhttp.HandlerFor(g.metrics.reg, promhttp.HandlerOpts{})
	if g.opts.PublicMetrics {
		return h
	}
	return g.operatorOnly(h, false)
}

// reqInfo is what the observing middleware learns from inner handlers.
type reqInfo struct{ principal string }

type infoKey struct{}

func setPrincipalLabel(r *http.Request, name string) {
	if ri, ok := r.Context().Value(infoKey{}).(*reqInfo); ok {
		ri.principal = name
	}
}

// observe counts, times and logs every request. It logs the token's name,
// never the Authorization header.
func (g *Gateway) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ri := &reqInfo{}
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		g.metrics.inflight.Inc()
		r = r.WithContext(context.WithValue(r.Context(), infoKey{}, ri))
		// The body limit is applied here, on the server's own writer, as
		// well as where bodies are decoded: only then does hitting it mark
		// the connection to be closed after the answer, instead of the
		// server trying to drain the rest of an oversized body first
		// (which a client that never sends it would stall forever).
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, g.opts.MaxBodyBytes)
		}
		next.ServeHTTP(rec, r)
		g.metrics.inflight.Dec()
		route := r.Pattern
		if route == "" {
			route = "other"
		}
		el := time.Since(start)
		g.metrics.requests.WithLabelValues(route, r.Method, strconv.Itoa(rec.status)).Inc()
		g.metrics.latency.WithLabelValues(route).Observe(el.Seconds())
		g.log.Debug("request", "method", r.Method, "route", route, "path", r.URL.Path, "status", rec.status,
			"ms", float64(el.Microseconds())/1000, "token", ri.principal, "remote", r.RemoteAddr)
	})
}

// recorder remembers the status. Unwrap lets http.ResponseController reach
// the connection (write deadlines, flushes for MCP's event streams).
type recorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *recorder) Flush() {
	_ = http.NewResponseController(r.ResponseWriter).Flush()
}

func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h, ok := r.ResponseWriter.(http.Hijacker); ok {
		return h.Hijack()
	}
	return nil, nil, errors.New("gateway: connection cannot be hijacked")
}

// operatorOnly admits operator tokens only. basic also accepts HTTP Basic
// credentials with the token as password, because a browser opening /ops/
// cannot send a bearer header but does send Basic after its prompt.
func (g *Gateway) operatorOnly(h http.Handler, basic bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := g.auth.fromRequest(r, basic)
		if err != nil {
			g.metrics.rejected.WithLabelValues("unauthorized").Inc()
			if basic {
				w.Header().Set("WWW-Authenticate", `Basic realm="toolq operators", charset="UTF-8"`)
			} else {
				w.Header().Set("WWW-Authenticate", `Bearer realm="toolq"`)
			}
			writeError(w, http.StatusUnauthorized, errcode.New(CodeUnauthorized, "An operator token is required"))
			return
		}
		setPrincipalLabel(r, p.Name)
		if !p.Operator {
			g.metrics.rejected.WithLabelValues("forbidden").Inc()
			writeError(w, http.StatusForbidden, errcode.New(CodeForbidden, "Token %q is not an operator token", p.Name))
			return
		}
		h.ServeHTTP(w, r)
	})
}
