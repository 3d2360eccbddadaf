package regression_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
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
	cases := []struct {
		name     string
		tool     string
		input    string
		wantCode errcode.Code // "" for success
		wantOut  map[string]any
	}{
		{
			name: "defaults as null", tool: "robust_regression",
			input:   `{"x": [1, 2, 3, 4], "y": [2, 4, 6, 8], "confidence_level": null, "fit_intercept": null}`,
			wantOut: map[string]any{"slope": 2.0, "intercept": 0.0, "confidence_level": 0.95, "n": 4.0},
		},
		{name: "too few items", tool: "robust_regression", input: `{"x": [1, 2], "y": [1, 2]}`, wantCode: errcode.InputInvalid},
		{name: "confidence level 1", tool: "robust_regression", input: `{"x": [1, 2, 3], "y": [1, 2, 3], "confidence_level": 1}`, wantCode: errcode.InputInvalid},
		{name: "fit_intercept not a boolean", tool: "robust_regression", input: `{"x": [1, 2, 3], "y": [1, 2, 3], "fit_intercept": 1}`, wantCode: errcode.InputInvalid},
		{name: "length mismatch", tool: "robust_regression", input: `{"x": [1, 2, 3], "y": [1, 2, 3, 4]}`, wantCode: errcode.InputInvalid},
		{name: "missing leaves two pairs", tool: "robust_regression", input: `{"x": [1, 2, null], "y": [1, 2, 3]}`, wantCode: errcode.ToolError},
		{name: "over the cap", tool: "repeated_median", input: pairs(5001), wantCode: errcode.InputTooLarge},
		{name: "over the cap", tool: "robust_regression", input: pairs(5001), wantCode: errcode.InputTooLarge},
		{name: "missing y", tool: "repeated_median", input: `{"x": [1, 2, 3]}`, wantCode: errcode.InputInvalid},
		{
			name: "slope", tool: "repeated_median", input: `{"x": [0, 1, 2, 3], "y": [5, 1, 6, 72]}`,
			wantOut: map[string]any{"slope": 5.0, "n": 4.0},
		},
	}
	for _, tc := range cases {
		t.Run(tc.tool+"/"+tc.name, func(t *testing.T) {
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
	// The cap is inclusive: 5000 pairs pass validation (not run here: the
	// O(N²) fit is timed by the stats benchmark instead).
	if _, err := reg.Validate("repeated_median", []byte(pairs(5000)), nil); err != nil {
		t.Errorf("5000 pairs refused: %v", err)
	}
}
