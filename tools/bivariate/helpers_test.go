package bivariate

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/tool"
)

// result is a tool output decoded one level deep, keeping each value's JSON
// text so that tests can tell 5.0 from 5.
type result map[string]json.RawMessage

// run runs find_elbow on input (a Go value marshalled to JSON, or a string
// of JSON) as the registry does after validation, and encodes the result
// with tool.Marshal.
func run(t *testing.T, input any) (result, error) {
	t.Helper()
	in, ok := input.(string)
	if !ok {
		b, err := json.Marshal(input)
		if err != nil {
			t.Fatalf("cannot encode input: %v", err)
		}
		in = string(b)
	}
	v, err := findElbowDef().Run(context.Background(), json.RawMessage(in))
	if err != nil {
		return nil, err
	}
	b, err := tool.Marshal(v)
	if err != nil {
		t.Fatalf("cannot encode result %#v: %v", v, err)
	}
	var out result
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("result %s is not a JSON object: %v", b, err)
	}
	return out, nil
}

// call is run that fails the test on an error.
func call(t *testing.T, input any) result {
	t.Helper()
	r, err := run(t, input)
	if err != nil {
		t.Fatalf("find_elbow: %v", err)
	}
	return r
}

func (r result) index(t *testing.T) int {
	t.Helper()
	var i int
	if err := json.Unmarshal(r["elbow_index"], &i); err != nil {
		t.Fatalf("elbow_index = %s is not an integer", r["elbow_index"])
	}
	return i
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

// floats converts a JSON list with nulls to float64s with NaN.
func floats(v []*float64) []float64 {
	out := make([]float64, len(v))
	for i, p := range v {
		out[i] = math.NaN()
		if p != nil {
			out[i] = *p
		}
	}
	return out
}
