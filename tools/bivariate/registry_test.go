package bivariate_test

import (
	"slices"
	"testing"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools"
	"github.com/toolq/toolq/tools/internal/tooltest"
)

// TestThroughRegistry runs find_elbow through the real registry: size caps,
// null removal, schema, Check, then Execute, as a worker does.
func TestThroughRegistry(t *testing.T) {
	t.Parallel()
	reg := tools.Standard()
	reg.CompileAll()
	names := reg.Names()
	i := slices.Index(names, "find_elbow")
	if i < 1 || names[i-1] != "repeated_median" {
		t.Fatalf("registry %v: want find_elbow right after repeated_median", names)
	}
	if spec, _ := reg.Lookup("find_elbow"); spec.Category != "bivariate" {
		t.Errorf("category %q, want bivariate", spec.Category)
	}
	cases := []tooltest.RegistryCase{
		{
			Name:    "scree plot",
			Input:   `{"x": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], "y": [40, 25, 15, 8, 5, 3, 2.5, 2.2, 2, 1.8, 1.7, 1.6]}`,
			WantOut: map[string]any{"elbow_index": 5.0, "elbow_x": 6.0, "elbow_y": 3.0, "n": 12.0},
		},
		{
			// [obs] the seed's own docstring example, 8 points: the seed
			// answered {"error": "Requires more than 10 values …"}.
			Name:  "the seed's 8-point example",
			Input: `{"x": [1, 2, 3, 4, 5, 6, 7, 8], "y": [40, 25, 15, 8, 5, 3, 2, 2]}`, WantCode: errcode.InputInvalid,
		},
		{
			Name:  "ten complete pairs",
			Input: `{"x": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], "y": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, null]}`, WantCode: errcode.ToolError,
		},
		{Name: "length mismatch", Input: `{"x": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], "y": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]}`, WantCode: errcode.InputInvalid},
		{Name: "unknown key", Input: `{"x": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], "y": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], "max_iter": 40}`, WantCode: errcode.InputInvalid},
		{Name: "no y", Input: `{"x": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]}`, WantCode: errcode.InputInvalid},
		{Name: "a straight line", Input: `{"x": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], "y": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]}`, WantCode: errcode.ToolError},
	}
	for i := range cases {
		cases[i].Tool = "find_elbow"
	}
	tooltest.RunRegistryCases(t, reg, cases)
}
