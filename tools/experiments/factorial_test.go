package experiments_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/jsonschema-go/jsonschema"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools"
	"github.com/toolq/toolq/tools/experiments"
	"github.com/toolq/toolq/tools/tool"
)

// The test is an external package so that it can also go through the
// registry, which imports this package.

const minFactors, maxFactors = 2, 10

// factorialDef returns the tool's definition from Defs.
func factorialDef(t *testing.T) tool.Def {
	t.Helper()
	for _, d := range experiments.Defs() {
		if d.Name == "create_factorial_design" {
			return d
		}
	}
	t.Fatal("create_factorial_design is not in experiments.Defs()")
	return tool.Def{}
}

// runFactorial runs the tool as the registry does after validation
// (Check, Run, tool.Marshal) and returns the encoded result.
func runFactorial(t *testing.T, input string) ([]byte, error) {
	t.Helper()
	d := factorialDef(t)
	if err := d.Check(json.RawMessage(input)); err != nil {
		return nil, err
	}
	v, err := d.Run(context.Background(), json.RawMessage(input))
	if err != nil {
		return nil, err
	}
	b, err := tool.Marshal(v)
	if err != nil {
		t.Fatalf("cannot encode %#v: %v", v, err)
	}
	return b, nil
}

type factorialResult struct {
	Design      []map[string]float64 `json:"design"`
	NRuns       int                  `json:"n_runs"`
	NFactors    int                  `json:"n_factors"`
	FactorNames []string             `json:"factor_names"`
}

func decodeResult(t *testing.T, b []byte) factorialResult {
	t.Helper()
	var r factorialResult
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("result %s: %v", b, err)
	}
	return r
}

// TestFactorialGolden is seed-spec §6.4, byte for byte (Python writes the
// levels as floats, -1.0 and 1.0).
func TestFactorialGolden(t *testing.T) {
	t.Parallel()
	b, err := runFactorial(t, `{"n_factors": 2}`)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"design":[{"A [coded]":-1.0,"B [coded]":-1.0},{"A [coded]":1.0,"B [coded]":-1.0},` +
		`{"A [coded]":-1.0,"B [coded]":1.0},{"A [coded]":1.0,"B [coded]":1.0}],` +
		`"n_runs":4,"n_factors":2,"factor_names":["A [coded]","B [coded]"]}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
}

// TestFactorialNames: the default names skip I; given names keep their
// order and get the suffix.
func TestFactorialNames(t *testing.T) {
	t.Parallel()
	r := decodeResult(t, must(runFactorial(t, `{"n_factors": 10}`)))
	want := []string{"A", "B", "C", "D", "E", "F", "G", "H", "J", "K"}
	for i := range want {
		want[i] += " [coded]"
	}
	if !slices.Equal(r.FactorNames, want) || r.NRuns != 1024 || len(r.Design) != 1024 || r.NFactors != 10 {
		t.Fatalf("n=10: names %v, %d runs (%d rows), %d factors", r.FactorNames, r.NRuns, len(r.Design), r.NFactors)
	}
	r = decodeResult(t, must(runFactorial(t, `{"n_factors": 9}`)))
	if got := strings.Join(r.FactorNames, ","); got != "A [coded],B [coded],C [coded],D [coded],E [coded],F [coded],G [coded],H [coded],J [coded]" {
		t.Errorf("nine default names %s, want A–H and J", got)
	}

	b := must(runFactorial(t, `{"n_factors": 3, "factor_names": ["Temperature", "Pressure", "a \"quoted\" <name>"]}`))
	r = decodeResult(t, b)
	want = []string{"Temperature [coded]", "Pressure [coded]", `a "quoted" <name> [coded]`}
	if !slices.Equal(r.FactorNames, want) {
		t.Fatalf("names %v, want %v", r.FactorNames, want)
	}
	// Keys appear in factor order in every run.
	first := string(b[strings.Index(string(b), "[{")+1 : strings.Index(string(b), "}")+1])
	if !strings.HasPrefix(first, `{"Temperature [coded]":-1.0,"Pressure [coded]":-1.0,`) {
		t.Errorf("first run %s, keys not in factor order", first)
	}
}

// TestFactorialProperties: for every k the design has 2^k distinct runs in
// Yates order, and its columns are balanced and mutually orthogonal (so are
// their products: the full factorial estimates every interaction).
func TestFactorialProperties(t *testing.T) {
	t.Parallel()
	for k := minFactors; k <= maxFactors; k++ {
		r := decodeResult(t, must(runFactorial(t, `{"n_factors": `+itoa(k)+`}`)))
		n := 1 << k
		if r.NRuns != n || len(r.Design) != n || r.NFactors != k || len(r.FactorNames) != k {
			t.Fatalf("k=%d: %d runs, %d rows, %d factors, %d names", k, r.NRuns, len(r.Design), r.NFactors, len(r.FactorNames))
		}
		x := make([][]float64, k)
		for j, name := range r.FactorNames {
			x[j] = make([]float64, n)
			for i, run := range r.Design {
				if len(run) != k {
					t.Fatalf("k=%d run %d has %d columns", k, i, len(run))
				}
				v, ok := run[name]
				if !ok || (v != -1 && v != 1) {
					t.Fatalf("k=%d run %d: %s = %v", k, i, name, v)
				}
				x[j][i] = v
				// Yates order: bit j of the run number.
				if want := float64(2*(i>>j&1) - 1); v != want {
					t.Fatalf("k=%d run %d factor %d = %v, want %v", k, i, j, v, want)
				}
			}
		}
		seen := map[string]bool{}
		for _, run := range r.Design {
			key, _ := json.Marshal(run)
			seen[string(key)] = true
		}
		if len(seen) != n {
			t.Errorf("k=%d: %d distinct runs of %d", k, len(seen), n)
		}
		// Every product of a non-empty set of columns (main effects and
		// interactions alike) sums to zero.
		for set := 1; set < n; set++ {
			sum := 0.0
			for i := 0; i < n; i++ {
				p := 1.0
				for j := 0; j < k; j++ {
					if set>>j&1 == 1 {
						p *= x[j][i]
					}
				}
				sum += p
			}
			if sum != 0 {
				t.Fatalf("k=%d: column product %b sums to %v, want 0", k, set, sum)
			}
		}
	}
}

func TestFactorialErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, input string
	}{
		{"too few names", `{"n_factors": 3, "factor_names": ["a", "b"]}`},
		{"too many names", `{"n_factors": 2, "factor_names": ["a", "b", "c"]}`},
		{"duplicate names", `{"n_factors": 2, "factor_names": ["a", "a"]}`},
		{"empty name", `{"n_factors": 2, "factor_names": ["a", ""]}`},
		{"fractional", `{"n_factors": 2.5}`},
		{"too small", `{"n_factors": 1}`},
		{"too large", `{"n_factors": 11}`},
		{"unknown key", `{"n_factors": 2, "center_points": 3}`},
		{"names not strings", `{"n_factors": 2, "factor_names": [1, 2]}`},
		{"missing", `{}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := runFactorial(t, tc.input)
			if errcode.Of(err) != errcode.InputInvalid {
				t.Fatalf("got %v, want input_invalid", err)
			}
		})
	}
	if r := decodeResult(t, must(runFactorial(t, `{"n_factors": 3.0}`))); r.NRuns != 8 {
		t.Errorf("n_factors 3.0 gave %d runs", r.NRuns)
	}
}

// TestFactorialSchema checks the house conventions and that the schema
// agrees with Check.
func TestFactorialSchema(t *testing.T) {
	t.Parallel()
	d := factorialDef(t)
	if d.Category != "experiments" || len(d.Description) < 200 {
		t.Errorf("category %q, description of %d characters", d.Category, len(d.Description))
	}
	var sch jsonschema.Schema
	if err := json.Unmarshal(d.Schema, &sch); err != nil {
		t.Fatal(err)
	}
	rs, err := sch.Resolve(nil)
	if err != nil {
		t.Fatal(err)
	}
	if sch.Type != "object" || sch.AdditionalProperties == nil || sch.AdditionalProperties.Not == nil {
		t.Errorf("want type object with additionalProperties false")
	}
	for name, p := range sch.Properties {
		if p.Description == "" || (!slices.Contains(sch.Required, name) && !strings.Contains(p.Description, "Default:")) {
			t.Errorf("%s: description %q does not state the default", name, p.Description)
		}
	}
	for _, tc := range []struct {
		input string
		valid bool
	}{
		{`{"n_factors": 2}`, true},
		{`{"n_factors": 10, "factor_names": ["a","b","c","d","e","f","g","h","i","j"]}`, true},
		{`{"n_factors": 4.0}`, true},
		{`{"n_factors": 11}`, false},
		{`{"n_factors": 2, "factor_names": ["a", "a"]}`, false},
		{`{"n_factors": 2, "factor_names": ["` + strings.Repeat("x", 101) + `", "b"]}`, false},
		{`{"n_factors": "2"}`, false},
	} {
		var doc any
		if err := json.Unmarshal([]byte(tc.input), &doc); err != nil {
			t.Fatal(err)
		}
		if err := rs.Validate(doc); (err == nil) != tc.valid {
			t.Errorf("%s: validation error %v, want valid=%v", tc.input, err, tc.valid)
		}
	}
}

// TestFactorialThroughRegistry: the registry's scalar cap (15) answers
// first for large n_factors, the schema for 11 to 15.
func TestFactorialThroughRegistry(t *testing.T) {
	t.Parallel()
	reg := tools.Standard()
	spec, ok := reg.Lookup("create_factorial_design")
	if !ok || spec.Category != "experiments" {
		t.Fatalf("create_factorial_design not registered under experiments: %+v", spec)
	}
	for _, tc := range []struct {
		input string
		code  errcode.Code
	}{
		{`{"n_factors": 16}`, errcode.InputTooLarge},
		{`{"n_factors": 12}`, errcode.InputInvalid},
		{`{"n_factors": 3, "factor_names": ["x", "y"]}`, errcode.InputInvalid},
		{`{"n_factors": 3, "factor_names": null}`, ""},
	} {
		norm, err := reg.Validate("create_factorial_design", []byte(tc.input), nil)
		if err == nil {
			var out json.RawMessage
			if out, err = reg.Execute(context.Background(), "create_factorial_design", norm); err == nil {
				if tc.code != "" {
					t.Errorf("%s: accepted, want %s", tc.input, tc.code)
				} else if !strings.Contains(string(out), `"n_runs":8`) {
					t.Errorf("%s: %s", tc.input, out)
				}
				continue
			}
		}
		var e *errcode.Error
		if !errors.As(err, &e) || e.Code != tc.code {
			t.Errorf("%s: %v, want %s", tc.input, err, tc.code)
		}
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func itoa(k int) string { b, _ := json.Marshal(k); return string(b) }
