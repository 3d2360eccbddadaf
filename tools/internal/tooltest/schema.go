package tooltest

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/jsonschema-go/jsonschema"

	"github.com/toolq/toolq/tools/tool"
)

// Compile resolves a tool's schema with the registry's validator.
func Compile(t *testing.T, name string, schema []byte) *jsonschema.Resolved {
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

// Validate validates input, a JSON text, against s.
func Validate(t *testing.T, s *jsonschema.Resolved, input string) error {
	t.Helper()
	var doc any
	if err := json.Unmarshal([]byte(input), &doc); err != nil {
		t.Fatalf("bad test input %s: %v", input, err)
	}
	return s.Validate(doc)
}

// SchemaCase lists inputs that one tool's schema must accept and refuse.
type SchemaCase struct {
	Tool  string
	Valid []string // at least one
	Bad   []string
}

// RunSchemaCases checks, in a parallel subtest per tool of defs, that the
// schema accepts every Valid input and refuses every Bad one, and refuses
// Valid[0] with an unknown key added: every tool rejects a key it does not
// know.
func RunSchemaCases(t *testing.T, defs []tool.Def, cases []SchemaCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Tool, func(t *testing.T) {
			t.Parallel()
			d := Def(t, defs, tc.Tool)
			s := Compile(t, d.Name, d.Schema)
			for _, in := range tc.Valid {
				if err := Validate(t, s, in); err != nil {
					t.Errorf("valid input %s rejected: %v", in, err)
				}
			}
			unknown := strings.Replace(tc.Valid[0], "{", `{"rogue": "x", `, 1)
			for _, in := range append(tc.Bad, unknown) {
				if err := Validate(t, s, in); err == nil {
					t.Errorf("invalid input %s accepted", in)
				}
			}
		})
	}
}

// Schema is a tool's input schema, decoded for the house-convention checks.
type Schema struct {
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

// DecodeSchema decodes d's schema.
func DecodeSchema(t *testing.T, d tool.Def) Schema {
	t.Helper()
	var s Schema
	if err := json.Unmarshal(d.Schema, &s); err != nil {
		t.Fatalf("%s: %v", d.Name, err)
	}
	return s
}

// SchemaDefaultsMatchCode runs each tool of defs, in a parallel subtest,
// with its optional inputs left out (minimal, by tool name) and with every
// one set to the schema's "default", and expects the same result: the
// advertised defaults are the ones applied.
func SchemaDefaultsMatchCode(t *testing.T, defs []tool.Def, minimal map[string]string) {
	t.Helper()
	for _, d := range defs {
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
			implicit := Call(t, d, minimal[d.Name]).String()
			if got := Call(t, d, string(explicit)).String(); got != implicit {
				t.Fatalf("with schema defaults %s:\n got %s\nwant %s", explicit, got, implicit)
			}
		})
	}
}
