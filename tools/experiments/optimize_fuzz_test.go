package experiments_test

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools"
)

// optFuzzInput builds an optimize_responses input from fuzz bytes: a method,
// one or two models over up to three factors with coefficients taken from
// the bytes (NaN and ±Inf folded to large finite values), and goals.
func optFuzzInput(data []byte) string {
	next := func() float64 {
		if len(data) < 8 {
			return 0
		}
		v := math.Float64frombits(binary.LittleEndian.Uint64(data))
		data = data[8:]
		switch {
		case math.IsNaN(v):
			return 1e300
		case math.IsInf(v, 0):
			return math.Copysign(math.MaxFloat64, v)
		}
		return v
	}
	pick := func(n int) int {
		if len(data) == 0 {
			return 0
		}
		b := int(data[0])
		data = data[1:]
		return b % n
	}
	methods := []string{"desirability", "stationary_point", "canonical_analysis", "steepest_ascent", "steepest_descent"}
	goals := []string{"maximize", "minimize", "target"}
	method := methods[pick(len(methods))]
	k := 1 + pick(3)
	names := []string{"A", "B", "C"}[:k]
	allTerms := []string{"Intercept", "A", "B", "C", "A:B", "A:C", "B:C", "I(A ** 2)", "I(B ** 2)", "I(C ** 2)", "A:B:C"}
	var models, gl []any
	nModels := 1 + pick(2)
	for mi := 0; mi < nModels; mi++ {
		var coefs []any
		for _, term := range allTerms {
			ok := true
			for _, f := range optParseNames(term) {
				ok = ok && optIndex(names, f) >= 0
			}
			if ok && pick(3) > 0 {
				coefs = append(coefs, map[string]any{"term": term, "coefficient": next()})
			}
		}
		models = append(models, map[string]any{"response_name": fmt.Sprintf("y%d", mi), "factor_names": names, "coefficients": coefs})
		low := next()
		g := map[string]any{"response": fmt.Sprintf("y%d", mi), "goal": goals[pick(3)], "low": low,
			"high": low + math.Abs(next()) + 1e-9, "weight": 0.1 + math.Abs(math.Mod(next(), 5))}
		if g["goal"] == "target" {
			g["target"] = low + math.Abs(math.Mod(next(), 10))
		}
		gl = append(gl, g)
	}
	in := map[string]any{"fitted_models": models, "method": method, "goals": gl, "n_steps": 1 + pick(100), "step_size": next()}
	if pick(2) == 0 {
		in["factor_ranges"] = map[string]any{"A": map[string]any{"low": next(), "high": next()}}
	}
	b, _ := json.Marshal(in)
	return string(b)
}

func optParseNames(term string) []string {
	switch term {
	case "Intercept":
		return nil
	case "I(A ** 2)":
		return []string{"A"}
	case "I(B ** 2)":
		return []string{"B"}
	case "I(C ** 2)":
		return []string{"C"}
	}
	var out []string
	for _, r := range term {
		if r != ':' {
			out = append(out, string(r))
		}
	}
	return out
}

func optIndex(names []string, n string) int {
	for i, v := range names {
		if v == n {
			return i
		}
	}
	return -1
}

// FuzzOptimizeResponses: whatever passes validation runs without a panic
// and gives valid JSON; a desirability result stays in the cube with
// D ∈ [0, 1]; refusals are typed.
func FuzzOptimizeResponses(f *testing.F) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 40 {
		b := make([]byte, 200)
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		// small, sane coefficients most of the time
		for i := 8; i+8 <= len(b); i += 16 {
			binary.LittleEndian.PutUint64(b[i:], math.Float64bits(r.NormFloat64()*5))
		}
		f.Add(b)
	}
	reg := tools.Standard()
	f.Fuzz(func(t *testing.T, data []byte) {
		in := optFuzzInput(data)
		norm, err := reg.Validate("optimize_responses", []byte(in), nil)
		if err != nil {
			if c := errcode.Of(err); c != errcode.InputInvalid && c != errcode.InputTooLarge {
				t.Fatalf("refusal with code %s: %v", c, err)
			}
			return
		}
		out, err := aeRun(t, "optimize_responses", string(norm))
		if err != nil {
			if c := errcode.Of(err); !c.Known() {
				t.Fatalf("untyped error %v on %s", err, norm)
			}
			return
		}
		v, err := aeDecode(out)
		if err != nil {
			t.Fatal(err)
		}
		if aeGet(t, v, "method") != "desirability" {
			return
		}
		d, ok := aeGet(t, v, "desirability", "composite_desirability").(float64)
		if ok && !(d >= 0 && d <= 1) {
			t.Fatalf("D = %g on %s", d, norm)
		}
		for _, x := range aeGet(t, v, "desirability", "optimal_coded").(aeObject).vals {
			if x, ok := x.(float64); ok && !(x >= -1 && x <= 1) {
				t.Fatalf("setting %g outside the cube on %s", x, norm)
			}
		}
	})
}
