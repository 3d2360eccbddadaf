package experiments_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/jsonschema-go/jsonschema"
)

// TestAeDefinitions: both tools are complete definitions with hand-written
// schemas that forbid unknown keys and describe every parameter, its
// default, and the differences from the original tool.
func TestAeDefinitions(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"analyze_experiment", "optimize_responses"} {
		d := aeDef(t, name)
		if d.Category != "experiments" || d.Run == nil || d.Check == nil || d.Example == "" {
			t.Errorf("%s: incomplete definition", name)
		}
		for _, want := range []string{"Differences from the original tool", "Caps:", "agree"} {
			if !strings.Contains(d.Description, want) {
				t.Errorf("%s: description does not say %q", name, want)
			}
		}
		var raw map[string]any
		if err := json.Unmarshal(d.Schema, &raw); err != nil {
			t.Fatalf("%s: schema: %v", name, err)
		}
		if raw["additionalProperties"] != false {
			t.Errorf("%s: schema allows unknown keys", name)
		}
		for key, p := range raw["properties"].(map[string]any) {
			desc, _ := p.(map[string]any)["description"].(string)
			if !strings.Contains(strings.ToLower(desc), "default") && !strings.HasPrefix(desc, "Required.") {
				t.Errorf("%s.%s: description %q states no default and is not required", name, key, desc)
			}
		}
		var s jsonschema.Schema
		if err := json.Unmarshal(d.Schema, &s); err != nil {
			t.Fatal(err)
		}
		rs, err := s.Resolve(nil)
		if err != nil {
			t.Fatalf("%s: schema does not resolve: %v", name, err)
		}
		var ex any
		if err := json.Unmarshal([]byte(d.Example), &ex); err != nil {
			t.Fatalf("%s: example: %v", name, err)
		}
		if err := rs.Validate(ex); err != nil {
			t.Errorf("%s: example fails the schema: %v", name, err)
		}
		if err := d.Check(json.RawMessage(d.Example)); err != nil {
			t.Errorf("%s: example fails Check: %v", name, err)
		}
	}
}
