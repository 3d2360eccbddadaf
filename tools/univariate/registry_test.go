package univariate_test

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
	if len(names) < 9 || !slices.Equal(names[:9], []string{
		"robust_summary_stats", "detect_outliers", "robust_scale_sn", "median_absolute_deviation",
		"normality_test", "confidence_interval", "ttest_two_samples", "ttest_paired_samples",
		"within_between_variance",
	}) {
		t.Fatalf("registry starts with %v, want the univariate tools in seed order", names)
	}
	cases := []tooltest.RegistryCase{
		{
			Name: "top-level null means default", Tool: "robust_summary_stats",
			Input:   `{"values": [1, 2, 3, 100], "method": null}`,
			WantOut: map[string]any{"center": 2.5},
		},
		{
			Name: "unknown key", Tool: "robust_summary_stats",
			Input: `{"values": [1, 2, 3], "rogue": "x"}`, WantCode: errcode.InputInvalid,
		},
		{
			Name: "scalar cap", Tool: "detect_outliers",
			Input: `{"values": [1, 2, 3], "max_outliers_to_detect": 21}`, WantCode: errcode.InputTooLarge,
		},
		{
			// Rosner's 54 values: the cap (20) passes, and NIST's three
			// outliers are still the answer when twenty are tested.
			Name: "cap is inclusive", Tool: "detect_outliers",
			Input: `{"values": [-0.25, 0.68, 0.94, 1.15, 1.20, 1.26, 1.26, 1.34, 1.38, 1.43, 1.49, 1.49, 1.55, 1.56,
				1.58, 1.65, 1.69, 1.70, 1.76, 1.77, 1.81, 1.91, 1.94, 1.96, 1.99, 2.06, 2.09, 2.10,
				2.14, 2.15, 2.23, 2.24, 2.26, 2.35, 2.37, 2.40, 2.47, 2.54, 2.62, 2.64, 2.90, 2.92,
				2.92, 2.93, 3.21, 3.26, 3.30, 3.59, 3.68, 4.30, 4.64, 5.34, 5.42, 6.01], "max_outliers_to_detect": 20}`,
			WantOut: map[string]any{"n_outliers_found": 3.0},
		},
		{
			Name: "paired length mismatch", Tool: "ttest_paired_samples",
			Input: `{"group_a": [1, 2, 3], "group_b": [1, 2]}`, WantCode: errcode.InputInvalid,
		},
		{
			Name: "groups length mismatch", Tool: "within_between_variance",
			Input: `{"values": [1, 2, 3], "groups": ["a", "b", "c", "d"]}`, WantCode: errcode.InputInvalid,
		},
		{
			Name: "all missing", Tool: "median_absolute_deviation",
			Input: `{"values": [null, null]}`, WantCode: errcode.ToolError,
		},
		{
			Name: "float degrees of freedom", Tool: "ttest_two_samples",
			Input:   `{"group_a": [10, 10, 10], "group_b": [10, 10, 10]}`,
			WantOut: map[string]any{"degrees_of_freedom": 4.0, "p_value": nil, "significant": false},
		},
	}
	tooltest.RunRegistryCases(t, reg, cases)
}
