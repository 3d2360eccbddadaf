package stats

import (
	"math"
	"testing"
)

func rosenbrock(x, g []float64) float64 {
	a, b := 1-x[0], x[1]-x[0]*x[0]
	if g != nil {
		g[0] = -2*a - 400*x[0]*b
		g[1] = 200 * b
	}
	return a*a + 100*b*b
}

func TestMinimizeBox(t *testing.T) {
	t.Parallel()
	quad := func(c []float64) BoxObjective {
		return func(x, g []float64) float64 {
			var f float64
			for i := range x {
				d := x[i] - c[i]
				f += float64(i+1) * d * d
				if g != nil {
					g[i] = 2 * float64(i+1) * d
				}
			}
			// a coupling term keeps the Hessian off the diagonal
			f += x[0] * x[len(x)-1]
			if g != nil {
				g[0] += x[len(x)-1]
				g[len(x)-1] += x[0]
			}
			return f
		}
	}
	cases := []struct {
		name   string
		f      BoxObjective
		x0     []float64
		lo, hi []float64
		want   []float64
		tol    float64
	}{
		// Interior minimum of 1·(x−0.2)² + 2·(y+0.3)² + xy: solve the
		// gradient equations 2(x−0.2) + y = 0, 4(y+0.3) + x = 0.
		{"interior quadratic", quad([]float64{0.2, -0.3}), []float64{0.9, 0.9}, []float64{-1, -1}, []float64{1, 1},
			[]float64{(1.6 + 1.2) / 7, -0.3 - (1.6+1.2)/28}, 1e-9},
		// The free minimum (3, −0.5) lies outside: x is held at its bound.
		{"bound active", func(x, g []float64) float64 {
			if g != nil {
				g[0], g[1] = 2*(x[0]-3), 2*(x[1]+0.5)
			}
			return (x[0]-3)*(x[0]-3) + (x[1]+0.5)*(x[1]+0.5)
		}, []float64{0, 0}, []float64{-1, -1}, []float64{1, 1}, []float64{1, -0.5}, 1e-12},
		{"rosenbrock", rosenbrock, []float64{-1.2, 1}, []float64{-2, -2}, []float64{2, 2}, []float64{1, 1}, 1e-7},
		// With x ≤ 0.5 the minimum is on the bound at (0.5, 0.25) (scipy's
		// L-BFGS-B and SLSQP agree).
		{"rosenbrock bounded", rosenbrock, []float64{-1.2, 1}, []float64{-2, -2}, []float64{0.5, 2}, []float64{0.5, 0.25}, 1e-8},
		// A kink at the minimum: |x − 0.3| + y².
		{"kink", func(x, g []float64) float64 {
			if g != nil {
				g[0], g[1] = math.Copysign(1, x[0]-0.3), 2*x[1]
				if x[0] == 0.3 {
					g[0] = 0
				}
			}
			return math.Abs(x[0]-0.3) + x[1]*x[1]
		}, []float64{-0.9, 0.7}, []float64{-1, -1}, []float64{1, 1}, []float64{0.3, 0}, 1e-6},
		// A fixed coordinate (lo = hi) stays where the bounds put it.
		{"fixed coordinate", quad([]float64{0.2, -0.3, 0.1}), []float64{0, 0, 0}, []float64{-1, 0.5, -1}, []float64{1, 0.5, 1},
			nil, 0},
		{"start outside", quad([]float64{0.2, -0.3}), []float64{7, -9}, []float64{-1, -1}, []float64{1, 1},
			[]float64{(1.6 + 1.2) / 7, -0.3 - (1.6+1.2)/28}, 1e-9},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := MinimizeBox(tc.f, tc.x0, tc.lo, tc.hi, nil)
			if !r.Converged {
				t.Errorf("not converged after %d iterations: %+v", r.Iterations, r)
			}
			for i, v := range r.X {
				if v < tc.lo[i] || v > tc.hi[i] {
					t.Errorf("x[%d] = %g outside [%g, %g]", i, v, tc.lo[i], tc.hi[i])
				}
			}
			if got := tc.f(r.X, nil); got != r.F {
				t.Errorf("F = %g, f(X) = %g", r.F, got)
			}
			if tc.want == nil {
				if r.X[1] != 0.5 {
					t.Errorf("fixed coordinate moved to %g", r.X[1])
				}
				return
			}
			for i := range tc.want {
				if math.Abs(r.X[i]-tc.want[i]) > tc.tol {
					t.Errorf("x = %v, want %v (±%g)", r.X, tc.want, tc.tol)
					break
				}
			}
		})
	}
}

func TestMinimizeBoxDegenerate(t *testing.T) {
	t.Parallel()
	// A flat function: the start is already a minimum.
	flat := func(x, g []float64) float64 {
		for i := range g {
			g[i] = 0
		}
		return 0
	}
	r := MinimizeBox(flat, []float64{0.25, -0.5}, []float64{-1, -1}, []float64{1, 1}, nil)
	if !r.Converged || r.X[0] != 0.25 || r.X[1] != -0.5 || r.Iterations != 0 {
		t.Errorf("flat: %+v", r)
	}
	// NaN at the start: the start comes back, unconverged.
	nan := func(x, g []float64) float64 { return math.NaN() }
	r = MinimizeBox(nan, []float64{0.5}, []float64{-1}, []float64{1}, nil)
	if r.Converged || r.X[0] != 0.5 {
		t.Errorf("NaN start: %+v", r)
	}
	// NaN away from the start counts as +Inf: the search stays where f is a number.
	hole := func(x, g []float64) float64 {
		if x[0] > 0.5 {
			return math.NaN()
		}
		if g != nil {
			g[0] = -1
		}
		return -x[0]
	}
	r = MinimizeBox(hole, []float64{0}, []float64{-1}, []float64{1}, nil)
	if r.X[0] > 0.5 || r.X[0] < 0.45 || math.IsNaN(r.F) {
		t.Errorf("NaN region: %+v", r)
	}
	// MaxEvals too.
	r = MinimizeBox(rosenbrock, []float64{-1.2, 1}, []float64{-2, -2}, []float64{2, 2}, &BoxSettings{MaxEvals: 5})
	if r.Converged || r.Evaluations > 5+60 || r.Evaluations <= 5 {
		t.Errorf("MaxEvals 5: %+v", r)
	}
	// MaxIter is honoured and reported as not converged.
	r = MinimizeBox(rosenbrock, []float64{-1.2, 1}, []float64{-2, -2}, []float64{2, 2}, &BoxSettings{MaxIter: 2})
	if r.Converged || r.Iterations != 2 {
		t.Errorf("MaxIter 2: %+v", r)
	}

	for _, bad := range []struct{ x0, lo, hi []float64 }{
		{[]float64{0}, []float64{1}, []float64{-1}},
		{[]float64{0, 0}, []float64{-1}, []float64{1}},
		{[]float64{0}, []float64{math.Inf(-1)}, []float64{1}},
		{[]float64{0}, []float64{math.NaN()}, []float64{1}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("bounds %v %v %v: no panic", bad.x0, bad.lo, bad.hi)
				}
			}()
			MinimizeBox(flat, bad.x0, bad.lo, bad.hi, nil)
		}()
	}
}
