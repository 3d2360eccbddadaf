package univariate

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/toolq/toolq/tools/internal/tooltest"
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

func TestSchemas(t *testing.T) {
	t.Parallel()
	tooltest.RunSchemaCases(t, Defs(), []tooltest.SchemaCase{
		{
			Tool:  "robust_summary_stats",
			Valid: []string{`{"values": [1, 2]}`, `{"values": [1, null, 3], "method": "classical"}`},
			Bad:   []string{`{"values": [1]}`, `{"values": [1, "2"]}`, `{"values": [1, 2], "method": "median"}`, `{}`},
		},
		{
			Tool:  "detect_outliers",
			Valid: []string{`{"values": [1, 2, 3]}`, `{"values": [1, 2, 3], "max_outliers_to_detect": 1, "alpha": 0.5, "robust_variant": true}`, `{"values": [1, 2, 3], "max_outliers_to_detect": 2.0}`},
			Bad: []string{`{"values": [1, 2]}`, `{"values": [1, 2, 3], "max_outliers_to_detect": 0}`, `{"values": [1, 2, 3], "max_outliers_to_detect": 1.5}`,
				`{"values": [1, 2, 3], "alpha": 0}`, `{"values": [1, 2, 3], "alpha": 1}`, `{"values": [1, 2, 3], "robust_variant": "yes"}`},
		},
		{
			Tool:  "robust_scale_sn",
			Valid: []string{`{"values": [1, null]}`},
			Bad:   []string{`{"values": []}`, `{"values": [[1, 2]]}`},
		},
		{
			Tool:  "median_absolute_deviation",
			Valid: []string{`{"values": [1, 2], "scale": "raw"}`},
			Bad:   []string{`{"values": [1, 2], "scale": 1}`, `{"values": [1, 2], "scale": "robust"}`},
		},
		{
			Tool:  "normality_test",
			Valid: []string{`{"values": [1, 2, 3], "alpha": 0.01}`},
			Bad:   []string{`{"values": [1, 2]}`, `{"values": [1, 2, 3], "alpha": -0.1}`},
		},
		{
			Tool:  "confidence_interval",
			Valid: []string{`{"values": [1, 2, 3], "confidence_level": 0.9, "method": "classical"}`},
			Bad:   []string{`{"values": [1, 2, 3], "confidence_level": 1}`, `{"values": [1, 2, 3], "method": "regular"}`},
		},
		{
			Tool:  "ttest_two_samples",
			Valid: []string{`{"group_a": [1, 2], "group_b": [3, 4, null]}`},
			Bad:   []string{`{"group_a": [1, 2]}`, `{"group_a": [1], "group_b": [3, 4]}`, `{"group_a": [1, 2], "group_b": [3, 4], "confidence_level": 0}`},
		},
		{
			Tool:  "ttest_paired_samples",
			Valid: []string{`{"group_a": [1, 2], "group_b": [3, 4], "confidence_level": 0.99}`},
			Bad:   []string{`{"group_b": [1, 2]}`, `{"group_a": [1, 2], "group_b": ["3", 4]}`},
		},
		{
			Tool:  "within_between_variance",
			Valid: []string{`{"values": [1, 2, null], "groups": ["a", 1, true]}`, `{"values": [1, 2, 3], "groups": [1.5, 2, 2]}`},
			Bad:   []string{`{"values": [1, 2, 3], "groups": [null, "a", "b"]}`, `{"values": [1, 2, 3], "groups": [["a"], "b", "c"]}`, `{"values": [1, 2], "groups": [1, 2]}`, `{"values": [1, 2, 3]}`},
		},
	})
}

// TestSchemaProperties checks the house conventions of every schema: an
// object with additionalProperties false, a description stating the
// default on every property, and nullable numeric items.
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
	tooltest.SchemaDefaultsMatchCode(t, Defs(), minimal)
}
