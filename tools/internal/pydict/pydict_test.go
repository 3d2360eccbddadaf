package pydict

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/toolq/toolq/tools/internal/pyfmt"
	"github.com/toolq/toolq/tools/tool"
)

func TestSetGetUpdate(t *testing.T) {
	t.Parallel()
	var d Dict
	d.Set("b", 1)
	d.Set("a", 2)
	d.Set("b", 3) // a re-set key keeps its first position
	d.Update(Dict{{"c", 4}, {"a", 5}})
	want := Dict{{"b", 3}, {"a", 5}, {"c", 4}}
	if len(d) != len(want) {
		t.Fatalf("%v, want %v", d, want)
	}
	for i := range want {
		if d[i] != want[i] {
			t.Errorf("member %d = %v, want %v", i, d[i], want[i])
		}
	}
	if v, ok := d.Get("a"); !ok || v != 5 {
		t.Errorf(`Get("a") = %v, %v; want 5, true`, v, ok)
	}
	if v, ok := d.Get("z"); ok || v != nil {
		t.Errorf(`Get("z") = %v, %v; want nil, false`, v, ok)
	}
}

func TestMarshal(t *testing.T) {
	t.Parallel()
	var nilDict Dict
	var nilPtr *Dict
	for _, tc := range []struct {
		name string
		v    any
		want string
	}{
		{"nil", nilDict, `{}`},
		{"nil pointer", nilPtr, `null`},
		{"empty", Dict{}, `{}`},
		{"order kept", Dict{{"z", 1}, {"a", "x"}, {"m", nil}}, `{"z":1,"a":"x","m":null}`},
		{"pointer", &Dict{{"a", true}}, `{"a":true}`},
		{"python floats", Dict{{"a", pyfmt.Float(2)}, {"b", pyfmt.Float(math.NaN())}}, `{"a":2.0,"b":null}`},
		{"raw non-finite floats are null", Dict{{"a", []float64{1.5, math.Inf(1)}}}, `{"a":[1.5,null]}`},
		{"nested", Dict{{"a", Dict{{"b", []Dict{{{"c", 1}}}}}}}, `{"a":{"b":[{"c":1}]}}`},
		{"appended duplicates are written", append(Dict{{"a", 1}}, Item{"a", 2}), `{"a":1,"a":2}`},
		// Keys are escaped as json.Marshal escapes them, values are not,
		// as tool.Marshal writes results.
		{"html in keys and values", Dict{{"<a&b>", "<c&d>"}}, `{"\u003ca\u0026b\u003e":"<c&d>"}`},
		{"HTMLEscaped value", Dict{{"a", HTMLEscaped{V: []string{"<c&d>"}}}}, `{"a":["\u003cc\u0026d\u003e"]}`},
		{"HTMLEscaped Dict", HTMLEscaped{V: Dict{{"a", Dict{{"b", "x>y"}}}}}, `{"a":{"b":"x\u003ey"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b, err := tool.Marshal(tc.v)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(b); got != tc.want {
				t.Errorf("tool.Marshal = %s, want %s", got, tc.want)
			}
			if !json.Valid(b) {
				t.Errorf("invalid JSON %s", b)
			}
		})
	}
}
