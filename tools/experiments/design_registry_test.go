package experiments_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/jsonschema-go/jsonschema"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools"
)

// generate_design, evaluate_design and augment_design through the
// registry: schema conventions, the examples, and refusals with the right
// code (the registry's scalar caps answer before the schema, the schema
// before Check).

var doeRegTools = []string{"generate_design", "evaluate_design", "augment_design"}

func TestDesignToolsSchemas(t *testing.T) {
	t.Parallel()
	reg := tools.Standard()
	for _, name := range doeRegTools {
		spec, ok := reg.Lookup(name)
		if !ok || spec.Category != "experiments" {
			t.Fatalf("%s not registered under experiments", name)
		}
		if len(spec.Description) < 500 || !strings.Contains(spec.Description, "seed") {
			t.Errorf("%s: description of %d characters does not discuss the seed", name, len(spec.Description))
		}
		var sch jsonschema.Schema
		if err := json.Unmarshal(spec.InputSchema, &sch); err != nil {
			t.Fatal(err)
		}
		if _, err := sch.Resolve(nil); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if sch.Type != "object" || sch.AdditionalProperties == nil || sch.AdditionalProperties.Not == nil {
			t.Errorf("%s: want type object with additionalProperties false", name)
		}
		for prop, p := range sch.Properties {
			if p.Description == "" {
				t.Errorf("%s.%s has no description", name, prop)
			}
			required := slices.Contains(sch.Required, prop)
			if !required && !strings.Contains(p.Description, "Default") {
				t.Errorf("%s.%s: description %q does not state the default", name, prop, p.Description)
			}
		}
	}
}

// TestDesignToolsExamples: each example passes validation and runs.
func TestDesignToolsExamples(t *testing.T) {
	t.Parallel()
	reg := tools.Standard()
	for _, name := range doeRegTools {
		ex := reg.Example(name)
		if ex == "" {
			t.Fatalf("%s has no example", name)
		}
		norm, err := reg.Validate(name, []byte(ex), nil)
		if err != nil {
			t.Fatalf("%s example refused: %v", name, err)
		}
		out, err := reg.ExecuteSafe(context.Background(), name, norm)
		if err != nil || !json.Valid(out) {
			t.Fatalf("%s example: %v", name, err)
		}
	}
}

func TestDesignToolsRefusals(t *testing.T) {
	t.Parallel()
	reg := tools.Standard()
	two := `[{"name": "A", "low": 0, "high": 1}, {"name": "B", "low": 0, "high": 1}]`
	ff2 := `[{"A": -1, "B": -1}, {"A": 1, "B": -1}, {"A": -1, "B": 1}, {"A": 1, "B": 1}]`
	for _, tc := range []struct {
		tool, input string
		code        errcode.Code
	}{
		{"generate_design", `{"factors": ` + two + `, "n_center_points": 51}`, errcode.InputTooLarge},
		{"generate_design", `{"factors": ` + two + `, "n_replicates": 51}`, errcode.InputTooLarge},
		{"generate_design", `{"factors": ` + two + `, "center_points": 51}`, errcode.InputTooLarge},
		{"generate_design", `{"factors": ` + two + `, "budget": 10001}`, errcode.InputTooLarge},
		{"generate_design", `{"factors": ` + two + `, "design_type": "latin_square"}`, errcode.InputInvalid},
		{"generate_design", `{"factors": ` + two + `, "resolution": 6}`, errcode.InputInvalid},
		{"generate_design", `{"factors": ` + two + `, "alpha": "cci"}`, errcode.InputInvalid},
		{"generate_design", `{"factors": [{"name": "A", "low": 0, "high": 1, "colour": "red"}]}`, errcode.InputInvalid},
		{"generate_design", `{"factors": "A"}`, errcode.InputInvalid},
		{"generate_design", `{}`, errcode.InputInvalid},
		{"evaluate_design", `{"design_matrix": ` + ff2 + `}`, errcode.InputInvalid},
		{"evaluate_design", `{"design_matrix": ` + ff2 + `, "metric": "efficiency"}`, errcode.InputInvalid},
		{"evaluate_design", `{"design_matrix": ` + ff2 + `, "metric": "vif", "model": "cubic"}`, errcode.InputInvalid},
		{"evaluate_design", `{"design_matrix": [{"A": true}, {"A": false}], "metric": "vif"}`, errcode.InputInvalid},
		{"augment_design", `{"existing_design": ` + ff2 + `, "augmentation_type": "replicate", "n_additional_runs": 501}`, errcode.InputTooLarge},
		{"augment_design", `{"existing_design": ` + ff2 + `, "augmentation_type": "mirror"}`, errcode.InputInvalid},
		{"augment_design", `{"existing_design": ` + ff2 + `, "augmentation_type": "add_axial_points", "alpha": "inscribed"}`, errcode.InputInvalid},
	} {
		_, err := reg.Validate(tc.tool, []byte(tc.input), nil)
		var e *errcode.Error
		if !errors.As(err, &e) || e.Code != tc.code {
			t.Errorf("%s %s: %v, want %s", tc.tool, tc.input, err, tc.code)
		}
	}
	// Top-level nulls mean the defaults.
	norm, err := reg.Validate("generate_design", []byte(`{"factors": `+two+`, "design_type": null, "random_seed": null, "alpha": null}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := reg.Execute(context.Background(), "generate_design", norm)
	if err != nil || !strings.Contains(string(out), `"run_order":[4,3,7,5,2,6,1]`) {
		t.Errorf("defaults: %s %v", out, err)
	}
}
