package experiments_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/experiments"
	"github.com/toolq/toolq/tools/tool"
)

// Helpers shared by the analyze_experiment and optimize_responses tests.
//
// The golden files live in testdata/<tool>/: <case>.json is an input and
// <case>.golden.json the output of the seed's code for it, computed with the
// library versions of seed-spec §0.3 (numpy 1.24.2, scipy 1.10.1,
// statsmodels 0.13.5, patsy 0.5.3). The values of seed-spec §6.4 are among
// them (see the tests that name them). The comparison keeps key order: the
// seed's dicts are ordered and so are these outputs.

// aeDef returns the named definition from experiments.Defs.
func aeDef(t testing.TB, name string) tool.Def {
	t.Helper()
	for _, d := range experiments.Defs() {
		if d.Name == name {
			return d
		}
	}
	t.Fatalf("%s is not in experiments.Defs()", name)
	return tool.Def{}
}

// aeRun runs a tool as the registry does after validation: Check, Run,
// tool.Marshal. It returns the encoded result or the first error.
func aeRun(t testing.TB, name, input string) ([]byte, error) {
	t.Helper()
	d := aeDef(t, name)
	if err := d.Check(json.RawMessage(input)); err != nil {
		return nil, err
	}
	v, err := d.Run(context.Background(), json.RawMessage(input))
	if err != nil {
		return nil, err
	}
	b, err := tool.Marshal(v)
	if err != nil {
		t.Fatalf("%s: cannot encode result: %v", name, err)
	}
	if !json.Valid(b) {
		t.Fatalf("%s: invalid JSON %s", name, b)
	}
	return b, nil
}

// aeWantCode fails unless err is an *errcode.Error with the given code.
func aeWantCode(t testing.TB, err error, code errcode.Code) {
	t.Helper()
	var e *errcode.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *errcode.Error with code %s", err, err, code)
	}
	if e.Code != code {
		t.Fatalf("error code %s, want %s (%v)", e.Code, code, err)
	}
}

// aeObject is a decoded JSON object that remembers its key order.
type aeObject struct {
	keys []string
	vals map[string]any
}

// aeDecode decodes JSON into aeObject, []any, float64, string, bool and nil.
func aeDecode(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	v, err := aeDecodeValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("trailing data")
	}
	return v, nil
}

func aeDecodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := aeObject{vals: map[string]any{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k := kt.(string)
				v, err := aeDecodeValue(dec)
				if err != nil {
					return nil, err
				}
				o.keys = append(o.keys, k)
				o.vals[k] = v
			}
			_, err := dec.Token()
			return o, err
		case '[':
			var a []any
			for dec.More() {
				v, err := aeDecodeValue(dec)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			_, err := dec.Token()
			return a, err
		}
	case json.Number:
		return t.Float64()
	}
	return tok, nil
}

// aeTol gives the tolerance for the number at a path such as
// "desirability.optimal_coded.A" or "anova_table[2].F".
type aeTol func(path string) (rel, abs float64)

// aeCompare reports the differences between got and want: every key of
// want, in the same order and no other; every number within tolerance (NaN
// and null only match each other); every other value equal.
func aeCompare(got, want any, path string, tol aeTol) []string {
	switch w := want.(type) {
	case aeObject:
		g, ok := got.(aeObject)
		if !ok {
			return []string{fmt.Sprintf("%s: got %v, want an object", path, got)}
		}
		if strings.Join(g.keys, ",") != strings.Join(w.keys, ",") {
			return []string{fmt.Sprintf("%s: keys %v, want %v", path, g.keys, w.keys)}
		}
		var diffs []string
		for _, k := range w.keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			diffs = append(diffs, aeCompare(g.vals[k], w.vals[k], p, tol)...)
		}
		return diffs
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: got %v, want %d items", path, got, len(w))}
		}
		var diffs []string
		for i := range w {
			diffs = append(diffs, aeCompare(g[i], w[i], fmt.Sprintf("%s[%d]", path, i), tol)...)
		}
		return diffs
	case float64:
		g, ok := got.(float64)
		if !ok {
			return []string{fmt.Sprintf("%s: got %v, want %v", path, got, w)}
		}
		rel, abs := tol(path)
		if math.Abs(g-w) > max(rel*math.Abs(w), abs) {
			return []string{fmt.Sprintf("%s: got %.17g, want %.17g (rel %g, abs %g)", path, g, w, rel, abs)}
		}
		return nil
	default:
		if got != want {
			return []string{fmt.Sprintf("%s: got %v, want %v", path, got, want)}
		}
		return nil
	}
}

// aeGoldenCases returns the case names of testdata/<tool>.
func aeGoldenCases(t *testing.T, toolName string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", toolName, "*.golden.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files for %s: %v", toolName, err)
	}
	var cases []string
	for _, f := range files {
		cases = append(cases, strings.TrimSuffix(filepath.Base(f), ".golden.json"))
	}
	return cases
}

// aeGolden runs one golden case and compares it with its golden output; it
// returns the decoded output.
func aeGolden(t *testing.T, toolName, name string, tol aeTol) any {
	t.Helper()
	in, err := os.ReadFile(filepath.Join("testdata", toolName, name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	wantB, err := os.ReadFile(filepath.Join("testdata", toolName, name+".golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := aeRun(t, toolName, string(in))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	got, err := aeDecode(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := aeDecode(wantB)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range aeCompare(got, want, "", tol) {
		t.Error(d)
	}
	return got
}

// aeGet walks a decoded value along keys and indices.
func aeGet(t testing.TB, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			o, ok := v.(aeObject)
			if !ok {
				t.Fatalf("%v is not an object (looking for %q)", v, k)
			}
			if v, ok = o.vals[k]; !ok {
				t.Fatalf("no key %q in %v", k, o.keys)
			}
		case int:
			a, ok := v.([]any)
			if !ok || k >= len(a) {
				t.Fatalf("%v has no item %d", v, k)
			}
			v = a[k]
		}
	}
	return v
}

// aeNum returns the number at path.
func aeNum(t testing.TB, v any, path ...any) float64 {
	t.Helper()
	f, ok := aeGet(t, v, path...).(float64)
	if !ok {
		t.Fatalf("%v at %v is not a number", aeGet(t, v, path...), path)
	}
	return f
}
