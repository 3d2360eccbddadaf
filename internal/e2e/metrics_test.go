package e2e

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/toolq/toolq/internal/harness"
)

// TestWorkerMetrics: with TOOLQ_METRICS_ADDR the worker serves Prometheus
// metrics that count its calls by tool, state and code, and the runtime
// figures a leak would show.
func TestWorkerMetrics(t *testing.T) {
	t.Parallel()
	addr, err := harness.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	e.startWorker("TOOLQ_METRICS_ADDR=" + addr)
	for _, c := range [][]string{
		{"--wait", "diag_echo", `{"value": 1}`},
		{"--wait", "diag_echo", `{"value": 2}`},
		{"--wait", "diag_panic"},
		{"--wait", "--timeout", "1s", "diag_sleep", `{"seconds": 5}`},
	} {
		e.enqueue(c...)
	}
	get := func() string {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	wants := []string{
		`toolq_worker_calls_total{code="",state="succeeded",tool="diag_echo"} 2`,
		`toolq_worker_calls_total{code="tool_crashed",state="failed",tool="diag_panic"} 1`,
		`toolq_worker_calls_total{code="timeout",state="failed",tool="diag_sleep"} 1`,
		`toolq_worker_sandbox_runs_total{status="timed_out",tool="diag_sleep"} 1`,
		`toolq_worker_sandboxes_running 0`,
		`toolq_worker_sandbox_seconds_count{tool="diag_echo"} 2`,
		`toolq_worker_info{enforcement=`,
		"go_goroutines ",
		"process_open_fds ",
		"process_resident_memory_bytes ",
	}
	// The worker counts a call just after writing its record, so the
	// caller can see the record a moment before the counter moves.
	var body string
	var missing []string
	for deadline := time.Now().Add(10 * time.Second); ; {
		body, missing = get(), nil
		for _, w := range wants {
			if !strings.Contains(body, w) {
				missing = append(missing, w)
			}
		}
		if len(missing) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, w := range missing {
		t.Errorf("/metrics lacks %s", w)
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", body)
	}
}
