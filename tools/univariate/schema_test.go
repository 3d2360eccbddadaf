package univariate

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/jsonschema-go/jsonschema"
)

func TestDefs(t *testing.T) {
	t.Parallel()
	want := []string{
		"robust_summary_stats", "detect_outliers", "robust_scale_sn", "median_absolute_deviation",
		"normality_test", "confidence_interval", "ttest_two_samples", "ttest_paired_samples",
		"within_between_variance",
	}
	var got []string
	for _, d := range Defs() {
		got = append(got, d.Name)
		if d.Category != "univariate" {
			t.Errorf("%s: category %q, want univariate", d.Name, d.Category)
		}
		if d.Run == nil || len(d.Schema) == 0 || len(d.Description) < 100 {
			t.Errorf("%s: incomplete definition", d.Name)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Defs() names = %v, want %v", got, want)
	}
	if d := def(t, "detect_outliers"); !strings.Contains(d.Description, "default false") {
		t.Errorf("detect_outliers description does not state robust_variant's default false: %q", d.Description)
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

func validate(t *testing.T, s *jsonschema.Resolved, input string) error {
	t.Helper()
	var doc any
	if err := json.Unmarshal([]byte(input), &doc); err != nil {
		t.Fatalf("bad test input %s: %v", input, err)
	}
	return s.Validate(doc)
}

func TestSchemas(t *testing.T) {
	t.Parallel()
	cases := []struct {
		tool  string
		valid []string
		bad   []string
	}{
		{
			tool:  "robust_summary_stats",
			valid: []string{`{"values": [1, 2]}`, `{"values": [1, null, 3], "method": "classical"}`},
			bad:   []string{`{"values": [1]}`, `{"values": [1, "2"]}`, `{"values": [1, 2], "method": "median"}`, `{}`},
		},
		{
			tool:  "detect_outliers",
			valid: []string{`{"values": [1, 2, 3]}`, `{"values": [1, 2, 3], "max_outliers_to_detect": 1, "alpha": 0.5, "robust_variant": true}`, `{"values": [1, 2, 3], "max_outliers_to_detect": 2.0}`},
			bad: []string{`{"values": [1, 2]}`, `{"values": [1, 2, 3], "max_outliers_to_detect": 0}`, `{"values": [1, 2, 3], "max_outliers_to_detect": 1.5}`,
				`{"values": [1, 2, 3], "alpha": 0}`, `{"values": [1, 2, 3], "alpha": 1}`, `{"values": [1, 2, 3], "robust_variant": "yes"}`},
		},
		{
			tool:  "robust_scale_sn",
			valid: []string{`{"values": [1, null]}`},
			bad:   []string{`{"values": []}`, `{"values": [[1, 2]]}`},
		},
		{
			tool:  "median_absolute_deviation",
			valid: []string{`{"values": [1, 2], "scale": "raw"}`},
			bad:   []string{`{"values": [1, 2], "scale": 1}`, `{"values": [1, 2], "scale": "robust"}`},
		},
		{
			tool:  "normality_test",
			valid: []string{`{"values": [1, 2, 3], "alpha": 0.01}`},
			bad:   []string{`{"values": [1, 2]}`, `{"values": [1, 2, 3], "alpha": -0.1}`},
		},
		{
			tool:  "confidence_interval",
			valid: []string{`{"values": [1, 2, 3], "confidence_level": 0.9, "method": "classical"}`},
			bad:   []string{`{"values": [1, 2, 3], "confidence_level": 1}`, `{"values": [1, 2, 3], "method": "regular"}`},
		},
		{
			tool:  "ttest_two_samples",
			valid: []string{`{"group_a": [1, 2], "group_b": [3, 4, null]}`},
			bad:   []string{`{"group_a": [1, 2]}`, `{"group_a": [1], "group_b": [3, 4]}`, `{"group_a": [1, 2], "group_b": [3, 4], "confidence_level": 0}`},
		},
		{
			tool:  "ttest_paired_samples",
			valid: []string{`{"group_a": [1, 2], "group_b": [3, 4], "confidence_level": 0.99}`},
			bad:   []string{`{"group_b": [1, 2]}`, `{"group_a": [1, 2], "group_b": ["3", 4]}`},
		},
		{
			tool:  "within_between_variance",
			valid: []string{`{"values": [1, 2, null], "groups": ["a", 1, true]}`, `{"values": [1, 2, 3], "groups": [1.5, 2, 2]}`},
			bad:   []string{`{"values": [1, 2, 3], "groups": [null, "a", "b"]}`, `{"values": [1, 2, 3], "groups": [["a"], "b", "c"]}`, `{"values": [1, 2], "groups": [1, 2]}`, `{"values": [1, 2, 3]}`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.tool, func(t *testing.T) {
			d := def(t, tc.tool)
			s := compile(t, d.Name, d.Schema)
			for _, in := range tc.valid {
				if err := validate(t, s, in); err != nil {
					t.Errorf("valid input %s rejected: %v", in, err)
				}
			}
			// Every tool rejects a key it does not know.
			unknown := strings.Replace(tc.valid[0], "{", `{"rogue": "x", `, 1)
			for _, in := range append(tc.bad, unknown) {
				if err := validate(t, s, in); err == nil {
					t.Errorf("invalid input %s accepted", in)
				}
			}
		})
	}
}

// TestSchemaProperties checks the house conventions of every schema: an
// object with additionalProperties false, a description stating the
// default on every property, and nullable numeric items.
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
			if !required && p.Default == nil {
				t.Errorf("%s.%s: optional property without a default", d.Name, name)
			}
			if name != "groups" && p.Type == "array" {
				if b, _ := json.Marshal(p.Items.Type); string(b) != `["number","null"]` {
					t.Errorf("%s.%s: items type %s, want [\"number\",\"null\"]", d.Name, name, b)
				}
			}
		}
	}
}

// TestSchemaDefaultsMatchCode runs each tool once with its optional inputs
// left out and once with every one set to the schema's "default", and
// expects the same result: the advertised defaults are the ones applied.
func TestSchemaDefaultsMatchCode(t *testing.T) {
	t.Parallel()
	minimal := map[string]string{
		"robust_summary_stats":      `{"values": [1, 2, 4, 8, 9]}`,
		"detect_outliers":           `{"values": [1, 2, 2, 3, 2, 2, 3, 1, 2, 40, 50, 60, 2, 3]}`,
		"robust_scale_sn":           `{"values": [1, 2, 4, 8, 9]}`,
		"median_absolute_deviation": `{"values": [1, 2, 4, 8, 9]}`,
		"normality_test":            `{"values": [1, 2, 4, 8, 9, 30]}`,
		"confidence_interval":       `{"values": [1, 2, 4, 8, 9]}`,
		"ttest_two_samples":         `{"group_a": [1, 2, 4], "group_b": [8, 9, 7]}`,
		"ttest_paired_samples":      `{"group_a": [1, 2, 4], "group_b": [8, 9, 7]}`,
		"within_between_variance":   `{"values": [1, 2, 4, 8], "groups": [1, 1, 2, 2]}`,
	}
	for _, d := range Defs() {
		t.Run(d.Name, func(t *testing.T) {
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
