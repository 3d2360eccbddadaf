package monitoring_test

import (
	"slices"
	"testing"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools"
	"github.com/toolq/toolq/tools/internal/tooltest"
)

// TestThroughRegistry runs the family through the real registry: size caps,
// null removal, schema, Check, then Execute, as a worker does.
func TestThroughRegistry(t *testing.T) {
	t.Parallel()
	reg := tools.Standard()
	reg.CompileAll()
	names := reg.Names()
	i := slices.Index(names, "control_chart")
	if i < 0 || i+1 >= len(names) || names[i+1] != "process_capability" {
		t.Fatalf("registry %v lacks control_chart followed by process_capability", names)
	}
	for _, s := range reg.Specs("monitoring") {
		if s.Name != "control_chart" && s.Name != "process_capability" {
			t.Errorf("unexpected monitoring tool %s", s.Name)
		}
	}
	cases := []tooltest.RegistryCase{
		{
			Name: "top-level nulls mean defaults", Tool: "control_chart",
			Input:   `{"values": [33, 30, 29, 30, 27, 32, 17], "chart_type": "shewhart", "style": null}`,
			WantOut: map[string]any{"target": 30.0, "style": "robust", "n_out_of_control": 1.0},
		},
		{
			Name: "cusum refused by the schema", Tool: "control_chart",
			Input: `{"values": [1, 2, 3, 4, 5], "chart_type": "cusum"}`, WantCode: errcode.InputInvalid,
		},
		{
			Name: "regular Holt-Winters refused by Check", Tool: "control_chart",
			Input: `{"values": [1, 2, 3, 4, 5], "style": "regular"}`, WantCode: errcode.InputInvalid,
		},
		{
			Name: "too few values", Tool: "control_chart",
			Input: `{"values": [1, 2, 3, 4]}`, WantCode: errcode.InputInvalid,
		},
		{
			Name: "all missing", Tool: "control_chart",
			Input: `{"values": [null, null, null, null, null]}`, WantCode: errcode.ToolError,
		},
		{
			Name: "spec null means no limit", Tool: "process_capability",
			Input:   `{"values": [10.1, 10.2, 9.9, 10.0, 10.05, 9.95, 10.12, 9.88], "lower_spec": null, "upper_spec": 10.5, "robust": false}`,
			WantOut: map[string]any{"lower_spec": nil, "upper_spec": 10.5, "n": 8.0},
		},
		{
			Name: "reversed limits", Tool: "process_capability",
			Input: `{"values": [1, 2, 3, 4, 5], "lower_spec": 4, "upper_spec": 2}`, WantCode: errcode.InputInvalid,
		},
		{
			Name: "unknown key", Tool: "process_capability",
			Input: `{"values": [1, 2, 3, 4, 5], "usl": 2}`, WantCode: errcode.InputInvalid,
		},
	}
	tooltest.RunRegistryCases(t, reg, cases)
}
