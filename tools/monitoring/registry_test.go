package monitoring_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools"
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
	cases := []struct {
		name     string
		tool     string
		input    string
		wantCode errcode.Code // "" for success
		wantOut  map[string]any
	}{
		{
			name: "top-level nulls mean defaults", tool: "control_chart",
			input:   `{"values": [33, 30, 29, 30, 27, 32, 17], "chart_type": "shewhart", "style": null}`,
			wantOut: map[string]any{"target": 30.0, "style": "robust", "n_out_of_control": 1.0},
		},
		{
			name: "cusum refused by the schema", tool: "control_chart",
			input: `{"values": [1, 2, 3, 4, 5], "chart_type": "cusum"}`, wantCode: errcode.InputInvalid,
		},
		{
			name: "regular Holt-Winters refused by Check", tool: "control_chart",
			input: `{"values": [1, 2, 3, 4, 5], "style": "regular"}`, wantCode: errcode.InputInvalid,
		},
		{
			name: "too few values", tool: "control_chart",
			input: `{"values": [1, 2, 3, 4]}`, wantCode: errcode.InputInvalid,
		},
		{
			name: "all missing", tool: "control_chart",
			input: `{"values": [null, null, null, null, null]}`, wantCode: errcode.ToolError,
		},
		{
			name: "spec null means no limit", tool: "process_capability",
			input:   `{"values": [10.1, 10.2, 9.9, 10.0, 10.05, 9.95, 10.12, 9.88], "lower_spec": null, "upper_spec": 10.5, "robust": false}`,
			wantOut: map[string]any{"lower_spec": nil, "upper_spec": 10.5, "n": 8.0},
		},
		{
			name: "reversed limits", tool: "process_capability",
			input: `{"values": [1, 2, 3, 4, 5], "lower_spec": 4, "upper_spec": 2}`, wantCode: errcode.InputInvalid,
		},
		{
			name: "unknown key", tool: "process_capability",
			input: `{"values": [1, 2, 3, 4, 5], "usl": 2}`, wantCode: errcode.InputInvalid,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			norm, err := reg.Validate(tc.tool, []byte(tc.input), nil)
			if err == nil {
				var out json.RawMessage
				out, err = reg.Execute(context.Background(), tc.tool, norm)
				if err == nil && tc.wantCode == "" {
					var got map[string]any
					if err := json.Unmarshal(out, &got); err != nil {
						t.Fatal(err)
					}
					for k, want := range tc.wantOut {
						if got[k] != want {
							t.Errorf("%s = %v, want %v (result %s)", k, got[k], want, out)
						}
					}
					return
				}
			}
			if tc.wantCode == "" {
				t.Fatalf("unexpected error: %v", err)
			}
			var e *errcode.Error
			if !errors.As(err, &e) || e.Code != tc.wantCode {
				t.Fatalf("error %v, want code %s", err, tc.wantCode)
			}
		})
	}
}
