package monitoring

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
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
// text so that tests can tell 10.0 from 10 and null from a number.
type result map[string]json.RawMessage

// call runs the named tool on input (a Go value marshalled to JSON, or a
// string of JSON) the way the registry does after validation: Check, then
// Run, then tool.Marshal. It fails the test on an error.
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

// num returns the number at key; NaN if it is null.
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

// golden is one expected number of a tool result; abs, when set, is an
// absolute tolerance instead of the relative rel.
type golden struct {
	key  string
	want float64
	rel  float64
	abs  float64
}

func checkGolden(t *testing.T, r result, gs []golden) {
	t.Helper()
	for _, g := range gs {
		got := r.num(t, g.key)
		ok := near(got, g.want, g.rel)
		if g.abs > 0 {
			ok = math.Abs(got-g.want) <= g.abs
		}
		if !ok {
			t.Errorf("%s = %.17g, want %.17g (rel %g, abs %g)", g.key, got, g.want, g.rel, g.abs)
		}
	}
}

// readColumn reads a one-column CSV file with a header line.
func readColumn(t *testing.T, path string) []float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	var out []float64
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		v, err := strconv.ParseFloat(line, 64)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// uniform returns n values drawn uniformly from [lo, hi) with a fixed PCG
// seed, so every run sees the same numbers.
func uniform(seed uint64, n int, lo, hi float64) []float64 {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	x := make([]float64, n)
	for i := range x {
		x[i] = lo + (hi-lo)*r.Float64()
	}
	return x
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
