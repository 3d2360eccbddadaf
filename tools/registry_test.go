package tools

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/tool"
)

// demo is the seed's _DemoInput (seed-spec §4.2): data with 3 to 5 numbers,
// n_components ≥ 1, conf_level in [0.8, 0.999] (default 0.95), method
// matching ^[ab]$, an optional name.
var demo = tool.Def{
	Name: "demo", Category: "test", Description: "demo",
	Schema: []byte(`{"type": "object", "additionalProperties": false, "required": ["data", "n_components"],
		"properties": {
			"data": {"type": "array", "items": {"type": "number"}, "minItems": 3, "maxItems": 5},
			"n_components": {"type": "integer", "minimum": 1},
			"conf_level": {"type": "number", "minimum": 0.8, "maximum": 0.999},
			"method": {"type": "string", "pattern": "^[ab]$"},
			"name": {"type": "string"}}}`),
	Run: func(_ context.Context, in json.RawMessage) (any, error) {
		p := struct {
			Data        []float64 `json:"data"`
			NComponents int       `json:"n_components"`
			ConfLevel   float64   `json:"conf_level"`
			Method      string    `json:"method"`
			Name        string    `json:"name"`
		}{ConfLevel: 0.95, Method: "a"}
		if err := tool.Decode(in, &p); err != nil {
			return nil, err
		}
		return map[string]any{"conf_level": p.ConfLevel, "nan": math.NaN(), "inf": []float64{1, math.Inf(1)}}, nil
	},
}

var panicky = tool.Def{
	Name: "panicky", Category: "test", Description: "panics",
	Schema: []byte(`{"type": "object"}`),
	Run:    func(context.Context, json.RawMessage) (any, error) { panic("boom") },
}

func TestSchemaValidation(t *testing.T) {
	t.Parallel()
	r := newRegistry([]tool.Def{demo})
	for _, tc := range []struct {
		name, input string
		typ         string // expected error type; "" = valid
		contains    string
	}{
		{"valid", `{"data": [1, 2, 3], "n_components": 2}`, "", ""},
		{"missing n_components", `{"data": [1, 2, 3]}`, "missing", "n_components"},
		{"unknown key", `{"data": [1, 2, 3], "n_components": 2, "bogus": 1}`, "extra_forbidden", "bogus"},
		{"wrong type", `{"data": [1, 2, 3], "n_components": "two"}`, "int_type", "n_components"},
		{"float for integer", `{"data": [1, 2, 3], "n_components": 1.5}`, "int_type", "n_components"},
		{"below minimum", `{"data": [1, 2, 3], "n_components": 0}`, "greater_than_equal", "greater than or equal to 1"},
		{"above maximum", `{"data": [1, 2, 3], "n_components": 1, "conf_level": 2.0}`, "less_than_equal", "less than or equal to 0.999"},
		{"too few items", `{"data": [1, 2], "n_components": 1}`, "too_short", "at least 3 items"},
		{"too many items", `{"data": [1, 2, 3, 4, 5, 6], "n_components": 1}`, "too_long", "at most 5 items"},
		{"pattern", `{"data": [1, 2, 3], "n_components": 1, "method": "z"}`, "string_pattern_mismatch", "method"},
		{"null means default", `{"data": [1, 2, 3], "n_components": 1, "method": null, "name": null, "conf_level": null}`, "", ""},
		{"null for a required key", `{"data": [1, 2, 3], "n_components": null}`, "missing", "n_components"},
		{"item type", `{"data": [1, "x", 3], "n_components": 1}`, "float_type", "data.1"},
		{"bool is not a number", `{"data": [1, true, 3], "n_components": 1}`, "float_type", "data.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			norm, err := r.Validate("demo", []byte(tc.input), nil)
			if tc.typ == "" {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				if strings.Contains(string(norm), "null") {
					t.Fatalf("nulls kept in the normal form: %s", norm)
				}
				return
			}
			var ce *errcode.Error
			if !errors.As(err, &ce) || ce.Code != errcode.InputInvalid {
				t.Fatalf("got %v, want input_invalid", err)
			}
			if !strings.Contains(ce.Message, tc.contains) || !strings.Contains(ce.Message, tc.typ) {
				t.Fatalf("message %q lacks %q or %q", ce.Message, tc.contains, tc.typ)
			}
			fes, _ := ce.Details["errors"].([]FieldError)
			if len(fes) == 0 || fes[0].Type != tc.typ || ce.Details["tool_name"] != "demo" {
				t.Fatalf("details %+v", ce.Details)
			}
		})
	}
}

func TestNullMeansDefault(t *testing.T) {
	t.Parallel()
	r := newRegistry([]tool.Def{demo})
	norm, err := r.Validate("demo", []byte(`{"data": [1, 2, 3], "n_components": 1, "conf_level": null}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := r.Execute(context.Background(), "demo", norm)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(out), `{"conf_level":0.95,"inf":[1,null],"nan":null}`; got != want {
		t.Fatalf("got %s, want %s (default kept, NaN and Inf as null)", got, want)
	}
}

func TestUnknownTool(t *testing.T) {
	t.Parallel()
	_, err := Standard().Validate("no_such_tool", []byte(`{}`), nil)
	var ce *errcode.Error
	if !errors.As(err, &ce) || ce.Code != errcode.UnknownTool || !strings.Contains(ce.Message, "Unknown tool 'no_such_tool'. Available tools: [") {
		t.Fatalf("got %v", err)
	}
	if _, err := Standard().Execute(context.Background(), "no_such_tool", nil); errcode.Of(err) != errcode.UnknownTool {
		t.Fatalf("Execute: %v", err)
	}
}

func TestExecuteSafeTurnsPanicsIntoCrashes(t *testing.T) {
	t.Parallel()
	r := newRegistry([]tool.Def{panicky})
	_, err := r.ExecuteSafe(context.Background(), "panicky", json.RawMessage(`{}`))
	if errcode.Of(err) != errcode.ToolCrashed || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("got %v", err)
	}
}

func TestRegistryContents(t *testing.T) {
	t.Parallel()
	// The seed's registry order (seed-spec §2.1); tools not ported yet are
	// simply absent, but those present keep this order.
	seed := []string{
		"robust_summary_stats", "detect_outliers", "robust_scale_sn", "median_absolute_deviation",
		"normality_test", "confidence_interval", "ttest_two_samples", "ttest_paired_samples",
		"within_between_variance", "fit_pca", "fit_pls", "scale_data", "detect_multivariate_outliers",
		"pca_predict", "pls_predict", "control_chart", "process_capability", "robust_regression",
		"repeated_median", "find_elbow", "create_factorial_design", "fit_linear_model", "generate_design",
		"evaluate_design", "analyze_experiment", "optimize_responses", "augment_design", "visualize_doe",
		"doe_knowledge", "recommend_strategy", "extract_batch_features",
	}
	got := Standard().Names()
	var want []string
	for _, n := range seed {
		if slices.Contains(got, n) {
			want = append(want, n)
		}
	}
	if !slices.Equal(got, want) || len(got) < 10 {
		t.Fatalf("standard registry %v, want the seed's tools in the seed's order %v", got, want)
	}
	for _, n := range Standard().Names() {
		if strings.HasPrefix(n, "diag_") {
			t.Fatalf("diagnostic tool %s in the standard registry", n)
		}
	}
	diag := WithDiagnostics().Names()
	for _, n := range []string{"diag_echo", "diag_sleep", "diag_spin", "diag_alloc", "diag_fork", "diag_panic", "diag_output"} {
		if !slices.Contains(diag, n) {
			t.Errorf("%s missing from WithDiagnostics", n)
		}
	}
	if got := len(Standard().Specs("univariate")); got != 9 {
		t.Errorf("%d univariate specs, want 9", got)
	}
	// Every schema compiles and is served verbatim as valid JSON.
	WithDiagnostics().CompileAll()
	for _, s := range WithDiagnostics().Specs("") {
		var v map[string]any
		if err := json.Unmarshal(s.InputSchema, &v); err != nil || v["type"] != "object" {
			t.Errorf("%s: schema is not an object schema: %v", s.Name, err)
		}
		if s.Description == "" || s.Category == "" {
			t.Errorf("%s: no description or category", s.Name)
		}
		// Unknown keys are refused everywhere.
		if _, err := WithDiagnostics().Validate(s.Name, []byte(`{"surely_not_a_parameter": 1}`), nil); errcode.Of(err) != errcode.InputInvalid {
			t.Errorf("%s accepted an unknown key: %v", s.Name, err)
		}
	}
}

func TestDuplicateNamesPanic(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Fatal("no panic on a duplicate tool")
		}
	}()
	newRegistry([]tool.Def{demo, demo})
}

func TestSizeChecksRunBeforeSchema(t *testing.T) {
	t.Parallel()
	r := newRegistry([]tool.Def{demo})
	// Malformed and oversized: the size wins.
	_, err := r.Validate("demo", []byte(`{"data": "`+strings.Repeat("x", 200)+`", "n_components": "x"}`), &Limits{MaxString: 10})
	if errcode.Of(err) != errcode.InputTooLarge {
		t.Fatalf("got %v, want input_too_large", err)
	}
}

// TestExamplesRun: every example a tool advertises is valid and runs to a
// result in process. The end-to-end and chaos runs submit these, so a
// broken one would fail far from its cause.
func TestExamplesRun(t *testing.T) {
	r := Standard()
	for _, name := range r.Names() {
		ex := r.Example(name)
		if ex == "" {
			continue
		}
		in, err := r.Validate(name, []byte(ex), nil)
		if err != nil {
			t.Errorf("%s: its example is refused: %v", name, err)
			continue
		}
		if _, err := r.ExecuteSafe(context.Background(), name, in); err != nil {
			t.Errorf("%s: its example fails: %v", name, err)
		}
	}
}
