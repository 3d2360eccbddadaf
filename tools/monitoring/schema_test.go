package monitoring

import (
	"encoding/json"
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
		if d.Category != "monitoring" {
			t.Errorf("%s: category %q, want monitoring", d.Name, d.Category)
		}
		if d.Run == nil || d.Check == nil || len(d.Schema) == 0 || len(d.Description) < 200 {
			t.Errorf("%s: incomplete definition", d.Name)
		}
	}
	if want := []string{"control_chart", "process_capability"}; !slices.Equal(got, want) {
		t.Fatalf("Defs() names = %v, want %v", got, want)
	}
}

func TestSchemas(t *testing.T) {
	t.Parallel()
	tooltest.RunSchemaCases(t, Defs(), []tooltest.SchemaCase{
		{
			Tool: "control_chart",
			Valid: []string{`{"values": [1, 2, 3, 4, 5]}`, `{"values": [1, null, 3, 4, 5], "chart_type": "shewhart", "style": "regular"}`,
				`{"values": [1, 2, 3, 4, 5], "chart_type": "holt_winters", "style": "robust"}`},
			Bad: []string{`{"values": [1, 2, 3, 4]}`, `{"values": [1, 2, 3, 4, "5"]}`, `{"values": [1, 2, 3, 4, 5], "chart_type": "cusum"}`,
				`{"values": [1, 2, 3, 4, 5], "style": "classical"}`, `{"values": [1, 2, 3, 4, 5], "chart_type": 1}`, `{}`},
		},
		{
			Tool:  "process_capability",
			Valid: []string{`{"values": [1, 2, 3, 4, 5]}`, `{"values": [1, null, 3, 4, 5], "lower_spec": 0, "upper_spec": 9.5, "robust": false}`},
			Bad: []string{`{"values": [1, 2, 3, 4]}`, `{"values": [1, 2, 3, 4, 5], "lower_spec": "0"}`, `{"values": [1, 2, 3, 4, 5], "robust": 1}`,
				`{"values": [[1], 2, 3, 4, 5]}`},
		},
	})
}

// TestSchemaProperties checks the house conventions: an object with
// additionalProperties false, a description stating the default on every
// optional property, and nullable numeric items.
func TestSchemaProperties(t *testing.T) {
	t.Parallel()
	for _, d := range Defs() {
		s := tooltest.DecodeSchema(t, d)
		if s.Type != "object" || s.AdditionalProperties == nil || *s.AdditionalProperties {
			t.Errorf("%s: want type object with additionalProperties false", d.Name)
		}
		for name, p := range s.Properties {
			required := slices.Contains(s.Required, name)
			if p.Description == "" || (!required && !strings.Contains(p.Description, "Default:")) {
				t.Errorf("%s.%s: description %q does not state the default", d.Name, name, p.Description)
			}
			// The specification limits have no default value: absent
			// means "no limit".
			if !required && p.Default == nil && !strings.Contains(p.Description, "Default: none") {
				t.Errorf("%s.%s: optional property without a default", d.Name, name)
			}
			if p.Type == "array" {
				if b, _ := json.Marshal(p.Items.Type); string(b) != `["number","null"]` {
					t.Errorf("%s.%s: items type %s, want [\"number\",\"null\"]", d.Name, name, b)
				}
			}
		}
	}
}

// TestSchemaDefaultsMatchCode runs each tool with its optional inputs left
// out and with every one set to the schema's "default": the advertised
// defaults are the ones applied.
func TestSchemaDefaultsMatchCode(t *testing.T) {
	t.Parallel()
	minimal := map[string]string{
		"control_chart":      `{"values": [5, 6, 5, 7, 6, 5, 30, 6, 5, 6, 7, 6, 5, 5, 6]}`,
		"process_capability": `{"values": [1, 2, 4, 8, 9], "lower_spec": 0}`,
	}
	tooltest.SchemaDefaultsMatchCode(t, Defs(), minimal)
}
