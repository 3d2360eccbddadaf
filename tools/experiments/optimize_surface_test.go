package experiments

import (
	"math"
	"slices"
	"testing"
)

// The seed's own unit tests (tests/test_optimization.py) pin the evaluator,
// the b/B extraction and the desirability arithmetic; seed-spec §6.4 lists
// them as [test] goldens.

func optTestModel(t *testing.T, names []string, terms ...any) optModel {
	t.Helper()
	index := map[string]int{}
	for i, n := range names {
		index[n] = i
	}
	var coefs []optCoefficient
	for i := 0; i < len(terms); i += 2 {
		coefs = append(coefs, optCoefficient{Term: terms[i].(string), Coefficient: terms[i+1].(float64)})
	}
	m, err := optBuildModel(coefs, index, len(names))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestOptParseTerm(t *testing.T) {
	t.Parallel()
	cases := map[string][]string{
		"Intercept": nil, "A": {"A"}, "Temperature": {"Temperature"}, "A:B": {"A", "B"},
		"I(A ** 2)": {"A", "A"}, "I(A**2)": {"A", "A"}, "A:B:C": {"A", "B", "C"}, "I(Temp_1 ** 2)": {"Temp_1", "Temp_1"},
		"I(A ** 3)": {"I(A ** 3)"}, // not a square: looked up as a factor name, and refused
	}
	for term, want := range cases {
		if got := optParseTerm(term); !slices.Equal(got, want) {
			t.Errorf("optParseTerm(%q) = %q, want %q", term, got, want)
		}
	}
}

func TestOptEvaluator(t *testing.T) {
	t.Parallel()
	ab := []string{"A", "B"}
	linear := optTestModel(t, ab, "Intercept", 30.0, "A", 4.0, "B", 3.0)
	quad := optTestModel(t, ab, "Intercept", 40.0, "A", 5.25, "B", -2.0, "I(A ** 2)", -3.0, "I(B ** 2)", -1.5, "A:B", 1.5)
	cases := []struct {
		name string
		m    optModel
		x    []float64
		want float64
	}{
		{"intercept only", optTestModel(t, []string{"A"}, "Intercept", 42.0), []float64{0}, 42},
		{"linear at origin", linear, []float64{0, 0}, 30},
		{"linear at (1, 1)", linear, []float64{1, 1}, 37},
		{"quadratic at origin", quad, []float64{0, 0}, 40},
		{"quadratic at (1, 1)", quad, []float64{1, 1}, 40.25},
		{"three-factor term", optTestModel(t, []string{"A", "B", "C"}, "Intercept", 1.0, "A:B:C", 2.0), []float64{0.5, -1, 2}, -1},
	}
	for _, tc := range cases {
		if got := tc.m.eval(tc.x); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s: %g, want %g", tc.name, got, tc.want)
		}
	}
	// The gradient agrees with central differences.
	x := []float64{0.3, -0.7}
	g := make([]float64, 2)
	quad.grad(x, 1, g)
	for i := range x {
		h := 1e-6
		xp, xm := slices.Clone(x), slices.Clone(x)
		xp[i] += h
		xm[i] -= h
		if fd := (quad.eval(xp) - quad.eval(xm)) / (2 * h); math.Abs(fd-g[i]) > 1e-7 {
			t.Errorf("∂y/∂x%d = %g, central difference %g", i, g[i], fd)
		}
	}

	b0, b, bb := linear.secondOrder()
	if b0 != 30 || b[0] != 4 || b[1] != 3 || !optAllClose(bb) {
		t.Errorf("linear: b0 %g b %v B %v", b0, b, bb)
	}
	_, _, bb = quad.secondOrder()
	if bb[0] != -3 || bb[3] != -1.5 || bb[1] != 0.75 || bb[2] != 0.75 {
		t.Errorf("quadratic B = %v, want [[-3 0.75] [0.75 -1.5]]", bb)
	}
}

func TestOptDesirabilityMaths(t *testing.T) {
	t.Parallel()
	tgt := 15.0
	goal := func(kind string, low, high float64, w *float64) optGoal {
		return optGoal{Goal: kind, Low: low, High: high, Target: &tgt, Weight: w}
	}
	half := 0.5
	cases := []struct {
		name string
		y    float64
		g    optGoal
		want float64
	}{
		{"maximize below", 5, goal("maximize", 10, 20, nil), 0},
		{"maximize above", 25, goal("maximize", 10, 20, nil), 1},
		{"maximize midpoint", 15, goal("maximize", 10, 20, nil), 0.5},
		{"maximize concave", 15, goal("maximize", 10, 20, &half), math.Sqrt(0.5)},
		{"minimize below", 5, goal("minimize", 10, 20, nil), 1},
		{"minimize above", 25, goal("minimize", 10, 20, nil), 0},
		{"minimize midpoint", 15, goal("minimize", 10, 20, nil), 0.5},
		{"target at target", 15, goal("target", 10, 20, nil), 1},
		{"target below", 5, goal("target", 10, 20, nil), 0},
		{"target above", 25, goal("target", 10, 20, nil), 0},
		{"target rising", 12.5, goal("target", 10, 20, nil), 0.5},
		{"target falling", 17.5, goal("target", 10, 20, nil), 0.5},
	}
	for _, tc := range cases {
		if got, _ := optDesirability(tc.y, tc.g); math.Abs(got-tc.want) > 1e-15 {
			t.Errorf("%s: d = %g, want %g", tc.name, got, tc.want)
		}
	}
	if got := optComposite([]float64{1, 1, 1}, []float64{1, 1, 1}); got != 1 {
		t.Errorf("all ones: D = %g", got)
	}
	if got := optComposite([]float64{1, 0, 1}, []float64{1, 1, 1}); got != 0 {
		t.Errorf("a zero: D = %g", got)
	}
	if got := optComposite([]float64{0.5, 0.8}, []float64{1, 1}); math.Abs(got-math.Sqrt(0.4)) > 1e-15 {
		t.Errorf("geometric mean: D = %.17g, want √0.4", got)
	}
	want := math.Exp((2*math.Log(0.5) + math.Log(0.8)) / 3)
	if got := optComposite([]float64{0.5, 0.8}, []float64{2, 1}); math.Abs(got-want) > 1e-15 {
		t.Errorf("weighted: D = %.17g, want %.17g", got, want)
	}
	if got := optComposite(nil, nil); got != 0 {
		t.Errorf("empty: D = %g", got)
	}
}

// TestOptSmoothedObjective: the smoothed ln D approaches ln D from below as
// the width shrinks, and its gradient agrees with central differences.
func TestOptSmoothedObjective(t *testing.T) {
	t.Parallel()
	tgt := 48.0
	m := optTestModel(t, []string{"A", "B"}, "Intercept", 50.0, "A", -6.0, "B", 4.0, "A:B", -1.0)
	p := newOptDesirabilityProblem([]optModel{m}, []optGoal{{Goal: "target", Low: 40, High: 60, Target: &tgt}}, []float64{1})
	x := []float64{0.2, -0.1} // ŷ = 48.42: on the falling side, near the kink
	exact := math.Log(-p.negD(x, nil))
	prev := math.Inf(-1)
	for _, mu := range []float64{1e-1, 1e-2, 1e-4, 1e-8} {
		f := -p.negSmoothLogD(mu)(x, nil)
		if f > exact+1e-15 || f < prev {
			t.Errorf("μ = %g: smoothed %g, exact %g, previous %g", mu, f, exact, prev)
		}
		prev = f
	}
	if math.Abs(prev-exact) > 1e-12 {
		t.Errorf("μ = 1e-8: smoothed %.17g, exact %.17g", prev, exact)
	}
	g := make([]float64, 2)
	f := p.negSmoothLogD(1e-2)
	f(x, g)
	for i := range x {
		h := 1e-6
		xp, xm := slices.Clone(x), slices.Clone(x)
		xp[i] += h
		xm[i] -= h
		if fd := (f(xp, nil) - f(xm, nil)) / (2 * h); math.Abs(fd-g[i]) > 1e-6 {
			t.Errorf("∂/∂x%d = %g, central difference %g", i, g[i], fd)
		}
	}
}
