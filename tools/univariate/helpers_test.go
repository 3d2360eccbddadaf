package univariate

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"

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
// text so that tests can tell 22.0 from 22 and null from a number.
type result map[string]json.RawMessage

// call runs the named tool on input (a Go value marshalled to JSON, or a
// string of JSON) the way the registry does after validation, and encodes the
// result with tool.Marshal. It fails the test on an error.
func call(t *testing.T, name string, input any) result {
	t.Helper()
	out, err := try(t, name, input)
	if err != nil {
		t.Fatalf("%s(%s): %v", name, inputJSON(t, input), err)
	}
	return out
}

// try is call that returns the tool's error instead of failing.
func try(t *testing.T, name string, input any) (result, error) {
	t.Helper()
	d := def(t, name)
	in := inputJSON(t, input)
	v, err := d.Run(context.Background(), in)
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

func inputJSON(t *testing.T, input any) json.RawMessage {
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

// num returns the number at key; NaN if it is null. It fails on a missing
// key or a non-number.
func (r result) num(t *testing.T, key string) float64 {
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

func (r result) str(t *testing.T, key string) string {
	t.Helper()
	var s string
	if err := json.Unmarshal(r[key], &s); err != nil {
		t.Fatalf("%s = %s is not a string", key, r[key])
	}
	return s
}

func (r result) boolean(t *testing.T, key string) bool {
	t.Helper()
	var b bool
	if err := json.Unmarshal(r[key], &b); err != nil {
		t.Fatalf("%s = %s is not a boolean", key, r[key])
	}
	return b
}

func (r result) ints(t *testing.T, key string) []int {
	t.Helper()
	var v []int
	if err := json.Unmarshal(r[key], &v); err != nil {
		t.Fatalf("%s = %s is not a list of integers", key, r[key])
	}
	return v
}

func (r result) floats(t *testing.T, key string) []float64 {
	t.Helper()
	var v []float64
	if err := json.Unmarshal(r[key], &v); err != nil {
		t.Fatalf("%s = %s is not a list of numbers", key, r[key])
	}
	return v
}

// raw returns the JSON text at key.
func (r result) raw(key string) string { return string(r[key]) }

func (r result) String() string {
	b, _ := json.Marshal(map[string]json.RawMessage(r))
	return string(b)
}

// hasKeys fails unless every key is present.
func (r result) hasKeys(t *testing.T, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := r[k]; !ok {
			t.Errorf("result has no key %q: %s", k, r)
		}
	}
}

// near reports whether got is within rel·|want| of want (within rel when
// want is 0); NaN matches NaN.
func near(got, want, rel float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	tol := rel * math.Abs(want)
	if want == 0 {
		tol = rel
	}
	return math.Abs(got-want) <= tol
}

// golden is one expected number of a tool result.
type golden struct {
	key  string
	want float64
	rel  float64
}

func checkGolden(t *testing.T, r result, gs []golden) {
	t.Helper()
	for _, g := range gs {
		if got := r.num(t, g.key); !near(got, g.want, g.rel) {
			t.Errorf("%s = %.17g, want %.17g (rel %g)", g.key, got, g.want, g.rel)
		}
	}
}

// The seed's tests draw from numpy's default_rng, which cannot be reproduced
// bit for bit. These stand-ins are samples of the same kind from gonum's
// distuv with a fixed PCG seed, so every run sees the same numbers.

func normalSample(seed uint64, n int, mu, sigma float64) []float64 {
	d := distuv.Normal{Mu: mu, Sigma: sigma, Src: rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)}
	x := make([]float64, n)
	for i := range x {
		x[i] = d.Rand()
	}
	return x
}

func exponentialSample(seed uint64, n int, rate float64) []float64 {
	d := distuv.Exponential{Rate: rate, Src: rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)}
	x := make([]float64, n)
	for i := range x {
		x[i] = d.Rand()
	}
	return x
}

func seq(from, to float64) []float64 {
	var out []float64
	for v := from; v <= to; v++ {
		out = append(out, v)
	}
	return out
}

// nullable builds a values array in which NaN becomes JSON null.
func nullable(x []float64) []any {
	out := make([]any, len(x))
	for i, v := range x {
		if !math.IsNaN(v) {
			out[i] = v
		}
	}
	return out
}
