// Package tooltest holds the test helpers that the tool families' tests
// share: finding a definition, running a tool the way the registry does,
// reading its JSON result, and the registry and schema checks that every
// family repeats. It exists so that one copy of that code serves the
// monitoring, univariate, regression, bivariate, multivariate and batch
// tests; it is imported only from _test.go files.
//
// It must not import package tools: the families' in-package tests import
// tooltest, and tools imports the families.
package tooltest

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/tool"
)

// Def returns the named definition from defs.
func Def(t *testing.T, defs []tool.Def, name string) tool.Def {
	t.Helper()
	for _, d := range defs {
		if d.Name == name {
			return d
		}
	}
	t.Fatalf("no tool %s", name)
	return tool.Def{}
}

// InputJSON returns input as JSON: a string is taken to be JSON already,
// anything else is marshalled.
func InputJSON(t *testing.T, input any) json.RawMessage {
	t.Helper()
	if s, ok := input.(string); ok {
		return json.RawMessage(s)
	}
	b, err := json.Marshal(input)
	if err != nil {
		t.Fatalf("cannot encode input: %v", err)
	}
	return b
}

// RunJSON runs d on input (see [InputJSON]) the way the registry does after
// validation: Check if d has one, then Run, then tool.Marshal. It returns
// the tool's error, and fails the test if the result cannot be encoded.
func RunJSON(t *testing.T, d tool.Def, input any) (json.RawMessage, error) {
	t.Helper()
	in := InputJSON(t, input)
	if d.Check != nil {
		if err := d.Check(in); err != nil {
			return nil, err
		}
	}
	v, err := d.Run(context.Background(), in)
	if err != nil {
		return nil, err
	}
	b, err := tool.Marshal(v)
	if err != nil {
		t.Fatalf("%s: cannot encode result %#v: %v", d.Name, v, err)
	}
	return b, nil
}

// Try is [RunJSON] with the result decoded one level deep.
func Try(t *testing.T, d tool.Def, input any) (Result, error) {
	t.Helper()
	b, err := RunJSON(t, d, input)
	if err != nil {
		return nil, err
	}
	var out Result
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s: result %s is not a JSON object: %v", d.Name, b, err)
	}
	return out, nil
}

// TryRun is [Try] without Check: it runs d.Run alone, for the tests of the
// checks that Run repeats in case a caller skips Check.
func TryRun(t *testing.T, d tool.Def, input any) (Result, error) {
	t.Helper()
	d.Check = nil
	return Try(t, d, input)
}

// Call is [Try] that fails the test on an error.
func Call(t *testing.T, d tool.Def, input any) Result {
	t.Helper()
	out, err := Try(t, d, input)
	if err != nil {
		t.Fatalf("%s(%s): %v", d.Name, InputJSON(t, input), err)
	}
	return out
}

// WantCode fails unless err is an *errcode.Error with the given code.
func WantCode(t *testing.T, err error, code errcode.Code) {
	t.Helper()
	var e *errcode.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *errcode.Error with code %s", err, err, code)
	}
	if e.Code != code {
		t.Fatalf("error code %s, want %s (%v)", e.Code, code, err)
	}
}

// Result is a tool output decoded one level deep, keeping each value's JSON
// text so that tests can tell 5.0 from 5 and null from a number.
type Result map[string]json.RawMessage

// Num returns the number at key; NaN if it is null. It fails on a missing
// key or a non-number.
func (r Result) Num(t *testing.T, key string) float64 {
	t.Helper()
	raw, ok := r[key]
	if !ok {
		t.Fatalf("result has no key %q: %s", key, r)
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

// Int returns the integer at key.
func (r Result) Int(t *testing.T, key string) int {
	t.Helper()
	var i int
	if err := json.Unmarshal(r[key], &i); err != nil {
		t.Fatalf("%s = %s is not an integer", key, r[key])
	}
	return i
}

// Str returns the string at key.
func (r Result) Str(t *testing.T, key string) string {
	t.Helper()
	var s string
	if err := json.Unmarshal(r[key], &s); err != nil {
		t.Fatalf("%s = %s is not a string", key, r[key])
	}
	return s
}

// Bool returns the boolean at key.
func (r Result) Bool(t *testing.T, key string) bool {
	t.Helper()
	var b bool
	if err := json.Unmarshal(r[key], &b); err != nil {
		t.Fatalf("%s = %s is not a boolean", key, r[key])
	}
	return b
}

// Ints returns the list of integers at key.
func (r Result) Ints(t *testing.T, key string) []int {
	t.Helper()
	var v []int
	if err := json.Unmarshal(r[key], &v); err != nil {
		t.Fatalf("%s = %s is not a list of integers", key, r[key])
	}
	return v
}

// Floats returns the list of numbers at key, NaN for null entries.
func (r Result) Floats(t *testing.T, key string) []float64 {
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

// Raw returns the JSON text at key.
func (r Result) Raw(key string) string { return string(r[key]) }

// HasKeys fails (without stopping) unless every key is present.
func (r Result) HasKeys(t *testing.T, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := r[k]; !ok {
			t.Errorf("result has no key %q: %s", k, r)
		}
	}
}

func (r Result) String() string {
	b, _ := json.Marshal(map[string]json.RawMessage(r))
	return string(b)
}
