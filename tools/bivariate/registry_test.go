package bivariate_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools"
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
	cases := []struct {
		name     string
		input    string
		wantCode errcode.Code // "" for success
		wantOut  map[string]any
	}{
		{
			name:    "scree plot",
			input:   `{"x": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], "y": [40, 25, 15, 8, 5, 3, 2.5, 2.2, 2, 1.8, 1.7, 1.6]}`,
			wantOut: map[string]any{"elbow_index": 5.0, "elbow_x": 6.0, "elbow_y": 3.0, "n": 12.0},
		},
		{
			// [obs] the seed's own docstring example, 8 points: the seed
			// answered {"error": "Requires more than 10 values …"}.
			name:  "the seed's 8-point example",
			input: `{"x": [1, 2, 3, 4, 5, 6, 7, 8], "y": [40, 25, 15, 8, 5, 3, 2, 2]}`, wantCode: errcode.InputInvalid,
		},
		{
			name:  "ten complete pairs",
			input: `{"x": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], "y": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, null]}`, wantCode: errcode.ToolError,
		},
		{name: "length mismatch", input: `{"x": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], "y": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]}`, wantCode: errcode.InputInvalid},
		{name: "unknown key", input: `{"x": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], "y": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], "max_iter": 40}`, wantCode: errcode.InputInvalid},
		{name: "no y", input: `{"x": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]}`, wantCode: errcode.InputInvalid},
		{name: "a straight line", input: `{"x": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], "y": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]}`, wantCode: errcode.ToolError},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			norm, err := reg.Validate("find_elbow", []byte(tc.input), nil)
			if err == nil {
				var out json.RawMessage
				out, err = reg.Execute(context.Background(), "find_elbow", norm)
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
