package batch

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/jsonschema-go/jsonschema"

	"github.com/toolq/toolq/tools/internal/tooltest"
)

func TestDefs(t *testing.T) {
	t.Parallel()
	defs := Defs()
	if len(defs) != 1 || defs[0].Name != "extract_batch_features" || defs[0].Category != "batch" ||
		defs[0].Run == nil || defs[0].Check == nil || len(defs[0].Description) < 200 {
		t.Fatalf("Defs() = %+v", defs)
	}
}

func TestSchema(t *testing.T) {
	t.Parallel()
	d := Defs()[0]
	var sch jsonschema.Schema
	if err := json.Unmarshal(d.Schema, &sch); err != nil {
		t.Fatal(err)
	}
	rs, err := sch.Resolve(nil)
	if err != nil {
		t.Fatal(err)
	}
	if sch.Type != "object" || sch.AdditionalProperties == nil || sch.AdditionalProperties.Not == nil {
		t.Errorf("want type object with additionalProperties false")
	}
	for name, p := range sch.Properties {
		if p.Description == "" || (!slices.Contains(sch.Required, name) && !strings.Contains(p.Description, "Default:")) {
			t.Errorf("%s: description %q does not state the default", name, p.Description)
		}
	}
	// The enum lists exactly the implemented features.
	var enum []string
	for _, v := range sch.Properties["features"].Items.Enum {
		enum = append(enum, v.(string))
	}
	var impl []string
	for f := range features {
		impl = append(impl, f)
	}
	slices.Sort(enum)
	slices.Sort(impl)
	if !slices.Equal(enum, impl) {
		t.Errorf("schema enum %v, implemented %v", enum, impl)
	}
	for _, tc := range []struct {
		input string
		valid bool
	}{
		{`{"data": [{"batch": "a", "y": 1}, {"batch": "a", "y": null}], "value_columns": ["y"]}`, true},
		{`{"data": [{"b": 1, "t": 0, "y": 1, "note": "x", "ok": true}, {"b": 1, "t": 1, "y": 2}], "value_columns": ["y"], "features": ["area", "slope"], "batch_column": "b", "time_column": "t"}`, true},
		{`{"data": [{"batch": "a", "y": 1}], "value_columns": ["y"]}`, false},
		{`{"data": [{"batch": "a", "y": [1]}, {"batch": "a", "y": 2}], "value_columns": ["y"]}`, false},
		{`{"data": [{"batch": "a", "y": 1}, {"batch": "a", "y": 2}], "value_columns": []}`, false},
		{`{"data": [{"batch": "a", "y": 1}, {"batch": "a", "y": 2}], "value_columns": ["y"], "features": []}`, false},
		{`{"data": [{"batch": "a", "y": 1}, {"batch": "a", "y": 2}], "value_columns": ["y"], "features": ["mode"]}`, false},
		{`{"data": [{"batch": "a", "y": 1}, {"batch": "a", "y": 2}], "value_columns": ["y"], "features": ["max", "max"]}`, false},
		{`{"data": [{"batch": "a", "y": 1}, {"batch": "a", "y": 2}], "value_columns": ["y"], "batch_column": ""}`, false},
		{`{"data": [{"batch": "a", "y": 1}, {"batch": "a", "y": 2}], "value_columns": ["y"], "rogue": 1}`, false},
		{`{"value_columns": ["y"]}`, false},
	} {
		if err := tooltest.Validate(t, rs, tc.input); (err == nil) != tc.valid {
			t.Errorf("%s: validation error %v, want valid=%v", tc.input, err, tc.valid)
		}
	}
}

// TestSchemaDefaultsMatchCode: the advertised defaults are the ones applied.
func TestSchemaDefaultsMatchCode(t *testing.T) {
	t.Parallel()
	minimal := `{"data": [{"batch": "a", "y": 1}, {"batch": "a", "y": 4}, {"batch": "b", "y": 2}], "value_columns": ["y"]}`
	explicit := `{"data": [{"batch": "a", "y": 1}, {"batch": "a", "y": 4}, {"batch": "b", "y": 2}], "value_columns": ["y"], "features": ["mean", "std"], "batch_column": "batch"}`
	a, err := run(t, minimal)
	if err != nil {
		t.Fatal(err)
	}
	b, err := run(t, explicit)
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) {
		t.Fatalf("defaults %s\nexplicit %s", a, b)
	}
	var s struct {
		Properties map[string]struct {
			Default json.RawMessage `json:"default"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(Defs()[0].Schema, &s); err != nil {
		t.Fatal(err)
	}
	if string(s.Properties["features"].Default) != `["mean", "std"]` || string(s.Properties["batch_column"].Default) != `"batch"` {
		t.Errorf("schema defaults %s, %s", s.Properties["features"].Default, s.Properties["batch_column"].Default)
	}
}
