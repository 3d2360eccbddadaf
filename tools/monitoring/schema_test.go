package monitoring

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

// compile resolves a tool's schema with the registry's validator.
func compile(t *testing.T, name string, schema []byte) *jsonschema.Resolved {
	t.Helper()
	var sch jsonschema.Schema
	if err := json.Unmarshal(schema, &sch); err != nil {
		t.Fatalf("%s: schema is not JSON: %v", name, err)
	}
	rs, err := sch.Resolve(nil)
	if err != nil {
		t.Fatalf("%s: schema does not resolve: %v", name, err)
	}
	return rs
}

func TestSchemas(t *testing.T) {
	t.Parallel()
	cases := []struct {
		tool  string
		valid []string
		bad   []string
	}{
		{
			tool: "control_chart",
			valid: []string{`{"values": [1, 2, 3, 4, 5]}`, `{"values": [1, null, 3, 4, 5], "chart_type": "shewhart", "style": "regular"}`,
				`{"values": [1, 2, 3, 4, 5], "chart_type": "holt_winters", "style": "robust"}`},
			bad: []string{`{"values": [1, 2, 3, 4]}`, `{"values": [1, 2, 3, 4, "5"]}`, `{"values": [1, 2, 3, 4, 5], "chart_type": "cusum"}`,
				`{"values": [1, 2, 3, 4, 5], "style": "classical"}`, `{"values": [1, 2, 3, 4, 5], "chart_type": 1}`, `{}`},
		},
		{
			tool:  "process_capability",
			valid: []string{`{"values": [1, 2, 3, 4, 5]}`, `{"values": [1, null, 3, 4, 5], "lower_spec": 0, "upper_spec": 9.5, "robust": false}`},
			bad: []string{`{"values": [1, 2, 3, 4]}`, `{"values": [1, 2, 3, 4, 5], "lower_spec": "0"}`, `{"values": [1, 2, 3, 4, 5], "robust": 1}`,
				`{"values": [[1], 2, 3, 4, 5]}`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.tool, func(t *testing.T) {
			t.Parallel()
			s := compile(t, tc.tool, def(t, tc.tool).Schema)
			validate := func(in string) error {
				var doc any
				if err := json.Unmarshal([]byte(in), &doc); err != nil {
					t.Fatalf("bad test input %s: %v", in, err)
				}
				return s.Validate(doc)
			}
			for _, in := range tc.valid {
				if err := validate(in); err != nil {
					t.Errorf("valid input %s rejected: %v", in, err)
				}
			}
			unknown := strings.Replace(tc.valid[0], "{", `{"rogue": "x", `, 1)
			for _, in := range append(tc.bad, unknown) {
				if err := validate(in); err == nil {
					t.Errorf("invalid input %s accepted", in)
				}
			}
		})
	}
}

// TestSchemaProperties checks the house conventions: an object with
// additionalProperties false, a description stating the default on every
// optional property, and nullable numeric items.
func TestSchemaProperties(t *testing.T) {
	t.Parallel()
	for _, d := range Defs() {
		var s struct {
			Type                 string `json:"type"`
			AdditionalProperties *bool  `json:"additionalProperties"`
			Required             []string
			Properties           map[string]struct {
				Type        any    `json:"type"`
				Description string `json:"description"`
				Default     any    `json:"default"`
				Items       *struct {
					Type any `json:"type"`
				} `json:"items"`
			} `json:"properties"`
		}
		if err := json.Unmarshal(d.Schema, &s); err != nil {
			t.Fatalf("%s: %v", d.Name, err)
		}
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
	for _, d := range Defs() {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			var s struct {
				Properties map[string]struct {
					Default json.RawMessage `json:"default"`
				} `json:"properties"`
			}
			if err := json.Unmarshal(d.Schema, &s); err != nil {
				t.Fatal(err)
			}
			var in map[string]json.RawMessage
			if err := json.Unmarshal([]byte(minimal[d.Name]), &in); err != nil {
				t.Fatal(err)
			}
			for k, p := range s.Properties {
				if p.Default != nil {
					in[k] = p.Default
				}
			}
			explicit, err := json.Marshal(in)
			if err != nil {
				t.Fatal(err)
			}
			implicit := call(t, d.Name, minimal[d.Name]).String()
			if got := call(t, d.Name, string(explicit)).String(); got != implicit {
				t.Fatalf("with schema defaults %s:\n got %s\nwant %s", explicit, got, implicit)
			}
		})
	}
}
