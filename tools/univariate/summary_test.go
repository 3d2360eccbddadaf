package univariate

import (
	"math"
	"testing"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/internal/tooltest"
	"github.com/toolq/toolq/tools/tool"
)

// r11 is the seed's R reference vector (test_univariate.py, R 3.6.0).
var r11 = []float64{108, 89.52, 95.16, 101.61, 99.19, 100, 93.55, 97.58, 93.55, 98.39, 88.71}

func TestRobustSummaryStatsR11(t *testing.T) {
	t.Parallel()
	want := []golden{
		// [test] checked in R.
		{"mean", 96.84181818181816, 1e-12},
		{"std_ddof1", 5.566925216278406, 1e-12},
		{"rsd_classical", 0.05748472427301, 1e-9},
		{"median", 97.58, 1e-12},
		{"iqr", 6.045, 1e-9},
		{"spread", 6.28653702970298, 1e-12},
		{"rsd", 0.06442444178831, 1e-9},
		{"percentile_05", 89.115, 1e-9},
		{"percentile_25", 93.55, 1e-12},
		{"percentile_75", 99.595, 1e-12},
		{"percentile_95", 104.805, 1e-12},
		// [obs] through the seed tool.
		{"std_ddof0", 5.3078549308493885, 1e-12},
		{"min", 88.71, 0},
		{"max", 108.0, 0},
		{"N_non_missing", 11, 0},
		{"center", 97.58, 1e-12},
	}
	cases := []struct {
		name   string
		values []any
	}{
		{"complete", nullable(r11)},
		// The seed's test_compare_to_R_with_without_missing.
		{"with a missing value", nullable(append(append([]float64(nil), r11...), math.NaN()))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, "robust_summary_stats", map[string]any{"values": tc.values})
			checkGolden(t, r, want)
			if raw := r.Raw("N_non_missing"); raw != "11" {
				t.Errorf("N_non_missing = %s, want the integer 11", raw)
			}
			if raw := r.Raw("max"); raw != "108.0" {
				t.Errorf("max = %s, want 108.0 written as a float", raw)
			}
		})
	}
	t.Run("classical", func(t *testing.T) {
		r := call(t, "robust_summary_stats", map[string]any{"values": r11, "method": "classical"})
		checkGolden(t, r, []golden{
			{"center", 96.84181818181816, 1e-12},
			{"spread", 5.566925216278406, 1e-12},
			{"median", 97.58, 1e-12},
		})
	})
}

func TestRobustSummaryStatsQuantisedFallback(t *testing.T) {
	t.Parallel()
	// [obs] Sn is 0 although the data vary, so the robust method falls back
	// to the mean and sample standard deviation (the seed's
	// test_summary_stats_corner_case_with_robust_scale).
	x := []float64{99, 95, 95, 100, 100, 100, 100, 95, 100, 100, 100, 100, 105, 105, 100, 95, 105, 100, 95, 100}
	r := call(t, "robust_summary_stats", map[string]any{"values": x, "method": "robust"})
	checkGolden(t, r, []golden{
		{"center", 99.45, 1e-12},
		{"spread", 3.203205631205945, 1e-12},
		{"rsd", 0.03220920695028602, 1e-12},
		{"median", 100, 0},
	})
	if r.Num(t, "center") == r.Num(t, "median") {
		t.Errorf("center %v equals the median; the fallback did not happen", r.Num(t, "center"))
	}
}

// TestRobustSummaryStatsSeedToolTests holds test_tool_spec.py's cases.
func TestRobustSummaryStatsSeedToolTests(t *testing.T) {
	t.Parallel()
	t.Run("keys", func(t *testing.T) {
		r := call(t, "robust_summary_stats", map[string]any{"values": seq(1, 5)})
		r.HasKeys(t, "mean", "median", "std_ddof1", "center", "spread", "N_non_missing")
	})
	t.Run("robust center is the median", func(t *testing.T) {
		r := call(t, "robust_summary_stats", map[string]any{"values": []float64{1, 2, 3, 10, 4}, "method": "robust"})
		if got, want := r.Num(t, "center"), r.Num(t, "median"); got != want {
			t.Fatalf("center = %v, want median %v", got, want)
		}
	})
	t.Run("classical center is the mean", func(t *testing.T) {
		r := call(t, "robust_summary_stats", map[string]any{"values": []float64{1, 2, 3, 10, 4}, "method": "classical"})
		if got, want := r.Num(t, "center"), r.Num(t, "mean"); got != want {
			t.Fatalf("center = %v, want mean %v", got, want)
		}
	})
	t.Run("robust to an outlier", func(t *testing.T) {
		r := call(t, "robust_summary_stats", map[string]any{"values": []float64{9, 10, 11, 10, 9, 11, 10, 200}})
		if got := r.Num(t, "center"); !near(got, 10.0, 1e-12) {
			t.Fatalf("center = %v, want 10", got)
		}
	})
	t.Run("count", func(t *testing.T) {
		r := call(t, "robust_summary_stats", map[string]any{"values": []float64{1, 2, 3}})
		if got := r.Raw("N_non_missing"); got != "3" {
			t.Fatalf("N_non_missing = %s, want 3", got)
		}
	})
	t.Run("one value left", func(t *testing.T) {
		// Sample statistics of one value are undefined and become null.
		r := call(t, "robust_summary_stats", `{"values": [null, 4]}`)
		checkGolden(t, r, []golden{{"center", 4, 0}, {"spread", 0, 0}, {"std_ddof1", math.NaN(), 0}, {"rsd_classical", math.NaN(), 0}})
	})
	t.Run("zero center gives null rsd", func(t *testing.T) {
		r := call(t, "robust_summary_stats", map[string]any{"values": []float64{-1, 0, 1}, "method": "classical"})
		if got := r.Raw("rsd"); got != "null" {
			t.Fatalf("rsd = %s, want null", got)
		}
	})
}

func TestNoValuesIsAToolError(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"robust_summary_stats", "detect_outliers", "robust_scale_sn", "median_absolute_deviation", "normality_test", "confidence_interval"} {
		t.Run(name, func(t *testing.T) {
			_, err := try(t, name, `{"values": [null, null, null]}`)
			tooltest.WantCode(t, err, errcode.ToolError)
		})
	}
}

func TestRobustScaleSn(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		values []float64
		sn     float64
		snRel  float64
		rsd    float64
		n      string
	}{
		// [obs] robust_scale_sn through the seed tool.
		{"spread sample", []float64{0, 10, 20, 3, 4, 50, 6}, 8.5724088, 1e-7, 0.6452350709677419, "7"},
		{"one outlier", []float64{5, 6, 5, 7, 5, 6, 100}, 1.4287348, 1e-7, 0.0746354, "7"},
		// Mean 0: rsd is undefined. Sn as robustbase::Sn(0:2), to R's 7 digits.
		{"zero mean", []float64{-1, 0, 1}, 2.207503, 1e-6, math.NaN(), "3"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, "robust_scale_sn", map[string]any{"values": tc.values})
			checkGolden(t, r, []golden{{"sn", tc.sn, tc.snRel}, {"rsd", tc.rsd, 1e-6}})
			if got := r.Raw("n"); got != tc.n {
				t.Errorf("n = %s, want %s", got, tc.n)
			}
		})
	}
	t.Run("standard normal sample", func(t *testing.T) {
		// Stands in for default_rng(42).normal(0, 1, 200): Sn estimates σ = 1.
		r := call(t, "robust_scale_sn", map[string]any{"values": normalSample(42, 200, 0, 1)})
		if got := r.Num(t, "sn"); math.Abs(got-1) > 0.2 {
			t.Fatalf("sn = %v, want 1 ± 0.2", got)
		}
	})
	t.Run("resists an outlier", func(t *testing.T) {
		clean := call(t, "robust_scale_sn", map[string]any{"values": seq(10, 15)}).Num(t, "sn")
		dirty := call(t, "robust_scale_sn", map[string]any{"values": append(seq(10, 15), 10000)}).Num(t, "sn")
		if !(dirty < 10*clean) {
			t.Fatalf("sn with outlier %v, without %v; want less than 10×", dirty, clean)
		}
	})
}

func TestMedianAbsoluteDeviation(t *testing.T) {
	t.Parallel()
	x := []float64{10, 11, 12, 10, 9, 10, 50}
	cases := []struct {
		name  string
		input map[string]any
		mad   float64
		scale string
	}{
		// [obs] through the seed tool.
		{"default is normal", map[string]any{"values": x}, 1.482602218505602, "normal"},
		{"normal", map[string]any{"values": x, "scale": "normal"}, 1.482602218505602, "normal"},
		{"raw", map[string]any{"values": x, "scale": "raw"}, 1.0, "raw"},
		// [test] MAD([[10,7,4],[3,2,1]] flattened, scale 1) = 2.
		{"raw flattened matrix", map[string]any{"values": []float64{10, 7, 4, 3, 2, 1}, "scale": "raw"}, 2.0, "raw"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, "median_absolute_deviation", tc.input)
			checkGolden(t, r, []golden{{"mad", tc.mad, 1e-12}})
			if got := r.Str(t, "scale"); got != tc.scale {
				t.Errorf("scale = %q, want %q", got, tc.scale)
			}
		})
	}
	t.Run("missing values omitted", func(t *testing.T) {
		r := call(t, "median_absolute_deviation", `{"values": [10, null, 7, 4, 3, 2, 1], "scale": "raw"}`)
		checkGolden(t, r, []golden{{"mad", 2, 0}})
		if got := r.Raw("n"); got != "6" {
			t.Errorf("n = %s, want 6", got)
		}
	})
	t.Run("standard normal sample", func(t *testing.T) {
		// Stands in for default_rng(0).normal(0, 1, 1000).
		r := call(t, "median_absolute_deviation", map[string]any{"values": normalSample(0, 1000, 0, 1), "scale": "normal"})
		if got := r.Num(t, "mad"); math.Abs(got-1) > 0.1 {
			t.Fatalf("mad = %v, want 1 ± 0.1", got)
		}
	})
	t.Run("raw below normal", func(t *testing.T) {
		raw := call(t, "median_absolute_deviation", map[string]any{"values": seq(1, 10), "scale": "raw"}).Num(t, "mad")
		normal := call(t, "median_absolute_deviation", map[string]any{"values": seq(1, 10), "scale": "normal"}).Num(t, "mad")
		if !(raw < normal) {
			t.Fatalf("raw %v, normal %v; want raw < normal", raw, normal)
		}
	})
}

// TestOutputsAreSerialisable is the seed's "output is JSON-serialisable"
// check for every tool, on inputs that produce nulls where they can.
func TestOutputsAreSerialisable(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		input string
	}{
		{"robust_summary_stats", `{"values": [1, 2, 3]}`},
		{"robust_summary_stats", `{"values": [0, 0, null], "method": "classical"}`},
		{"detect_outliers", `{"values": [1, 2, 3, 100]}`},
		{"robust_scale_sn", `{"values": [-1, 1]}`},
		{"median_absolute_deviation", `{"values": [1, 1]}`},
		{"normality_test", `{"values": [1.0, 2.0, 1.5, 1.8, 2.1]}`},
		{"confidence_interval", `{"values": [1, 1, 1]}`},
		{"ttest_two_samples", `{"group_a": [10, 10, 10, 10, 10], "group_b": [10, 10, 10, 10, 10]}`},
		{"ttest_paired_samples", `{"group_a": [1, 2, 3], "group_b": [1, 2, 3]}`},
		{"within_between_variance", `{"values": [1, 2, 3], "groups": ["a", "b", "c"]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, err := def(t, tc.name).Run(t.Context(), []byte(tc.input))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tool.Marshal(v); err != nil {
				t.Fatalf("tool.Marshal: %v", err)
			}
		})
	}
}
