package univariate

import (
	"slices"
	"strconv"
	"testing"
)

// rosner is the 54-value data set of Rosner (1983), the NIST e-handbook's
// generalized ESD example (section 1.3.5.17.3).
var rosner = []float64{
	-0.25, 0.68, 0.94, 1.15, 1.20, 1.26, 1.26, 1.34, 1.38, 1.43, 1.49, 1.49, 1.55, 1.56,
	1.58, 1.65, 1.69, 1.70, 1.76, 1.77, 1.81, 1.91, 1.94, 1.96, 1.99, 2.06, 2.09, 2.10,
	2.14, 2.15, 2.23, 2.24, 2.26, 2.35, 2.37, 2.40, 2.47, 2.54, 2.62, 2.64, 2.90, 2.92,
	2.92, 2.93, 3.21, 3.26, 3.30, 3.59, 3.68, 4.30, 4.64, 5.34, 5.42, 6.01,
}

func TestDetectOutliers(t *testing.T) {
	t.Parallel()
	fifteen := []float64{10.1, 10.3, 10.2, 10.0, 10.4, 10.2, 10.1, 10.3, 9.9, 10.2, 10.0, 10.1, 10.3, 10.2, 100.0}
	cases := []struct {
		name       string
		input      any
		wantIdx    []int
		wantValues []float64
		robust     bool
	}{
		{
			// The later seed's tool test (it replaced the 6-value one
			// below): one outlier, index 14, value 100.0.
			name: "15-point series", input: map[string]any{"values": fifteen},
			wantIdx: []int{14}, wantValues: []float64{100},
		},
		{
			// The seed's tool test with its own default, robust_variant
			// true: [obs] [5].
			name: "six values robust", input: map[string]any{"values": []float64{1, 2, 2, 3, 2, 100}, "robust_variant": true},
			wantIdx: []int{5}, wantValues: []float64{100}, robust: true,
		},
		{
			// The same values with the default classical statistic: after
			// 100 goes, 1 and then 3 are removed, and R₃ = 1.5 (the largest
			// deviate four values can have) exceeds λ₃ = 1.481. This is why
			// the later seed replaced the test.
			name: "six values classical", input: map[string]any{"values": []float64{1, 2, 2, 3, 2, 100}},
			wantIdx: []int{5, 0, 3}, wantValues: []float64{100, 1, 3},
		},
		{
			// [test] range(1, 15) has no outliers.
			name: "1 to 14", input: map[string]any{"values": seq(1, 14)},
			wantIdx: []int{}, wantValues: []float64{},
		},
		{
			// NIST: three outliers, 6.01, 5.42 and 5.34.
			name: "Rosner default", input: map[string]any{"values": rosner},
			wantIdx: []int{53, 52, 51}, wantValues: []float64{6.01, 5.42, 5.34},
		},
		{
			// [obs] the seed tool's default (robust, max 5, first crossing)
			// gave [53]. The robust statistics cross at i = 1…4, so the
			// largest-crossing rule flags four.
			name: "Rosner robust", input: map[string]any{"values": rosner, "robust_variant": true},
			wantIdx: []int{53, 52, 51, 50}, wantValues: []float64{6.01, 5.42, 5.34, 4.64}, robust: true,
		},
		{
			// Missing values are skipped and indices point into the input.
			name: "missing values", input: `{"values": [null, 10.1, 10.3, 10.2, 10.0, 10.4, null, 10.2, 10.1, 10.3, 9.9, 10.2, 10.0, 10.1, 10.3, 10.2, 100.0]}`,
			wantIdx: []int{16}, wantValues: []float64{100},
		},
		{
			// Three values allow one step (max_outliers_to_detect is clamped
			// from 5 to 1), in which 50 is flagged: R₁ = 1.15470 is close to
			// 2/√3, the largest deviate three values can have, above λ₁ = 1.15430.
			name: "clamped to n - 2", input: map[string]any{"values": []float64{1, 1.1, 50}, "max_outliers_to_detect": 5},
			wantIdx: []int{2}, wantValues: []float64{50},
		},
		{
			// Two non-missing values allow no step at all.
			name: "clamped to zero", input: `{"values": [1, null, 500]}`,
			wantIdx: []int{}, wantValues: []float64{},
		},
		{
			// JSON Schema's integer admits 1.0.
			name: "integral float maximum", input: `{"values": [10.1, 10.3, 10.2, 10.0, 10.4, 10.2, 10.1, 10.3, 9.9, 10.2, 10.0, 10.1, 10.3, 10.2, 100.0], "max_outliers_to_detect": 1.0}`,
			wantIdx: []int{14}, wantValues: []float64{100},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, "detect_outliers", tc.input)
			if got := r.Ints(t, "outlier_indices"); !slices.Equal(got, tc.wantIdx) {
				t.Errorf("outlier_indices = %v, want %v", got, tc.wantIdx)
			}
			if got := r.Floats(t, "outlier_values"); !slices.Equal(got, tc.wantValues) {
				t.Errorf("outlier_values = %v, want %v", got, tc.wantValues)
			}
			if got, want := r.Raw("n_outliers_found"), len(tc.wantIdx); got != strconv.Itoa(want) {
				t.Errorf("n_outliers_found = %s, want %d", got, want)
			}
			if got := r.Bool(t, "robust_variant"); got != tc.robust {
				t.Errorf("robust_variant = %v, want %v", got, tc.robust)
			}
			if got := r.Raw("alpha"); got != "0.05" {
				t.Errorf("alpha = %s, want 0.05", got)
			}
		})
	}
}

// TestDetectOutliersSeedToolTests holds the test_tool_spec.py cases that
// assert bounds rather than exact indices.
func TestDetectOutliersSeedToolTests(t *testing.T) {
	t.Parallel()
	t.Run("max one", func(t *testing.T) {
		r := call(t, "detect_outliers", map[string]any{"values": []float64{1, 2, 3, 4, 5, 1000, 2000}, "max_outliers_to_detect": 1})
		if n := r.Num(t, "n_outliers_found"); n > 1 {
			t.Fatalf("n_outliers_found = %v, want ≤ 1", n)
		}
	})
	t.Run("alpha echoed", func(t *testing.T) {
		r := call(t, "detect_outliers", map[string]any{"values": rosner, "alpha": 0.01})
		if got := r.Num(t, "alpha"); got != 0.01 {
			t.Fatalf("alpha = %v, want 0.01", got)
		}
		// A stricter test flags no more than the 5% one.
		if n := r.Num(t, "n_outliers_found"); n > 3 {
			t.Fatalf("n_outliers_found at 1%% = %v, want ≤ 3", n)
		}
	})
	t.Run("clean normal sample", func(t *testing.T) {
		// Stands in for the later seed's default_rng(1).normal(10, 2, 60)
		// check that the calibrated default finds (almost) nothing.
		r := call(t, "detect_outliers", map[string]any{"values": normalSample(1, 60, 10, 2), "max_outliers_to_detect": 6})
		if n := r.Num(t, "n_outliers_found"); n > 1 {
			t.Fatalf("n_outliers_found = %v on clean normal data, want ≤ 1", n)
		}
	})
	t.Run("masked cluster", func(t *testing.T) {
		// The later seed's largest-crossing test: 40 normal values and three
		// far points close to one another are all found.
		x := append(normalSample(0, 40, 0, 1), 12.0, 12.5, 13.0)
		r := call(t, "detect_outliers", map[string]any{"values": x})
		got := r.Ints(t, "outlier_indices")
		slices.Sort(got)
		if want := []int{40, 41, 42}; !slices.Equal(got, want) {
			t.Fatalf("outlier_indices = %v, want %v in some order", got, want)
		}
	})
}
