package experiments_test

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

// TestDOEToolsThroughRegistry runs visualize_doe, doe_knowledge and
// recommend_strategy through the real registry (size caps, null removal,
// schema, Check, Execute): their examples succeed, they sit in the seed's
// registry order, and malformed input is refused before it runs.
func TestDOEToolsThroughRegistry(t *testing.T) {
	t.Parallel()
	reg := tools.Standard()
	reg.CompileAll()
	names := reg.Names()
	for _, pair := range [][2]string{{"visualize_doe", "doe_knowledge"}, {"doe_knowledge", "recommend_strategy"}} {
		i, j := slices.Index(names, pair[0]), slices.Index(names, pair[1])
		if i < 0 || j != i+1 {
			t.Errorf("registry %v: want %s right before %s", names, pair[0], pair[1])
		}
	}
	for _, name := range []string{"visualize_doe", "doe_knowledge", "recommend_strategy"} {
		spec, ok := reg.Lookup(name)
		if !ok || spec.Category != "experiments" || !strings.Contains(spec.Description, "Differences from the original tool") {
			t.Errorf("%s: spec %+v", name, spec)
		}
		var schema map[string]any
		if err := json.Unmarshal(spec.InputSchema, &schema); err != nil || schema["additionalProperties"] != false {
			t.Errorf("%s: schema must refuse unknown keys", name)
		}
		for key, p := range schema["properties"].(map[string]any) {
			if d, _ := p.(map[string]any)["description"].(string); d == "" {
				t.Errorf("%s.%s has no description", name, key)
			}
		}
		example := reg.Example(name)
		norm, err := reg.Validate(name, []byte(example), nil)
		if err != nil {
			t.Fatalf("%s example %s: %v", name, example, err)
		}
		out, err := reg.Execute(context.Background(), name, norm)
		if err != nil || !json.Valid(out) {
			t.Fatalf("%s example: %v", name, err)
		}
	}

	long := strings.Repeat("x", 100_001)
	rows := make([]string, 10_001)
	for i := range rows {
		rows[i] = `{"A": 1}`
	}
	for _, tc := range []struct {
		tool, input string
		code        errcode.Code
	}{
		{"visualize_doe", `{}`, errcode.InputInvalid},
		{"visualize_doe", `{"plot_type": "pareto", "analysis_results": {"effects": {"A": "x"}}}`, errcode.InputInvalid},
		{"visualize_doe", `{"plot_type": "pareto", "confidence_level": 1.5, "analysis_results": {"effects": {"A": 1}}}`, errcode.InputInvalid},
		{"visualize_doe", `{"plot_type": "pareto", "design_data": [{"A": {"b": 1}}]}`, errcode.InputInvalid},
		{"visualize_doe", `{"plot_type": "pareto", "design_data": [` + strings.Join(rows, ",") + `]}`, errcode.InputTooLarge},
		{"visualize_doe", `{"plot_type": "contour", "analysis_results": {"effects": {"A": 1}}}`, errcode.InputInvalid},
		{"visualize_doe", `{"plot_type": "pareto", "response_column": "` + long + `"}`, errcode.InputTooLarge},
		{"doe_knowledge", `{"topic": "astrology"}`, errcode.InputInvalid},
		{"doe_knowledge", `{"context": {"n_factors": "many"}}`, errcode.InputInvalid},
		{"doe_knowledge", `{"context": {"colour": 1}}`, errcode.InputInvalid},
		{"doe_knowledge", `{"query": "` + long + `"}`, errcode.InputTooLarge},
		{"recommend_strategy", `{}`, errcode.InputInvalid},
		{"recommend_strategy", `{"factors": [{"name": "A"}]}`, errcode.InputInvalid},
		{"recommend_strategy", `{"factors": [` + strings.Repeat(`{"name": "A", "low": 0, "high": 1}, `, 50) + `{"name": "B", "low": 0, "high": 1}]}`, errcode.InputTooLarge},
		{"recommend_strategy", `{"factors": [{"name": "A", "low": 0, "high": 1}], "budget": 20000}`, errcode.InputTooLarge},
		{"recommend_strategy", `{"factors": [{"name": "A", "low": 0, "high": 1}], "budget": 0}`, errcode.InputInvalid},
		{"recommend_strategy", `{"factors": [{"name": "A", "low": 0, "high": 1}], "domain": "astrology"}`, errcode.InputInvalid},
	} {
		_, err := reg.Validate(tc.tool, []byte(tc.input), nil)
		var e *errcode.Error
		if !errors.As(err, &e) || e.Code != tc.code {
			in := tc.input
			if len(in) > 120 {
				in = in[:120] + "…"
			}
			t.Errorf("%s %s: error %v, want %s", tc.tool, in, err, tc.code)
		}
	}

	// Nulls at the top level mean "use the default".
	norm, err := reg.Validate("recommend_strategy", []byte(`{"factors": [{"name": "A", "low": 0, "high": 1}], "budget": null, "domain": null}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := reg.Execute(context.Background(), "recommend_strategy", norm)
	if err != nil || !strings.Contains(string(out), `"domain":"general"`) {
		t.Errorf("defaults: %s %v", out, err)
	}
}
