package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/toolq/toolq/jobs"
	"github.com/toolq/toolq/sandbox"
	"github.com/toolq/toolq/tools"
)

// metrics is the worker's Prometheus registry: what its calls did, through
// the jobs.Observer hooks, plus the Go runtime and process collectors
// (goroutines, heap, resident memory, open files) that show a leak.
type metrics struct {
	reg        *prometheus.Registry
	known      *tools.Registry
	running    prometheus.Gauge
	runs       *prometheus.CounterVec
	wall       *prometheus.HistogramVec
	peak       prometheus.Histogram
	calls      *prometheus.CounterVec
	superseded prometheus.Counter
	info       *prometheus.GaugeVec
}

func newMetrics(known *tools.Registry) *metrics {
	m := &metrics{
		reg:   prometheus.NewRegistry(),
		known: known,
		running: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "toolq_worker_sandboxes_running", Help: "Children running now.",
		}),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "toolq_worker_sandbox_runs_total", Help: "Sandboxed runs by tool and the sandbox's verdict (setup_error when no child started).",
		}, []string{"tool", "status"}),
		wall: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "toolq_worker_sandbox_seconds", Help: "Wall time of a sandboxed run, start to cgroup removal.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 14),
		}, []string{"tool"}),
		peak: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "toolq_worker_sandbox_peak_memory_bytes", Help: "Peak memory of a sandboxed run.",
			Buckets: prometheus.ExponentialBuckets(1<<20, 2, 13),
		}),
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "toolq_worker_calls_total", Help: "Final records this worker wrote, by tool, state and error code.",
		}, []string{"tool", "state", "code"}),
		superseded: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "toolq_worker_superseded_total", Help: "Calls this worker finished after another writer had (a cancellation, a duplicate delivery): work done twice.",
		}),
		info: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "toolq_worker_info", Help: "Always 1; the labels describe the worker.",
		}, []string{"name", "version", "enforcement"}),
	}
	m.reg.MustRegister(m.running, m.runs, m.wall, m.peak, m.calls, m.superseded, m.info,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// describe sets toolq_worker_info once the worker's name is known.
func (m *metrics) describe(name, enforcement string) {
	m.info.WithLabelValues(name, version, enforcement).Set(1)
}

// tool bounds the label's values to the registry's names: a call names its
// tool, and a caller must not be able to mint series.
func (m *metrics) tool(name string) string {
	if _, ok := m.known.Lookup(name); ok {
		return name
	}
	return "unknown"
}

func (m *metrics) SandboxStarted(string) { m.running.Inc() }

func (m *metrics) SandboxEnded(tool string, out *sandbox.Outcome) {
	m.running.Dec()
	tool = m.tool(tool)
	if out == nil {
		m.runs.WithLabelValues(tool, "setup_error").Inc()
		return
	}
	m.runs.WithLabelValues(tool, string(out.Status)).Inc()
	m.wall.WithLabelValues(tool).Observe(out.Usage.Wall.Seconds())
	m.peak.Observe(float64(out.Usage.PeakMemory))
}

func (m *metrics) Finished(env *jobs.Envelope, superseded bool) {
	if superseded {
		m.superseded.Inc()
		return
	}
	code := ""
	if env.Error != nil {
		code = string(env.Error.Code)
	}
	m.calls.WithLabelValues(m.tool(env.Tool), string(env.State), code).Inc()
}

// serve answers GET /metrics on addr until ctx ends.
func (m *metrics) serve(ctx context.Context, addr string, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       time.Minute,
	}
	log.Info("metrics listening", "addr", ln.Addr().String())
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server stopped", "err", err)
		}
	}()
	return nil
}
