package main

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/jobs"
	"github.com/toolq/toolq/tools"
)

// TestMetricsBoundToolLabels: a call names its own tool, so a tool the
// registry does not know is counted as "unknown" rather than minting a
// series per name a caller invents.
func TestMetricsBoundToolLabels(t *testing.T) {
	m := newMetrics(tools.Standard())
	for _, name := range []string{"no_such_tool_1", "no_such_tool_2", "robust_summary_stats"} {
		m.Finished(&jobs.Envelope{Tool: name, State: jobs.Failed, Error: errcode.New(errcode.InputInvalid, "x")}, false)
	}
	m.Finished(&jobs.Envelope{Tool: "robust_summary_stats", State: jobs.Succeeded}, true)
	if got := testutil.ToFloat64(m.calls.WithLabelValues("unknown", "failed", "input_invalid")); got != 2 {
		t.Errorf("unknown tools counted %v, want 2", got)
	}
	if got := testutil.ToFloat64(m.calls.WithLabelValues("robust_summary_stats", "failed", "input_invalid")); got != 1 {
		t.Errorf("known tool counted %v, want 1", got)
	}
	if got := testutil.CollectAndCount(m.calls); got != 2 {
		t.Errorf("%d series, want 2", got)
	}
	if got := testutil.ToFloat64(m.superseded); got != 1 {
		t.Errorf("superseded %v, want 1", got)
	}
}
