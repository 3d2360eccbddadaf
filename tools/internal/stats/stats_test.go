package stats

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// near reports whether got is within rel·|want| of want (or within rel of it
// when want is 0). NaN matches NaN.
func near(got, want, rel float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	if math.IsInf(want, 0) {
		return got == want
	}
	tol := rel * math.Abs(want)
	if want == 0 {
		tol = rel
	}
	return math.Abs(got-want) <= tol
}

func seq(from, to float64) []float64 {
	var out []float64
	for v := from; v <= to; v++ {
		out = append(out, v)
	}
	return out
}

// r11 is the seed's R reference vector (test_univariate.py, R 3.6.0).
var r11 = []float64{108, 89.52, 95.16, 101.61, 99.19, 100, 93.55, 97.58, 93.55, 98.39, 88.71}

func TestDescribeR11(t *testing.T) {
	t.Parallel()
	// The same vector with a missing value appended must give the same
	// results (the seed's test_compare_to_R_with_without_missing).
	for _, x := range [][]float64{r11, append(slices.Clone(r11), math.NaN())} {
		p := NanPercentiles(x, 5, 25, 75, 95)
		cases := []struct {
			name      string
			got, want float64
		}{
			{"mean", NanMean(x), 96.84181818181816},
			{"std ddof1", NanStd(x, 1), 5.566925216278406},
			{"std ddof0", NanStd(x, 0), 5.3078549308493885},
			{"median", NanMedian(x), 97.58},
			{"p05", p[0], 89.115},
			{"p25", p[1], 93.55},
			{"p75", p[2], 99.595},
			{"p95", p[3], 104.805},
			{"iqr", p[2] - p[1], 6.045},
			{"min", NanMin(x), 88.71},
			{"max", NanMax(x), 108},
			{"count", float64(Count(x)), 11},
			{"Sn", Sn(x), 6.28653702970298},
		}
		for _, tc := range cases {
			if !near(tc.got, tc.want, 1e-9) {
				t.Errorf("len %d: %s = %.15g, want %.15g", len(x), tc.name, tc.got, tc.want)
			}
		}
	}
}

func TestPercentileSorted(t *testing.T) {
	t.Parallel()
	s := []float64{1, 2, 3, 4}
	cases := []struct {
		name string
		s    []float64
		p    float64
		want float64
	}{
		{"min", s, 0, 1},
		{"max", s, 100, 4},
		{"type 7 between ranks", s, 50, 2.5},
		{"type 7 p10", s, 10, 1.3},
		{"type 7 p90", s, 90, 3.7},
		{"single value", []float64{7}, 37, 7},
		{"empty", nil, 50, math.NaN()},
		{"below range clamps", s, -5, 1},
		{"above range clamps", s, 105, 4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := PercentileSorted(tc.s, tc.p); !near(got, tc.want, 1e-12) {
				t.Fatalf("PercentileSorted(%v, %v) = %v, want %v", tc.s, tc.p, got, tc.want)
			}
		})
	}
}

func TestMedian(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		x    []float64
		want float64
	}{
		{"odd", []float64{3, 1, 2}, 2},
		{"even averages the middle pair", []float64{4, 1, 3, 2}, 2.5},
		{"NaN skipped", []float64{math.NaN(), 1, 5, math.NaN(), 3}, 3},
		{"empty", nil, math.NaN()},
		{"all NaN", []float64{math.NaN()}, math.NaN()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := NanMedian(tc.x); !near(got, tc.want, 0) {
				t.Fatalf("NanMedian(%v) = %v, want %v", tc.x, got, tc.want)
			}
		})
	}
}

func TestNanVar(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		x    []float64
		ddof int
		want float64
	}{
		{"sample", []float64{101, 102, 94, 95}, 1, 50.0 / 3},
		{"population", []float64{101, 102, 94, 95}, 0, 12.5},
		{"constant is exactly zero", []float64{10, 10, 10, 10, 10}, 1, 0},
		{"one value ddof 1", []float64{3}, 1, math.NaN()},
		{"NaN skipped", []float64{1, math.NaN(), 3}, 1, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := NanVar(tc.x, tc.ddof); !near(got, tc.want, 1e-14) {
				t.Fatalf("NanVar(%v, %d) = %v, want %v", tc.x, tc.ddof, got, tc.want)
			}
		})
	}
}

func TestMAD(t *testing.T) {
	t.Parallel()
	x := []float64{10, 11, 12, 10, 9, 10, 50}
	cases := []struct {
		name      string
		got, want float64
	}{
		// [obs] median_absolute_deviation tool, seed-spec §6.1.
		{"normal", MADNormal(x), 1.482602218505602},
		{"raw", MADRaw(x), 1.0},
		// [test] MAD([[10,7,4],[3,2,1]] flattened, scale 1).
		{"raw flattened matrix", MADRaw([]float64{10, 7, 4, 3, 2, 1}), 2.0},
		{"NaN omitted", MADRaw([]float64{10, math.NaN(), 7, 4, 3, 2, 1}), 2.0},
		{"empty", MADRaw(nil), math.NaN()},
		{"only NaN", MADNormal([]float64{math.NaN()}), math.NaN()},
	}
	for _, tc := range cases {
		if !near(tc.got, tc.want, 1e-12) {
			t.Errorf("%s: got %.16g, want %.16g", tc.name, tc.got, tc.want)
		}
	}
}

func TestSn(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		x    []float64
		want float64
		rel  float64
	}{
		// [test] test_univariate_robust_scale, R robustbase::Sn (odd n).
		{"0..2", seq(0, 2), 2.207503, 1e-6},
		{"0..4", seq(0, 4), 1.611203, 1e-6},
		{"0..6", seq(0, 6), 2.85747, 1e-6},
		{"spread sample", []float64{0, 10, 20, 3, 4, 50, 6}, 8.572409, 1e-7},
		{"1..11", seq(1, 11), 3.896614, 1e-6},
		{"1..18 seed even-n value", seq(1, 18), 5.3667, 1e-6},
		{"1..19", seq(1, 19), 6.259503, 1e-6},
		// [obs] robust_scale_sn tool.
		{"tool sample", []float64{5, 6, 5, 7, 5, 6, 100}, 1.4287348, 1e-7},
		// Quantised data: every inner median is zero.
		{"quantised", []float64{99, 95, 95, 100, 100, 100, 100, 95, 100, 100, 100, 100, 105, 105, 100, 95, 105, 100, 95, 100}, 0, 0},
		{"empty", nil, math.NaN(), 0},
		{"one value", []float64{13}, 0, 0},
		{"NaN ignored", []float64{math.NaN(), 0, 1, 2}, 2.207503, 1e-6},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Sn(tc.x); !near(got, tc.want, tc.rel) {
				t.Fatalf("Sn(%v) = %.10g, want %.10g", tc.x, got, tc.want)
			}
		})
	}
}

// snBruteForce is the seed's O(n² log n) definition, kept to check the fast
// inner medians against.
func snBruteForce(x []float64) float64 {
	n := len(x)
	inner := make([]float64, n)
	d := make([]float64, n)
	for i := range x {
		for j := range x {
			d[j] = math.Abs(x[i] - x[j])
		}
		slices.Sort(d)
		inner[i] = MedianSorted(d)
	}
	slices.Sort(inner)
	return snConstant * MedianSorted(inner) * snFactor(n)
}

func TestSnMatchesBruteForce(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 300; trial++ {
		n := 2 + rng.IntN(40)
		x := make([]float64, n)
		for i := range x {
			if trial%3 == 0 {
				x[i] = float64(rng.IntN(5)) // many ties
			} else {
				x[i] = rng.NormFloat64() * 10
			}
		}
		if got, want := Sn(x), snBruteForce(x); got != want {
			t.Fatalf("trial %d: Sn(%v) = %v, brute force %v", trial, x, got, want)
		}
	}
}

func TestTDistribution(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		got, want float64
		rel       float64
	}{
		// [test] test_t_values / test_t_values_cdf, checked in R.
		{"qt(0.9, 5)", TQuantile(0.9, 5), 1.475884, 1e-6},
		{"qt(0, 1)", TQuantile(0, 1), math.Inf(-1), 0},
		{"qt(1, 2)", TQuantile(1, 2), math.Inf(1), 0},
		{"qt(0.5, 3)", TQuantile(0.5, 3), 0, 1e-16},
		{"pt(0.9, 5)", TCDF(0.9, 5), 0.7953144, 1e-7},
		{"pt(0.5, 1)", TCDF(0.5, 1), 0.6475836, 1e-7},
		{"pt(0, 1)", TCDF(0, 1), 0.5, 0},
		{"pt(-Inf, 2)", TCDF(math.Inf(-1), 2), 0, 0},
		{"pt(Inf, 3)", TCDF(math.Inf(1), 3), 1, 0},
		{"survival", TSurvival(0.9, 5), 1 - 0.7953144, 1e-6},
		{"no degrees of freedom", TQuantile(0.9, 0), math.NaN(), 0},
		{"p out of range", TQuantile(1.5, 3), math.NaN(), 0},
		{"NaN x", TCDF(math.NaN(), 3), math.NaN(), 0},
	}
	for _, tc := range cases {
		if !near(tc.got, tc.want, tc.rel) {
			t.Errorf("%s = %.10g, want %.10g", tc.name, tc.got, tc.want)
		}
	}
}
