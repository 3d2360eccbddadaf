package regression_test

import (
	"slices"
	"strings"
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
	i := slices.Index(names, "robust_regression")
	if i < 0 || i+1 >= len(names) || names[i+1] != "repeated_median" {
		t.Fatalf("registry %v: want robust_regression then repeated_median", names)
	}
	for _, name := range []string{"robust_regression", "repeated_median"} {
		if spec, _ := reg.Lookup(name); spec.Category != "regression" {
			t.Errorf("%s: category %q, want regression", name, spec.Category)
		}
	}
	pairs := func(n int) string {
		v := make([]string, n)
		for i := range v {
			v[i] = "1"
		}
		s := "[" + strings.Join(v, ",") + "]"
		return `{"x": ` + s + `, "y": ` + s + `}`
	}
	cases := []tooltest.RegistryCase{
		{
			Name: "defaults as null", Tool: "robust_regression",
			Input:   `{"x": [1, 2, 3, 4], "y": [2, 4, 6, 8], "confidence_level": null, "fit_intercept": null}`,
			WantOut: map[string]any{"slope": 2.0, "intercept": 0.0, "confidence_level": 0.95, "n": 4.0},
		},
		{Name: "too few items", Tool: "robust_regression", Input: `{"x": [1, 2], "y": [1, 2]}`, WantCode: errcode.InputInvalid},
		{Name: "confidence level 1", Tool: "robust_regression", Input: `{"x": [1, 2, 3], "y": [1, 2, 3], "confidence_level": 1}`, WantCode: errcode.InputInvalid},
		{Name: "fit_intercept not a boolean", Tool: "robust_regression", Input: `{"x": [1, 2, 3], "y": [1, 2, 3], "fit_intercept": 1}`, WantCode: errcode.InputInvalid},
		{Name: "length mismatch", Tool: "robust_regression", Input: `{"x": [1, 2, 3], "y": [1, 2, 3, 4]}`, WantCode: errcode.InputInvalid},
		{Name: "missing leaves two pairs", Tool: "robust_regression", Input: `{"x": [1, 2, null], "y": [1, 2, 3]}`, WantCode: errcode.ToolError},
		{Name: "over the cap", Tool: "repeated_median", Input: pairs(5001), WantCode: errcode.InputTooLarge},
		{Name: "over the cap", Tool: "robust_regression", Input: pairs(5001), WantCode: errcode.InputTooLarge},
		{Name: "missing y", Tool: "repeated_median", Input: `{"x": [1, 2, 3]}`, WantCode: errcode.InputInvalid},
		{
			Name: "slope", Tool: "repeated_median", Input: `{"x": [0, 1, 2, 3], "y": [5, 1, 6, 72]}`,
			WantOut: map[string]any{"slope": 5.0, "n": 4.0},
		},
	}
	for i := range cases {
		cases[i].Name = cases[i].Tool + "/" + cases[i].Name
	}
	tooltest.RunRegistryCases(t, reg, cases)
	// The cap is inclusive: 5000 pairs pass validation (not run here: the
	// O(N²) fit is timed by the stats benchmark instead).
	if _, err := reg.Validate("repeated_median", []byte(pairs(5000)), nil); err != nil {
		t.Errorf("5000 pairs refused: %v", err)
	}
}
