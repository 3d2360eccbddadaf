package stats

import (
	"errors"
	"math"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// The reference values were computed with scipy 1.10.1 (Debian 12):
// scipy.stats.boxcox, boxcox_llf and scipy.optimize.brent/bracket.

func TestBoxCoxScipy(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name               string
		x                  []float64
		lambda             float64
		llfAtLambda, llf05 float64
		y0, yLast          float64
	}{
		{"skewed", []float64{1.2, 3.4, 2.2, 8.9, 5.5, 4.1, 0.7, 2.9, 3.3, 12.5},
			0.12759383599483742, -9.840581142158664, -10.35460715227482, 0.18445878036160165, 2.9801895394492917},
		{"gamma", []float64{5.0048, 4.0116, 3.4377, 5.2366, 3.3257, 7.1472, 5.4195, 4.8876, 1.3917, 0.7213, 1.5224,
			5.632, 4.8145, 1.1068, 5.5903, 2.4761, 2.4792, 9.2669, 4.5797, 5.2511, 5.3007, 1.0829, 5.4766, 17.4382, 1.645},
			0.1930205775273099, -23.715394279592733, -24.634795943058812, 1.8887657844853443, 0.5224348338787808},
		{"experiment", []float64{28, 36, 18, 31, 25, 26, 24},
			0.7164025375094865, -11.592119537106173, -11.600379643790408, 13.795283856976718, 12.206980804593899},
		// λ̂ far above 2, on left-skewed values near 1000.
		{"left skewed", []float64{995.237207, 992.278367, 989.966943, 987.85323, 985.811297, 983.781628, 981.727831,
			979.623349, 977.446012, 975.175302, 972.790696, 970.270447, 967.590517, 964.723462, 961.637126, 958.29301,
			954.644076, 950.631733, 946.181499, 941.196586, 935.548057, 929.059109, 921.478757, 912.435135, 901.346447,
			887.234229, 868.277739, 840.527167, 792.789936, 664.062649},
			12.379791028037976, -115.2314291919406, math.NaN(), math.NaN(), math.NaN()},
		// The bracket walks far outside (−2, 2) before it closes.
		{"outlier", []float64{100.5, 101.2, 99.8, 100.1, 100.9, 250.0},
			-6.424938082233507, -17.34912332744466, -23.056195940758137, 0.15564352328392123, 0.15564352328394246},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l, err := BoxCoxMLE(tc.x)
			if err != nil {
				t.Fatal(err)
			}
			// Same bracket and Brent steps as scipy, until the last few,
			// which follow rounding noise in a flat log-likelihood.
			if math.Abs(l-tc.lambda) > 1e-6 {
				t.Errorf("λ = %.17g, scipy %.17g", l, tc.lambda)
			}
			if got := BoxCoxLLF(l, tc.x); !near(got, tc.llfAtLambda, 1e-13) {
				t.Errorf("llf at our λ̂ = %.17g, scipy's maximum %.17g", got, tc.llfAtLambda)
			}
			if got := BoxCoxLLF(tc.lambda, tc.x); !near(got, tc.llfAtLambda, 1e-12) {
				t.Errorf("llf(λ̂) = %.17g, scipy %.17g", got, tc.llfAtLambda)
			}
			if math.IsNaN(tc.llf05) {
				return
			}
			if got := BoxCoxLLF(0.5, tc.x); !near(got, tc.llf05, 1e-12) {
				t.Errorf("llf(0.5) = %.17g, scipy %.17g", got, tc.llf05)
			}
			n := len(tc.x)
			if got := BoxCox(tc.x[0], tc.lambda); !near(got, tc.y0, 1e-9) {
				t.Errorf("y[0] = %.17g, scipy %.17g", got, tc.y0)
			}
			if got := BoxCox(tc.x[n-1], tc.lambda); !near(got, tc.yLast, 1e-9) {
				t.Errorf("y[n-1] = %.17g, scipy %.17g", got, tc.yLast)
			}
		})
	}
}

// TestBoxCoxLogNormal: for data whose logarithms are exactly normal scores,
// the log transform (λ = 0) is the one that makes them normal.
func TestBoxCoxLogNormal(t *testing.T) {
	t.Parallel()
	std := distuv.Normal{Mu: 0, Sigma: 1}
	for _, n := range []int{50, 1000} {
		x := make([]float64, n)
		for i := range x {
			x[i] = math.Exp(3 + 0.5*std.Quantile((float64(i)+0.5)/float64(n)))
		}
		l, err := BoxCoxMLE(x)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(l) > 0.02 {
			t.Errorf("n=%d: λ = %g for log-normal data, want ≈ 0", n, l)
		}
		// and a square gives half of it: λ for x² is λ(x)/2.
		sq := make([]float64, n)
		for i, v := range x {
			sq[i] = v * v
		}
		l2, err := BoxCoxMLE(sq)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(l2-l/2) > 1e-4 {
			t.Errorf("n=%d: λ(x²) = %g, want λ(x)/2 = %g", n, l2, l/2)
		}
	}
}

func TestBoxCoxErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		x    []float64
		want error
	}{
		{nil, ErrBoxCoxConstant},
		{[]float64{3, 3, 3}, ErrBoxCoxConstant},
		{[]float64{1, 2, 0}, ErrBoxCoxNonPositive},
		{[]float64{1, -2, 3}, ErrBoxCoxNonPositive},
		{[]float64{1, math.NaN(), 3}, ErrBoxCoxNonPositive},
		{[]float64{1, math.Inf(1), 3}, ErrBoxCoxNonPositive},
	}
	for _, tc := range cases {
		if _, err := BoxCoxMLE(tc.x); !errors.Is(err, tc.want) {
			t.Errorf("BoxCoxMLE(%v) error %v, want %v", tc.x, err, tc.want)
		}
	}
	if got := BoxCoxLLF(1, nil); !math.IsNaN(got) {
		t.Errorf("llf of no data = %g, want NaN", got)
	}
}

// TestBrentScipy compares the bracket and Brent ports with scipy on a
// multimodal function (the bracket decides which minimum is found), a
// smooth one and one whose minimum lies far outside the starting pair.
func TestBrentScipy(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		f    func(float64) float64
		want float64
		br   [3]float64 // scipy.optimize.bracket(f, -2, 2)[:3], when checked
	}{
		{"multimodal", func(x float64) float64 { return (x-0.3)*(x-0.3) + math.Sin(3*x) }, 1.3211833007250295,
			[3]float64{-2, 2, 8.472135999999999}},
		{"exp", func(x float64) float64 { return math.Exp(x) - 5*x }, 1.609437936047936, [3]float64{}},
		{"far", func(x float64) float64 { return (x - 40) * (x - 40) }, 39.99999999999998,
			[3]float64{8.472135999999999, 39.99999999999998, 91.01315589937595}},
	}
	for _, tc := range cases {
		br, err := bracketMinimum(tc.f, -2, 2)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if tc.br != [3]float64{} && !(near(br.a, tc.br[0], 1e-12) && near(br.b, tc.br[1], 1e-12) && near(br.c, tc.br[2], 1e-12)) {
			t.Errorf("%s: bracket (%v, %v, %v), scipy %v", tc.name, br.a, br.b, br.c, tc.br)
		}
		// The last steps differ in rounding (math.Exp is not numpy's exp).
		if got := brentMinimize(tc.f, br); !near(got, tc.want, 1e-7) {
			t.Errorf("%s: minimum at %.17g, scipy %.17g", tc.name, got, tc.want)
		}
	}
	// An end where the function overflows to +Inf still brackets.
	wall := func(x float64) float64 {
		if x > 20 {
			return math.Inf(1)
		}
		return -x
	}
	br, err := bracketMinimum(wall, -2, 2)
	if err != nil {
		t.Fatalf("overflowing end: %v", err)
	}
	if got := brentMinimize(wall, br); !(got > 19.9 && got <= 20) {
		t.Errorf("overflowing end: minimum at %g, want just below 20", got)
	}
	// A function that keeps falling cannot be bracketed.
	if _, err := bracketMinimum(func(x float64) float64 { return -x }, -2, 2); !errors.Is(err, ErrBoxCoxNoOptimum) {
		t.Errorf("unbounded function: error %v", err)
	}
}
