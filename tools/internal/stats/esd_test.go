package stats

import (
	"math"
	"slices"
	"testing"
)

// rosner is the 54-value data set of Rosner (1983), the worked example of the
// NIST e-handbook section 1.3.5.17.3, as the seed's test file lists it.
var rosner = []float64{
	-0.25, 0.68, 0.94, 1.15, 1.20, 1.26, 1.26, 1.34, 1.38, 1.43, 1.49, 1.49, 1.55, 1.56,
	1.58, 1.65, 1.69, 1.70, 1.76, 1.77, 1.81, 1.91, 1.94, 1.96, 1.99, 2.06, 2.09, 2.10,
	2.14, 2.15, 2.23, 2.24, 2.26, 2.35, 2.37, 2.40, 2.47, 2.54, 2.62, 2.64, 2.90, 2.92,
	2.92, 2.93, 3.21, 3.26, 3.30, 3.59, 3.68, 4.30, 4.64, 5.34, 5.42, 6.01,
}

// rSequence is the seed's 75-value sequence with missing values
// (test_sequence_compare_R), checked there against R's grubbs.test.
var rSequence = []float64{
	9101, 9193, 9440, 9836, 9677, 9515, 9783, 9130, 9469, 9528, math.NaN(), math.NaN(),
	9805, 9894, 9941, 10140, 9001, 9178, 10080, 9816, 9160, 8862, 9376, 9515, 10670,
	10090, 9979, 9761, 9422, 9696, 10130, 10090, 9641, 9771, 9503, 9533, 9413, 9194,
	9219, 9756, math.NaN(), math.NaN(), 9240, 9337, 9682, 9809, 9343, 9366, 9245, 9190,
	9363, 9273, 9500, 9550, 9664, 9320, 9247, 9095, 9122, 9272, 9157, 9100, 10670,
	10900, 8899, 8838, 9203, 9403, 9520, 9123, 9109, 9857, 9936, 9312, 9225,
}

// fifteen is the later seed's detect_outliers tool sample.
var fifteen = []float64{10.1, 10.3, 10.2, 10.0, 10.4, 10.2, 10.1, 10.3, 9.9, 10.2, 10.0, 10.1, 10.3, 10.2, 100.0}

// sevenPoint is the seed's test_edge_case_outliers sample.
var sevenPoint = []float64{10769.166, 10043.447, 10171.783, 10751.362, 10684.675, 10772.250, 10830.804}

func nearAll(got, want []float64, rel float64) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if !near(got[i], want[i], rel) {
			return false
		}
	}
	return true
}

func TestGeneralizedESD(t *testing.T) {
	t.Parallel()
	nistLambda := []float64{3.158, 3.151, 3.143, 3.136, 3.128, 3.120, 3.111}
	cases := []struct {
		name     string
		x        []float64
		max      int
		robust   bool
		want     []int
		lambda   []float64 // nil: not checked
		r        []float64 // nil: not checked
		pvalues  []float64 // nil: not checked
		relRLamb float64
	}{
		{
			// [test] test_rosner_nonrobust_esd and NIST's table. One
			// crossing (i = 3), so the seed's and NIST's rules agree.
			name: "Rosner classical", x: rosner, max: 7,
			want:   []int{53, 52, 51},
			lambda: nistLambda, r: []float64{3.118, 2.942, 3.179, 2.810, 2.815, 2.848, 2.279}, relRLamb: 1e-3,
		},
		{
			// NIST tests up to ten: still three outliers.
			name: "Rosner classical max 10", x: rosner, max: 10,
			want: []int{53, 52, 51},
		},
		{
			// The seed's test_rosner_esd_kwargs expects [53]: the robust
			// statistics cross at i = 1 (4.85 > 3.159), 2, 3 and 4
			// (3.41 > 3.136), and the seed stopped at the first crossing.
			// With the largest crossing (the later fix) four are flagged.
			name: "Rosner robust (seed: [53])", x: rosner, max: 7, robust: true,
			want: []int{53, 52, 51, 50}, lambda: nistLambda, relRLamb: 1e-3,
		},
		{
			// [test] test_rosner_esd_no_outliers.
			name: "max zero", x: rosner[1 : len(rosner)-5], max: 0,
			want: []int{},
		},
		{
			// [test] test_sequence_compare_R: R grubbs.test p-value. With one
			// step the current sample size is N, so the later fix agrees.
			name: "R sequence classical", x: rSequence, max: 1,
			want: []int{63}, pvalues: []float64{0.02066273},
		},
		{
			// [test] test_sequence_compare_R, robust: first outlier 63.
			name: "R sequence robust", x: rSequence, max: 1, robust: true,
			want: []int{63},
		},
		{
			// [test] test_edge_case_outliers: λ₁, R₁ and both p-values hold.
			// The seed reported one outlier; R₂ = 9.62 also exceeds
			// λ₂ = 1.887, so the largest crossing flags two.
			name: "seven points robust (seed: 1 outlier)", x: sevenPoint, max: 2, robust: true,
			want:   []int{1, 2},
			lambda: []float64{2.0199685076, 1.8871451177839333}, r: []float64{7.16003736, 9.619378200449125}, relRLamb: 1e-9,
			pvalues: []float64{0, 0},
		},
		{
			// Classical on the same data: R₁ = 1.64 < λ₁ but R₂ = 2.004 > λ₂,
			// masking that only the largest-crossing rule handles on
			// principle (the seed's rule happens to give the same here).
			name: "seven points classical", x: sevenPoint, max: 2,
			want: []int{1, 2},
		},
		{
			// [test] test_rosner_esd_corner_case: no spread, p-value NaN.
			name: "constant", x: []float64{3, 3, 3}, max: 1,
			want: []int{}, pvalues: []float64{math.NaN()},
		},
		{
			name: "robust with MAD zero stops", x: []float64{5, 5, 5, 5, 5, 5, 100}, max: 3, robust: true,
			want: []int{}, pvalues: []float64{math.NaN()},
		},
		{
			// The seed's tool test ([obs] [5], robust, first crossing). With
			// the classical statistic and the largest crossing, 1 and then 3
			// are flagged too: R₃ = 1.5 is the largest deviate four values
			// can have, above λ₃ = 1.481. The later seed replaced this tool
			// test with the 15-point series below.
			name: "small tool sample classical", x: []float64{1, 2, 2, 3, 2, 100}, max: 4,
			want: []int{5, 0, 3},
		},
		{
			name: "small tool sample robust", x: []float64{1, 2, 2, 3, 2, 100}, max: 4, robust: true,
			want: []int{5},
		},
		{
			// The later seed's tool test, [obs] [14].
			name: "15-point series", x: fifteen, max: 5,
			want: []int{14},
		},
		{
			// Pins the documented weakness of the largest-crossing rule:
			// tested down to three values, the tied tail crosses at i = 11
			// (R = 1.789 > λ = 1.715 with five values left).
			name: "15-point series tested to n - 2", x: fifteen, max: 13,
			want: []int{14, 8, 4, 3, 10, 1, 7, 12, 0, 6, 11},
		},
		{
			name: "15-point series robust", x: fifteen, max: 5, robust: true,
			want: []int{14},
		},
		{
			name: "no outliers in 1..14", x: seq(1, 14), max: 5,
			want: []int{},
		},
		{
			// Missing values are skipped; indices refer to the input.
			name: "NaN ignored", x: []float64{math.NaN(), 1, 2, 2, 3, 2, math.NaN(), 100}, max: 4, robust: true,
			want: []int{7},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := GeneralizedESD(tc.x, tc.max, 0.05, tc.robust)
			if err != nil {
				t.Fatalf("GeneralizedESD: %v", err)
			}
			if !slices.Equal(res.Outliers, tc.want) {
				t.Errorf("outliers = %v, want %v (R %v, λ %v)", res.Outliers, tc.want, res.R, res.Lambda)
			}
			if tc.lambda != nil && !nearAll(res.Lambda[:len(tc.lambda)], tc.lambda, tc.relRLamb) {
				t.Errorf("λ = %v, want %v", res.Lambda, tc.lambda)
			}
			if tc.r != nil && !nearAll(res.R[:len(tc.r)], tc.r, tc.relRLamb) {
				t.Errorf("R = %v, want %v", res.R, tc.r)
			}
			if tc.pvalues != nil && !nearAll(res.PValues[:len(tc.pvalues)], tc.pvalues, 1e-7) {
				t.Errorf("p-values = %v, want %v", res.PValues, tc.pvalues)
			}
		})
	}
}

func TestGeneralizedESDErrors(t *testing.T) {
	t.Parallel()
	// The seed's test_rosner_esd_corner_case ran [1, 2], [2, 2] and [1] with
	// one outlier allowed (p-value 0, NaN, NaN). The later fix rejects
	// max > n − 2, which the tool avoids by clamping.
	cases := []struct {
		name  string
		x     []float64
		max   int
		alpha float64
	}{
		{"two values", []float64{1, 2}, 1, 0.05},
		{"two equal values", []float64{2, 2}, 1, 0.05},
		{"one value", []float64{1}, 1, 0.05},
		{"NaN do not count", []float64{1, 2, math.NaN(), 3}, 2, 0.05},
		{"negative max", []float64{1, 2, 3}, -1, 0.05},
		{"alpha zero", []float64{1, 2, 3}, 1, 0},
		{"alpha one", []float64{1, 2, 3}, 1, 1},
		{"alpha NaN", []float64{1, 2, 3}, 1, math.NaN()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := GeneralizedESD(tc.x, tc.max, tc.alpha, false); err == nil {
				t.Fatalf("GeneralizedESD(%v, %d, %v) succeeded, want an error", tc.x, tc.max, tc.alpha)
			}
		})
	}
}

func TestGeneralizedESDDoesNotModifyInput(t *testing.T) {
	t.Parallel()
	x := slices.Clone(rosner)
	if _, err := GeneralizedESD(x, 7, 0.05, true); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(x, rosner) {
		t.Fatal("GeneralizedESD modified its input")
	}
}
