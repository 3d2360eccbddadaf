package regression

import (
	"slices"
	"strings"
	"testing"

	"github.com/toolq/toolq/tools/internal/tooltest"
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
	tooltest.RunSchemaCases(t, Defs(), []tooltest.SchemaCase{
		{
			Tool: "robust_regression",
			Valid: []string{`{"x": [1, 2, 3], "y": [1, null, 3]}`, `{"x": [1, 2, 3], "y": [1, 2, 3], "confidence_level": 0.99, "fit_intercept": false}`,
				`{"x": [1, 2, 3], "y": [1, 2, 3, 4]}`}, // lengths are Check's business
			Bad: []string{`{"x": [1, 2], "y": [1, 2]}`, `{"x": [1, 2, 3]}`, `{"x": [1, 2, 3], "y": [1, 2, "3"]}`,
				`{"x": [1, 2, 3], "y": [1, 2, 3], "confidence_level": 0}`, `{"x": [1, 2, 3], "y": [1, 2, 3], "fit_intercept": "no"}`,
				`{"x": [1, 2, 3], "y": [1, 2, 3], "conflevel": 0.9}`, `{"x": [[1], [2], [3]], "y": [1, 2, 3]}`},
		},
		{
			Tool:  "repeated_median",
			Valid: []string{`{"x": [1, 2, 3], "y": [1, 2, 3]}`, `{"x": [null, null, null], "y": [1, 2, 3]}`},
			Bad:   []string{`{"x": [1, 2], "y": [1, 2, 3]}`, `{"y": [1, 2, 3]}`, `{"x": [1, 2, 3], "y": [1, 2, 3], "fit_intercept": true}`, `[]`},
		},
	})
}
