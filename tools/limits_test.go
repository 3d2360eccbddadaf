package tools

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/toolq/toolq/errcode"
)

func parse(t testing.TB, s string) any {
	t.Helper()
	v, err := parseJSON([]byte(s))
	if err != nil {
		t.Fatalf("parse %s: %v", s, err)
	}
	return v
}

func nested(levels int, inner string) string {
	return strings.Repeat("[", levels) + inner + strings.Repeat("]", levels)
}

// TestCheckSize holds the seed's validate_input tests (seed-spec §4.1
// TestValidateInput, §4.2 TestHelpers) and the payloads §1.2 verified.
func TestCheckSize(t *testing.T) {
	t.Parallel()
	deep := `{"a": ` + strings.Repeat(`{"a": `, 15) + `{}` + strings.Repeat(`}`, 15) + `}`
	for _, tc := range []struct {
		name  string
		input string
		lim   *Limits
		want  string // exact to_dict() JSON; "" means accepted
	}{
		{"accepts small payload", `{"x": [1, 2, 3], "name": "hi"}`, nil, ""},
		{"rejects non-dict", `[1, 2, 3]`, nil,
			`{"error":"input_invalid","message":"Tool input must be a dict, got list","details":{}}`},
		{"rejects null", `null`, nil,
			`{"error":"input_invalid","message":"Tool input must be a dict, got NoneType","details":{}}`},
		{"rejects oversized array", `{"data": [` + strings.TrimSuffix(strings.Repeat("1,", 100), ",") + `]}`, &Limits{MaxCells: 10},
			`{"error":"input_too_large","message":"Input contains 100 numeric cells; limit is 10","details":{"limit":10,"observed":100}}`},
		{"rejects long string", `{"name": "` + strings.Repeat("x", 100) + `"}`, &Limits{MaxString: 10},
			`{"error":"input_too_large","message":"String length 100 exceeds limit of 10","details":{"limit":10,"observed":100}}`},
		{"string length in code points", `{"name": "` + strings.Repeat("é", 10) + `"}`, &Limits{MaxString: 10}, ""},
		{"default string limit", `{"name": "` + strings.Repeat("x", 100_001) + `"}`, nil,
			`{"error":"input_too_large","message":"String length 100001 exceeds limit of 100000","details":{"limit":100000,"observed":100001}}`},
		{"rejects excess depth", deep, &Limits{MaxDepth: 5},
			`{"error":"input_too_large","message":"Input nesting depth exceeds limit of 5","details":{"limit":5}}`},
		{"ten nested lists", `{"a": ` + nested(10, "1") + `}`, nil,
			`{"error":"input_too_large","message":"Input nesting depth exceeds limit of 10","details":{"limit":10}}`},
		{"nine nested lists", `{"a": ` + nested(9, "1") + `}`, nil, ""},
		{"empty container at depth 10", `{"a": ` + nested(9, "[]") + `}`, nil, ""},
		{"empty container at depth 11", `{"a": ` + nested(10, "[]") + `}`, nil,
			`{"error":"input_too_large","message":"Input nesting depth exceeds limit of 10","details":{"limit":10}}`},
		{"helper depth", `{"a": {"b": {"c": {"d": 1}}}}`, &Limits{MaxDepth: 2},
			`{"error":"input_too_large","message":"Input nesting depth exceeds limit of 2","details":{"limit":2}}`},
		{"rejects excess scalar cap", `{"n_components": 10000}`, nil,
			`{"error":"input_too_large","message":"Parameter 'n_components'=10000 exceeds limit of 50","details":{"key":"n_components","limit":50,"observed":10000}}`},
		{"n_components 51", `{"n_components": 51}`, nil,
			`{"error":"input_too_large","message":"Parameter 'n_components'=51 exceeds limit of 50","details":{"key":"n_components","limit":50,"observed":51}}`},
		{"budget 10001", `{"budget": 10001}`, nil,
			`{"error":"input_too_large","message":"Parameter 'budget'=10001 exceeds limit of 10000","details":{"key":"budget","limit":10000,"observed":10001}}`},
		{"float over a cap", `{"max_outliers_to_detect": 20.5}`, nil,
			`{"error":"input_too_large","message":"Parameter 'max_outliers_to_detect'=20.5 exceeds limit of 20","details":{"key":"max_outliers_to_detect","limit":20,"observed":20.5}}`},
		{"float formatted like Python", `{"n_steps": 1e3}`, nil,
			`{"error":"input_too_large","message":"Parameter 'n_steps'=1000.0 exceeds limit of 100","details":{"key":"n_steps","limit":100,"observed":1000}}`},
		{"equal to the cap passes", `{"n_components": 50, "n_factors": 15}`, nil, ""},
		{"later caps", `{"n_factors": 16}`, nil,
			`{"error":"input_too_large","message":"Parameter 'n_factors'=16 exceeds limit of 15","details":{"key":"n_factors","limit":15,"observed":16}}`},
		{"booleans not counted against scalar caps", `{"n_components": true}`, nil, ""},
		{"caps only at top level", `{"inner": {"n_components": 1000}}`, nil, ""},
		{"negative numbers not capped", `{"n_components": -1000}`, nil, ""},
		{"nested strings checked", `{"batch": [{"label": "` + strings.Repeat("x", 200) + `"}]}`, &Limits{MaxString: 10},
			`{"error":"input_too_large","message":"String length 200 exceeds limit of 10","details":{"limit":10,"observed":200}}`},
		{"booleans count as cells", `{"flags": [true, false, true]}`, &Limits{MaxCells: 2},
			`{"error":"input_too_large","message":"Input contains 3 numeric cells; limit is 2","details":{"limit":2,"observed":3}}`},
		{"scalar caps come first", `{"n_components": 51, "name": "` + strings.Repeat("x", 20) + `"}`, &Limits{MaxString: 10},
			`{"error":"input_too_large","message":"Parameter 'n_components'=51 exceeds limit of 50","details":{"key":"n_components","limit":50,"observed":51}}`},
		{"override a cap", `{"n_components": 60}`, &Limits{ScalarCaps: []ScalarCap{{"n_components", 100}}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := CheckSize(parse(t, tc.input), tc.lim)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				return
			}
			var ce *errcode.Error
			if !errors.As(err, &ce) {
				t.Fatalf("got %v, want %s", err, tc.want)
			}
			got, _ := json.Marshal(ce)
			if string(got) != tc.want {
				t.Fatalf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestCountCells(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		input string
		want  int
	}{
		{`{"data": [[1, 2], [3, 4]], "n_components": 2, "name": "x", "flag": true, "none": null}`, 6},
		{`{"x": [1, 2], "y": 3}`, 3},
		{`"a string"`, 0},
	} {
		if got := countCells(parse(t, tc.input)); got != tc.want {
			t.Errorf("countCells(%s) = %d, want %d", tc.input, got, tc.want)
		}
	}
}

func TestErrorJSONIsSerialisable(t *testing.T) {
	t.Parallel()
	e := errcode.New(errcode.Timeout, "boom").With("tool_name", "x").With("timeout", 1)
	var back map[string]any
	b, _ := json.Marshal(e)
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back["error"] != "timeout" || back["message"] != "boom" || back["details"].(map[string]any)["timeout"] != float64(1) {
		t.Fatalf("to_dict: %s", b)
	}
	if !bytes.HasPrefix(b, []byte(`{"error":`)) {
		t.Fatalf("key order: %s", b)
	}
}
