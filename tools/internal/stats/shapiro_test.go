package stats

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// The seed's test_normality vectors (R: set.seed(42); rnorm(10) and runif(10)).
var (
	swNormal10  = []float64{1.37095845, -0.56469817, 0.36312841, 0.63286260, 0.40426832, -0.10612452, 1.51152200, -0.09465904, 2.01842371, -0.06271410}
	swUniform10 = []float64{0.90403139, 0.13871017, 0.98889173, 0.94666823, 0.08243756, 0.51421178, 0.39020347, 0.90573813, 0.44696963, 0.83600426}
)

// TestShapiroWilkScipyGolden checks the seed-spec §6.1 values observed with
// scipy 1.10. scipy's swilk is single precision: its W and p are float32
// values, so W agrees to about 1e-7 and p, which amplifies W's rounding
// through log(1 − W), to about 3e-6 relative. TestShapiroWilkR pins the
// double-precision result.
func TestShapiroWilkScipyGolden(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		x     []float64
		w, p  float64
		testP float64 // the seed test's R value, ±1e-3
	}{
		{"normal sample", swNormal10, 0.9287019371986389, 0.4352465271949768, 0.4352},
		{"uniform sample", swUniform10, 0.8741459846496582, 0.1116977334022522, 0.1117},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, p, err := ShapiroWilk(tc.x)
			if err != nil {
				t.Fatal(err)
			}
			if !near(w, tc.w, 2e-7) {
				t.Errorf("W = %.16g, want %.16g (scipy, float32)", w, tc.w)
			}
			if !near(p, tc.p, 5e-6) {
				t.Errorf("p = %.16g, want %.16g (scipy, float32)", p, tc.p)
			}
			if math.Abs(p-tc.testP) > 1e-3 {
				t.Errorf("p = %.6g, want %.4f ± 1e-3 (seed test)", p, tc.testP)
			}
		})
	}
}

// TestShapiroWilkR checks every branch of the algorithm (n = 3, n ≤ 5 with one
// adjusted weight, 6 ≤ n ≤ 11, n ≥ 12) against R 4.2.2's shapiro.test, which
// implements AS R94 in double precision.
func TestShapiroWilkR(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		x    []float64
		w, p float64
	}{
		{"n=10 normal", swNormal10, 0.92870183694600306, 0.43524551937971845},
		{"n=10 uniform", swUniform10, 0.87414588634695933, 0.11169743462292747},
		{"n=3", []float64{1, 2, 4}, 27.0 / 28, 0.6368868450289632},
		{"n=4", []float64{1.0, 2.0, 1.5, 4.0}, 0.88691237797718181, 0.36899933289192399},
		{"n=5", []float64{1.0, 2.0, 1.5, 1.8, 2.1}, 0.92072919244123475, 0.53465475425720665},
		{"n=6", []float64{2.1, 3.4, 1.9, 5.6, 4.4, 3.3}, 0.94136721154676062, 0.67023386449704203},
		{"n=12", []float64{8.80, 6.60, 7.26, 9.32, 5.88, 8.44, 11.39, 6.82, 9.32, 5.63, 9.65, 9.49}, 0.94441604340898699, 0.55729937911087224},
		{"n=54 Rosner", rosner, 0.90606213680353687, 0.00046149837293784957},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, p, err := ShapiroWilk(tc.x)
			if err != nil {
				t.Fatal(err)
			}
			if !near(w, tc.w, 1e-12) {
				t.Errorf("W = %.17g, want %.17g", w, tc.w)
			}
			if !near(p, tc.p, 1e-10) {
				t.Errorf("p = %.17g, want %.17g", p, tc.p)
			}
		})
	}
}

func TestShapiroWilkEdges(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		x       []float64
		w, p    float64
		wantErr bool
	}{
		// scipy 1.10 (and AS R94's initial values): constant data.
		{name: "constant", x: []float64{3, 3, 3, 3}, w: 1, p: 1},
		{name: "NaN dropped", x: []float64{math.NaN(), 1, 2, 4}, w: 27.0 / 28, p: 0.6368868450289632},
		{name: "equally spaced n=3 is a perfect fit", x: []float64{0, 1, 2}, w: 1, p: 1},
		{name: "two values", x: []float64{1, 2}, wantErr: true},
		{name: "three with one missing", x: []float64{1, math.NaN(), 2}, wantErr: true},
		{name: "infinite value", x: []float64{1, 2, math.Inf(1)}, wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, p, err := ShapiroWilk(tc.x)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("ShapiroWilk(%v) = %v, %v; want an error", tc.x, w, p)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !near(w, tc.w, 1e-12) || !near(p, tc.p, 1e-10) {
				t.Fatalf("ShapiroWilk(%v) = %.17g, %.17g; want %.17g, %.17g", tc.x, w, p, tc.w, tc.p)
			}
		})
	}
}

// TestShapiroWilkProperties checks, on deterministic samples, what any
// correct implementation must do: W in (0, 1], p in [0, 1], a high p for
// data placed at normal quantiles and a tiny one for strongly skewed data,
// and invariance to location, scale and order.
func TestShapiroWilkProperties(t *testing.T) {
	t.Parallel()
	for _, n := range []int{4, 7, 11, 12, 50, 500, 5000} {
		normal := make([]float64, n)
		skewed := make([]float64, n)
		for i := range normal {
			q := (float64(i) + 0.5) / float64(n)
			normal[i] = 10 + 2*math.Sqrt2*math.Erfinv(2*q-1)
			skewed[i] = -math.Log(1 - q) // exponential quantiles
		}
		w, p, err := ShapiroWilk(normal)
		if err != nil {
			t.Fatal(err)
		}
		if !(w > 0.9 && w <= 1) || !(p > 0.5 && p <= 1) {
			t.Errorf("n=%d normal quantiles: W = %v, p = %v; want W > 0.9, p > 0.5", n, w, p)
		}
		ws, ps, err := ShapiroWilk(skewed)
		if err != nil {
			t.Fatal(err)
		}
		if ws >= w || ps < 0 || ps > 1 {
			t.Errorf("n=%d exponential quantiles: W = %v, p = %v; want W < %v and p in [0, 1]", n, ws, ps, w)
		}
		if n >= 50 && ps > 1e-3 {
			t.Errorf("n=%d exponential quantiles: p = %v, want < 1e-3", n, ps)
		}
		// Affine maps and reversal leave W unchanged.
		moved := make([]float64, n)
		for i, v := range skewed {
			moved[n-1-i] = 3 - 7*v
		}
		wm, _, _ := ShapiroWilk(moved)
		if !near(wm, ws, 1e-9) {
			t.Errorf("n=%d: W not invariant under x → 3 − 7x: %v vs %v", n, wm, ws)
		}
	}
}

// TestShapiroWilkCalibration checks that the p-value is calibrated: on
// normal samples the test rejects at 5% about 5% of the time, and it has
// power against a skewed distribution. The samples come from gonum's distuv
// with fixed seeds, so the counts are deterministic.
func TestShapiroWilkCalibration(t *testing.T) {
	t.Parallel()
	const trials = 1000
	for _, n := range []int{8, 30, 200} {
		normal := distuv.Normal{Mu: 5, Sigma: 2, Src: rand.NewPCG(uint64(n), 7)}
		expo := distuv.Exponential{Rate: 1, Src: rand.NewPCG(uint64(n), 8)}
		x := make([]float64, n)
		rejectNormal, rejectExpo := 0, 0
		for range trials {
			for i := range x {
				x[i] = normal.Rand()
			}
			if _, p, _ := ShapiroWilk(x); p < 0.05 {
				rejectNormal++
			}
			for i := range x {
				x[i] = expo.Rand()
			}
			if _, p, _ := ShapiroWilk(x); p < 0.05 {
				rejectExpo++
			}
		}
		t.Logf("n=%d: rejected %d normal, %d exponential samples", n, rejectNormal, rejectExpo)
		// 5% of 1000 has a binomial SD of about 7.
		if rejectNormal < 25 || rejectNormal > 75 {
			t.Errorf("n=%d: %d of %d normal samples rejected at 5%%, want about 50", n, rejectNormal, trials)
		}
		if n >= 30 && rejectExpo < 900 {
			t.Errorf("n=%d: only %d of %d exponential samples rejected at 5%%", n, rejectExpo, trials)
		}
	}
}
