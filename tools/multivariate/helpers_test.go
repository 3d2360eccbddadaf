package multivariate

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/internal/tooltest"
	"github.com/toolq/toolq/tools/tool"
)

// runDef runs a tool the way the registry does (Check, then Run, then
// tool.Marshal), decodes the JSON into out when out is not nil, and returns
// the JSON and its top-level keys.
func runDef(t *testing.T, def tool.Def, input any, out any) (raw []byte, keys map[string]json.RawMessage) {
	t.Helper()
	raw, err := tooltest.RunJSON(t, def, input)
	if err != nil {
		t.Fatalf("%s: %v", def.Name, err)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("decoding %s: %v", raw, err)
		}
	}
	if err := json.Unmarshal(raw, &keys); err != nil {
		t.Fatal(err)
	}
	return raw, keys
}

// runError runs a tool whose Check passes and returns Run's error as an
// *errcode.Error, failing the test if Check fails or Run succeeds.
func runError(t *testing.T, def tool.Def, input any) *errcode.Error {
	t.Helper()
	b, err := json.Marshal(input)
	if err != nil {
		t.Fatal(err)
	}
	if err := def.Check(b); err != nil {
		t.Fatalf("%s Check: %v", def.Name, err)
	}
	_, err = def.Run(context.Background(), b)
	var e *errcode.Error
	if !errors.As(err, &e) {
		t.Fatalf("%s Run = %v, want an *errcode.Error", def.Name, err)
	}
	return e
}

// checkCase is one row of a Check table: the input, and the code and
// message expected ("" code: Check passes).
type checkCase struct {
	name     string
	input    any
	wantCode errcode.Code
	wantMsg  string
}

// runCheckCases runs each case through def.Check, which must never panic.
func runCheckCases(t *testing.T, def tool.Def, cases []checkCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := def.Check(tooltest.InputJSON(t, tc.input))
			if tc.wantCode == "" {
				if err != nil {
					t.Fatalf("Check = %v, want nil", err)
				}
				return
			}
			var e *errcode.Error
			if !errors.As(err, &e) {
				t.Fatalf("Check = %v, want an *errcode.Error", err)
			}
			if e.Code != tc.wantCode || e.Message != tc.wantMsg {
				t.Errorf("Check = %s %q, want %s %q", e.Code, e.Message, tc.wantCode, tc.wantMsg)
			}
		})
	}
}

// schemaCase is one row of a schema table.
type schemaCase struct {
	name  string
	input string
	valid bool
}

// runSchemaCases validates each input against def's embedded schema with the
// registry's validator, after checking that the schema resolves, forbids
// unknown keys and describes every property with "Required." or its default.
func runSchemaCases(t *testing.T, def tool.Def, cases []schemaCase) {
	t.Helper()
	rs := tooltest.Compile(t, def.Name, def.Schema)
	var doc struct {
		Properties           map[string]map[string]any `json:"properties"`
		AdditionalProperties *bool                     `json:"additionalProperties"`
	}
	if err := json.Unmarshal(def.Schema, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.AdditionalProperties == nil || *doc.AdditionalProperties {
		t.Error("additionalProperties is not false")
	}
	for name, p := range doc.Properties {
		d, _ := p["description"].(string)
		if !strings.Contains(d, "Required.") && !strings.Contains(d, "Default") {
			t.Errorf("%s: description %q states neither Required nor a default", name, d)
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if err := tooltest.Validate(t, rs, tc.input); (err == nil) != tc.valid {
				t.Errorf("Validate = %v, want valid=%v", err, tc.valid)
			}
		})
	}
}

// filled returns an n×k matrix of distinct values.
func filled(n, k int) [][]float64 {
	out := make([][]float64, n)
	for i := range out {
		out[i] = make([]float64, k)
		for j := range out[i] {
			out[i][j] = float64(i*k + j)
		}
	}
	return out
}
