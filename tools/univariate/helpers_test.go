package univariate

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/toolq/toolq/tools/internal/tooltest"
	"github.com/toolq/toolq/tools/tool"
)

// def returns the named definition from Defs.
func def(t *testing.T, name string) tool.Def {
	t.Helper()
	return tooltest.Def(t, Defs(), name)
}

// call runs the named tool as the registry does after validation (see
// tooltest.Call) and fails the test on an error.
func call(t *testing.T, name string, input any) tooltest.Result {
	t.Helper()
	return tooltest.Call(t, def(t, name), input)
}

// try is call that returns the tool's error instead of failing.
func try(t *testing.T, name string, input any) (tooltest.Result, error) {
	t.Helper()
	return tooltest.Try(t, def(t, name), input)
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

func checkGolden(t *testing.T, r tooltest.Result, gs []golden) {
	t.Helper()
	for _, g := range gs {
		if got := r.Num(t, g.key); !near(got, g.want, g.rel) {
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
