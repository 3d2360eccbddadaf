package regression

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/tool"
)

// def returns the named definition from Defs.
func def(t *testing.T, name string) tool.Def {
	t.Helper()
	for _, d := range Defs() {
		if d.Name == name {
			return d
		}
	}
	t.Fatalf("no tool %s", name)
	return tool.Def{}
}

// result is a tool output decoded one level deep, keeping each value's JSON
// text so that tests can tell 5.0 from 5 and null from a number.
type result map[string]json.RawMessage

// call runs the named tool on input (a Go value marshalled to JSON, or a
// string of JSON) as the registry does after validation, encodes the result
// with tool.Marshal, and fails the test on an error.
func call(t *testing.T, name string, input any) result {
	t.Helper()
	out, err := try(t, name, input)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return out
}

// try is call that returns the tool's error instead of failing.
func try(t *testing.T, name string, input any) (result, error) {
	t.Helper()
	in, ok := input.(string)
	if !ok {
		b, err := json.Marshal(input)
		if err != nil {
			t.Fatalf("cannot encode input: %v", err)
		}
		in = string(b)
	}
	v, err := def(t, name).Run(context.Background(), json.RawMessage(in))
	if err != nil {
		return nil, err
	}
	b, err := tool.Marshal(v)
	if err != nil {
		t.Fatalf("%s: cannot encode result %#v: %v", name, v, err)
	}
	var out result
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s: result %s is not a JSON object: %v", name, b, err)
	}
	return out, nil
}

// wantCode fails unless err is an *errcode.Error with the given code.
func wantCode(t *testing.T, err error, code errcode.Code) {
	t.Helper()
	var e *errcode.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *errcode.Error with code %s", err, err, code)
	}
	if e.Code != code {
		t.Fatalf("error code %s, want %s (%v)", e.Code, code, err)
	}
}

// num returns the number at key, NaN for null; it fails on a missing key.
func (r result) num(t *testing.T, key string) float64 {
	t.Helper()
	raw, ok := r[key]
	if !ok {
		t.Fatalf("result has no key %q", key)
	}
	if string(raw) == "null" {
		return math.NaN()
	}
	var v float64
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%s = %s is not a number", key, raw)
	}
	return v
}

// floats returns the list at key, NaN for null entries.
func (r result) floats(t *testing.T, key string) []float64 {
	t.Helper()
	var v []*float64
	if err := json.Unmarshal(r[key], &v); err != nil {
		t.Fatalf("%s = %s is not a list of numbers", key, r[key])
	}
	out := make([]float64, len(v))
	for i, p := range v {
		out[i] = math.NaN()
		if p != nil {
			out[i] = *p
		}
	}
	return out
}

// near reports whether got is within rel·|want| of want, or within abs of
// it; NaN matches NaN.
func near(got, want, rel, abs float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	return math.Abs(got-want) <= max(rel*math.Abs(want), abs)
}
