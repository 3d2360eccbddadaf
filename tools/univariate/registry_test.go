package univariate_test

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
	if len(names) < 9 || !slices.Equal(names[:9], []string{
		"robust_summary_stats", "detect_outliers", "robust_scale_sn", "median_absolute_deviation",
		"normality_test", "confidence_interval", "ttest_two_samples", "ttest_paired_samples",
		"within_between_variance",
	}) {
		t.Fatalf("registry starts with %v, want the univariate tools in seed order", names)
	}
	cases := []struct {
		name     string
		tool     string
		input    string
		wantCode errcode.Code // "" for success
		wantOut  map[string]any
	}{
		{
			name: "top-level null means default", tool: "robust_summary_stats",
			input:   `{"values": [1, 2, 3, 100], "method": null}`,
			wantOut: map[string]any{"center": 2.5},
		},
		{
			name: "unknown key", tool: "robust_summary_stats",
			input: `{"values": [1, 2, 3], "rogue": "x"}`, wantCode: errcode.InputInvalid,
		},
		{
			name: "scalar cap", tool: "detect_outliers",
			input: `{"values": [1, 2, 3], "max_outliers_to_detect": 21}`, wantCode: errcode.InputTooLarge,
		},
		{
			// Rosner's 54 values: the cap (20) passes, and NIST's three
			// outliers are still the answer when twenty are tested.
			name: "cap is inclusive", tool: "detect_outliers",
			input: `{"values": [-0.25, 0.68, 0.94, 1.15, 1.20, 1.26, 1.26, 1.34, 1.38, 1.43, 1.49, 1.49, 1.55, 1.56,
				1.58, 1.65, 1.69, 1.70, 1.76, 1.77, 1.81, 1.91, 1.94, 1.96, 1.99, 2.06, 2.09, 2.10,
				2.14, 2.15, 2.23, 2.24, 2.26, 2.35, 2.37, 2.40, 2.47, 2.54, 2.62, 2.64, 2.90, 2.92,
				2.92, 2.93, 3.21, 3.26, 3.30, 3.59, 3.68, 4.30, 4.64, 5.34, 5.42, 6.01], "max_outliers_to_detect": 20}`,
			wantOut: map[string]any{"n_outliers_found": 3.0},
		},
		{
			name: "paired length mismatch", tool: "ttest_paired_samples",
			input: `{"group_a": [1, 2, 3], "group_b": [1, 2]}`, wantCode: errcode.InputInvalid,
		},
		{
			name: "groups length mismatch", tool: "within_between_variance",
			input: `{"values": [1, 2, 3], "groups": ["a", "b", "c", "d"]}`, wantCode: errcode.InputInvalid,
		},
		{
			name: "all missing", tool: "median_absolute_deviation",
			input: `{"values": [null, null]}`, wantCode: errcode.ToolError,
		},
		{
			name: "float degrees of freedom", tool: "ttest_two_samples",
			input:   `{"group_a": [10, 10, 10], "group_b": [10, 10, 10]}`,
			wantOut: map[string]any{"degrees_of_freedom": 4.0, "p_value": nil, "significant": false},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
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
