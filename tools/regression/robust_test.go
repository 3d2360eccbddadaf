package regression

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/internal/tooltest"
)

// The seed's test_regression_simple_robust data (seed-spec §6.3).
var (
	seedX = []float64{0.0599125391, 0.0998562289, 0.1397959245, 0.1797268338, 0.2496405722}
	seedY = []float64{0.2788299918, 0.4663000107, 0.6585199833, 0.8372399807, 1.1684000492}
)

// TestRobustRegressionSpecGoldens checks every §6.3 value for the tool: the
// [obs] values of the seed tool at 1e-9, and the seed test's hand/Excel/R
// values to the digits the test states.
func TestRobustRegressionSpecGoldens(t *testing.T) {
	t.Parallel()
	t.Run("with intercept", func(t *testing.T) {
		t.Parallel()
		r := call(t, "robust_regression", map[string]any{"x": seedX, "y": seedY})
		for _, g := range []struct {
			key       string
			want, rel float64
		}{
			{"slope", 4.690381815118011, 1e-9},
			{"intercept", -0.0021826920921868, 1e-9},
			{"r2", 0.9999197344689733, 1e-9},
			{"standard_error", 0.003554008966363915, 1e-9},
			{"slope_std_error", 0.024262172257268726, 1e-9},
			// [test] values, to their stated digits.
			{"standard_error", 0.003554009, 1e-6},
			{"r2", 0.999919429560, 1e-6},
			{"slope", 4.69038, 1e-6},
		} {
			if got := r.Num(t, g.key); !near(got, g.want, g.rel, 0) {
				t.Errorf("%s = %.17g, want %.17g (rel %g)", g.key, got, g.want, g.rel)
			}
		}
		if got := r.Num(t, "intercept"); math.Abs(got-(-0.00218)) > 5e-6 {
			t.Errorf("intercept = %v, want -0.00218 to 5 decimals", got)
		}
		ci := r.Floats(t, "slope_confidence_interval")
		for i, want := range []float64{4.613168754659696, 4.767594875576326} {
			if !near(ci[i], want, 1e-9, 0) {
				t.Errorf("slope_confidence_interval[%d] = %.17g, want %.17g", i, ci[i], want)
			}
		}
		for i, want := range []float64{4.61316875, 4.76759488} { // [test]
			if math.Abs(ci[i]-want) > 5e-9 {
				t.Errorf("slope_confidence_interval[%d] = %.17g, want %v to 8 decimals", i, ci[i], want)
			}
		}
		for i, want := range []float64{0.0, 0.000118863, 0.005006413, -0.0035648, -0.000326859} { // [test]
			if got := r.Floats(t, "residuals")[i]; math.Abs(got-want) > 1e-9 {
				t.Errorf("residuals[%d] = %.12g, want %v", i, got, want)
			}
		}
		px, lo, hi := r.Floats(t, "prediction_interval_x"), r.Floats(t, "prediction_interval_lower"), r.Floats(t, "prediction_interval_upper")
		if len(px) != 50 || len(lo) != 50 || len(hi) != 50 {
			t.Fatalf("prediction arrays have %d, %d, %d points, want 50", len(px), len(lo), len(hi))
		}
		for _, c := range []struct {
			i          int
			x, lo, hi  float64
			whichPoint string
		}{
			{0, 0.0599125391, 0.2647773765196375, 0.2928826070803625, "first"},
			{49, 0.2496405722, 1.1539683835716228, 1.1834854325690731, "last"},
		} {
			if px[c.i] != c.x || !near(lo[c.i], c.lo, 1e-9, 0) || !near(hi[c.i], c.hi, 1e-9, 0) {
				t.Errorf("%s band point (%v, [%.17g, %.17g]), want (%v, [%.17g, %.17g])", c.whichPoint, px[c.i], lo[c.i], hi[c.i], c.x, c.lo, c.hi)
			}
		}
		if got := string(r["n"]); got != "5" {
			t.Errorf("n = %s, want the integer 5", got)
		}
	})
	t.Run("no intercept", func(t *testing.T) {
		t.Parallel()
		r := call(t, "robust_regression", map[string]any{"x": seedX, "y": seedY, "fit_intercept": false})
		for key, want := range map[string]float64{
			"slope": 4.690381815118011, "r2": 0.9998806933410466, "standard_error": 0.003752614133423049,
		} {
			if got := r.Num(t, key); !near(got, want, 1e-9, 0) {
				t.Errorf("%s = %.17g, want %.17g", key, got, want)
			}
		}
		if got := string(r["intercept"]); got != "0.0" {
			t.Errorf("intercept = %s, want 0.0", got)
		}
		ci := r.Floats(t, "slope_confidence_interval")
		if !near(ci[0], 4.6192548687714465, 1e-9, 0) || !near(ci[1], 4.761508761464575, 1e-9, 0) {
			t.Errorf("slope_confidence_interval = %v, want [4.6192548687714465, 4.761508761464575]", ci)
		}
	})
	t.Run("constant x", func(t *testing.T) {
		t.Parallel()
		// [test] every standard error and interval is NaN.
		r := call(t, "robust_regression", map[string]any{"x": []float64{4, 4, 4, 4, 4}, "y": []float64{1, 2, 3, 4, 5}})
		for _, key := range []string{"slope", "intercept", "r2", "standard_error", "slope_std_error"} {
			if got := string(r[key]); got != "null" {
				t.Errorf("%s = %s, want null", key, got)
			}
		}
		for _, key := range []string{"slope_confidence_interval", "prediction_interval_lower", "prediction_interval_upper"} {
			for i, v := range r.Floats(t, key) {
				if !math.IsNaN(v) {
					t.Errorf("%s[%d] = %v, want null", key, i, v)
				}
			}
		}
	})
}

// seedCase is one entry of testdata/robust_regression.json: an input and the
// seed tool's full output for it, computed by running the seed's
// regression/methods.py robust_regression and the tool wrapper of
// regression/tools.py under numpy 1.24.2, scipy 1.10.1, pandas 1.5.3 and
// statsmodels 0.13.5 (seed-spec §0.3), with its clean() applied.
type seedCase struct {
	Name  string                     `json:"name"`
	Input map[string]any             `json:"input"`
	Seed  map[string]json.RawMessage `json:"seed"`
}

func loadSeedCases(t *testing.T, path string) []seedCase {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cases []seedCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

// TestRobustRegressionMatchesSeed compares every key of the tool's output
// with the seed tool's, element by element: the spec's data with and without
// an intercept, missing values with an outlier at 90%, constant x, unsorted
// x with a negative slope through the origin at 99%, and the smallest input.
func TestRobustRegressionMatchesSeed(t *testing.T) {
	t.Parallel()
	for _, tc := range loadSeedCases(t, "testdata/robust_regression.json") {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			r := call(t, "robust_regression", tc.Input)
			if len(r) != len(tc.Seed) {
				t.Errorf("result has %d keys, the seed %d", len(r), len(tc.Seed))
			}
			for key, raw := range tc.Seed {
				got, ok := r[key]
				if !ok {
					t.Errorf("result has no key %q", key)
					continue
				}
				want := tooltest.Result{key: raw}
				if raw[0] == '[' {
					g, w := r.Floats(t, key), want.Floats(t, key)
					if len(g) != len(w) {
						t.Errorf("%s has %d values, the seed %d", key, len(g), len(w))
						continue
					}
					for i := range w {
						if !near(g[i], w[i], 1e-9, 1e-12) {
							t.Errorf("%s[%d] = %.17g, seed %.17g", key, i, g[i], w[i])
						}
					}
					continue
				}
				if key == "n" && string(got) != string(raw) {
					t.Errorf("n = %s, seed %s", got, raw)
				}
				if g, w := r.Num(t, key), want.Num(t, key); !near(g, w, 1e-9, 1e-12) {
					t.Errorf("%s = %.17g, seed %.17g", key, g, w)
				}
			}
		})
	}
}

// TestRobustRegressionExactLine: on integer points of an exact line the fit
// is that line with zero residuals, R² = 1 and zero-width intervals, and
// replacing fewer than half of the points by outliers leaves slope and
// intercept unchanged (the repeated median's breakdown point).
func TestRobustRegressionExactLine(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(21, 22))
	for trial := range 50 {
		n := 5 + rng.IntN(40)
		a, b := float64(rng.IntN(21)-10), float64(rng.IntN(11)-5)
		if b == 0 {
			b = 3
		}
		x, y := make([]float64, n), make([]float64, n)
		for i, p := range rng.Perm(3 * n)[:n] {
			x[i] = float64(p)
			y[i] = a + b*x[i]
		}
		r := call(t, "robust_regression", map[string]any{"x": x, "y": y})
		if r.Num(t, "slope") != b || r.Num(t, "intercept") != a || r.Num(t, "r2") != 1 || r.Num(t, "standard_error") != 0 {
			t.Fatalf("trial %d: exact line %v + %v·x fitted as %v", trial, a, b, r)
		}
		if ci := r.Floats(t, "slope_confidence_interval"); ci[0] != b || ci[1] != b {
			t.Fatalf("trial %d: slope interval %v on an exact line, want [%v, %v]", trial, ci, b, b)
		}
		// n/2 − 1 outliers leave g good points with g − 1 > (n − 1)/2.
		for _, i := range rng.Perm(n)[:n/2-1] {
			y[i] += 1 + 1000*rng.Float64()
		}
		r = call(t, "robust_regression", map[string]any{"x": x, "y": y})
		if got := r.Num(t, "slope"); got != b {
			t.Fatalf("trial %d: slope %v with outliers, want %v", trial, got, b)
		}
	}
}

// TestRobustRegressionMissingPairs: a pair with a missing side is dropped,
// so the fit equals the fit of the complete pairs, and the per-point lists
// hold one value per complete pair.
func TestRobustRegressionMissingPairs(t *testing.T) {
	t.Parallel()
	with := call(t, "robust_regression", `{"x": [1, 2, null, 4, 5, 6, 7], "y": [2.2, 3.9, 6.1, null, 10.2, 12.1, 13.8]}`)
	without := call(t, "robust_regression", `{"x": [1, 2, 5, 6, 7], "y": [2.2, 3.9, 10.2, 12.1, 13.8]}`)
	for key := range without {
		if string(with[key]) != string(without[key]) {
			t.Errorf("%s = %s with missing pairs, %s without them", key, with[key], without[key])
		}
	}
}

func TestRobustRegressionErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		input string
		code  errcode.Code
	}{
		{"two complete pairs", `{"x": [1, 2, null], "y": [1, 2, 3]}`, errcode.ToolError},
		{"length mismatch", `{"x": [1, 2, 3], "y": [1, 2, 3, 4]}`, errcode.InputInvalid},
		{"over the cap", func() string {
			b, _ := json.Marshal(map[string]any{"x": make([]float64, 5001), "y": make([]float64, 5001)})
			return string(b)
		}(), errcode.InputTooLarge},
		{"not numbers", `{"x": ["a", 2, 3], "y": [1, 2, 3]}`, errcode.InputInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := tooltest.TryRun(t, def(t, "robust_regression"), tc.input) // Run's own checks
			tooltest.WantCode(t, err, tc.code)
		})
	}
}

// TestRobustRegressionExtremeValues: values near the float64 range overflow
// to null results, never to a panic or an encoding failure.
func TestRobustRegressionExtremeValues(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		`{"x": [1e308, -1e308, 1.7e308, 0], "y": [1.7e308, -1.7e308, 1e308, 5]}`,
		`{"x": [1e-308, 2e-308, 3e-308], "y": [1, 2, 3], "fit_intercept": false}`,
		`{"x": [0, 0, 1], "y": [0, 0, 0], "confidence_level": 1e-300}`,
	} {
		r := call(t, "robust_regression", in)
		if n := len(r.Floats(t, "prediction_interval_x")); n != 50 {
			t.Errorf("%s: %d band points, want 50", in, n)
		}
	}
	if r := call(t, "robust_regression", `{"x": [1, 2, 3], "y": [1, 1, 1]}`); len(r) != 13 {
		t.Errorf("result %v, want the seed's 13 keys", r)
	}
}
