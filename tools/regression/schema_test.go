package regression

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/jsonschema-go/jsonschema"
)

func TestDefs(t *testing.T) {
	t.Parallel()
	var got []string
	for _, d := range Defs() {
		got = append(got, d.Name)
		if d.Category != "regression" {
			t.Errorf("%s: category %q, want regression", d.Name, d.Category)
		}
		if d.Run == nil || d.Check == nil || len(d.Schema) == 0 || len(d.Description) < 200 {
			t.Errorf("%s: incomplete definition", d.Name)
		}
		if !strings.Contains(d.Description, "5000") {
			t.Errorf("%s: description does not state the 5000-point cap", d.Name)
		}
	}
	if want := []string{"robust_regression", "repeated_median"}; !slices.Equal(got, want) {
		t.Fatalf("Defs() names = %v, want %v", got, want)
	}
}

func TestSchemas(t *testing.T) {
	t.Parallel()
	cases := []struct {
		tool  string
		valid []string
		bad   []string
	}{
		{
			tool: "robust_regression",
			valid: []string{`{"x": [1, 2, 3], "y": [1, null, 3]}`, `{"x": [1, 2, 3], "y": [1, 2, 3], "confidence_level": 0.99, "fit_intercept": false}`,
				`{"x": [1, 2, 3], "y": [1, 2, 3, 4]}`}, // lengths are Check's business
			bad: []string{`{"x": [1, 2], "y": [1, 2]}`, `{"x": [1, 2, 3]}`, `{"x": [1, 2, 3], "y": [1, 2, "3"]}`,
				`{"x": [1, 2, 3], "y": [1, 2, 3], "confidence_level": 0}`, `{"x": [1, 2, 3], "y": [1, 2, 3], "fit_intercept": "no"}`,
				`{"x": [1, 2, 3], "y": [1, 2, 3], "conflevel": 0.9}`, `{"x": [[1], [2], [3]], "y": [1, 2, 3]}`},
		},
		{
			tool:  "repeated_median",
			valid: []string{`{"x": [1, 2, 3], "y": [1, 2, 3]}`, `{"x": [null, null, null], "y": [1, 2, 3]}`},
			bad:   []string{`{"x": [1, 2], "y": [1, 2, 3]}`, `{"y": [1, 2, 3]}`, `{"x": [1, 2, 3], "y": [1, 2, 3], "fit_intercept": true}`, `[]`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.tool, func(t *testing.T) {
			t.Parallel()
			var sch jsonschema.Schema
			if err := json.Unmarshal(def(t, tc.tool).Schema, &sch); err != nil {
				t.Fatal(err)
			}
			rs, err := sch.Resolve(nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, in := range tc.valid {
				var doc any
				_ = json.Unmarshal([]byte(in), &doc)
				if err := rs.Validate(doc); err != nil {
					t.Errorf("%s refused: %v", in, err)
				}
			}
			for _, in := range tc.bad {
				var doc any
				_ = json.Unmarshal([]byte(in), &doc)
				if err := rs.Validate(doc); err == nil {
					t.Errorf("%s accepted", in)
				}
			}
		})
	}
}
