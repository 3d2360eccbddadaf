package univariate

import (
	"math"
	"testing"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/internal/tooltest"
)

// r12minus90 is the seed's test_confidence_interval vector, minus 90 as the
// test computes it (R: t.test(r1 - 90)).
func r12minus90() []float64 {
	r := []float64{108.0, 89.52, 95.16, 101.61, 99.19, 100, 93.55, 97.58, 93.55, 98.39, 88.71, 94.35}
	for i := range r {
		r[i] -= 90
	}
	return r
}

func TestConfidenceIntervalGolden(t *testing.T) {
	t.Parallel()
	x := r12minus90()
	t.Run("classical", func(t *testing.T) {
		r := call(t, "confidence_interval", map[string]any{"values": x, "method": "classical"})
		// [test] R t.test to 1e-4, and [obs] the seed tool.
		if lo := r.Num(t, "lower"); math.Abs(lo-3.230888) > 1e-4 {
			t.Errorf("lower = %v, want 3.230888 ± 1e-4", lo)
		}
		if hi := r.Num(t, "upper"); math.Abs(hi-10.037445) > 1e-4 {
			t.Errorf("upper = %v, want 10.037445 ± 1e-4", hi)
		}
		checkGolden(t, r, []golden{
			{"center", 6.6341666666666645, 1e-12},
			{"margin_of_error", 3.4032783473506285, 1e-9},
			{"lower", 6.6341666666666645 - 3.4032783473506285, 1e-9},
			{"confidence_level", 0.95, 0},
		})
		if got := r.Str(t, "method"); got != "classical" {
			t.Errorf("method = %q, want classical", got)
		}
		if got := r.Raw("n"); got != "12" {
			t.Errorf("n = %s, want 12", got)
		}
	})
	t.Run("robust default", func(t *testing.T) {
		// [obs] the seed tool.
		r := call(t, "confidence_interval", map[string]any{"values": x})
		checkGolden(t, r, []golden{
			{"lower", 3.713558567429005, 1e-9},
			{"center", 6.369999999999997, 1e-12},
			{"upper", 9.02644143257099, 1e-9},
		})
		if got := r.Str(t, "method"); got != "robust" {
			t.Errorf("method = %q, want robust", got)
		}
	})
}

// TestConfidenceIntervalSeedToolTests holds test_tool_spec.py's cases.
func TestConfidenceIntervalSeedToolTests(t *testing.T) {
	t.Parallel()
	t.Run("ordered", func(t *testing.T) {
		r := call(t, "confidence_interval", map[string]any{"values": []float64{10, 11, 12, 10, 9, 10}})
		lo, c, hi := r.Num(t, "lower"), r.Num(t, "center"), r.Num(t, "upper")
		if !(lo < c && c < hi) {
			t.Fatalf("lower %v, center %v, upper %v: want lower < center < upper", lo, c, hi)
		}
	})
	t.Run("99% wider than 95%", func(t *testing.T) {
		w95 := call(t, "confidence_interval", map[string]any{"values": seq(1, 19), "confidence_level": 0.95}).Num(t, "margin_of_error")
		w99 := call(t, "confidence_interval", map[string]any{"values": seq(1, 19), "confidence_level": 0.99}).Num(t, "margin_of_error")
		if !(w99 > w95) {
			t.Fatalf("99%% margin %v, 95%% margin %v: want wider", w99, w95)
		}
	})
	t.Run("robust constant", func(t *testing.T) {
		r := call(t, "confidence_interval", map[string]any{"values": []float64{10, 10, 10, 10, 10}, "method": "robust"})
		checkGolden(t, r, []golden{{"center", 10, 0}, {"margin_of_error", 0, 0}})
	})
	t.Run("classical mean", func(t *testing.T) {
		r := call(t, "confidence_interval", map[string]any{"values": seq(1, 5), "method": "classical"})
		checkGolden(t, r, []golden{{"center", 3, 0}})
	})
	t.Run("one value left", func(t *testing.T) {
		_, err := try(t, "confidence_interval", `{"values": [1, null, null]}`)
		tooltest.WantCode(t, err, errcode.ToolError)
	})
}

var (
	sam = []float64{8.80, 6.60, 7.26, 9.32, 5.88, 8.44, 11.39, 6.82, 9.32, 5.63, 9.65, 9.49}
	jen = []float64{5.37, 4.83, 7.87, 3.30, 8.26, 7.87, 8.26, 6.13, 6.13, 5.63, 2.96, 5.88}
)

func TestTTestTwoSamplesGolden(t *testing.T) {
	t.Parallel()
	r := call(t, "ttest_two_samples", map[string]any{"group_a": sam, "group_b": jen})
	// [obs] the seed tool; R: t = 2.9906, p = 0.00674, CI 0.6669748…3.6846919
	// for A − B (the seed reports B − A).
	checkGolden(t, r, []golden{
		{"group_a_mean", 8.216666666666665, 1e-12},
		{"group_b_mean", 6.040833333333333, 1e-12},
		{"z_value", -2.9906064725382464, 1e-9},
		{"conf_int_lower", -3.6846918848290633, 1e-9},
		{"conf_int_upper", -0.6669747818376013, 1e-9},
		{"p_value", 0.006739691415085836, 1e-7},
		{"degrees_of_freedom", 22, 0},
		{"pooled_std", 0.7275558831672748, 1e-12},
		{"confidence_level", 0.95, 0},
		{"z_value", -2.9906, 1e-4},
		{"p_value", 0.00674, 1e-3},
	})
	if got := r.Raw("degrees_of_freedom"); got != "22.0" {
		t.Errorf("degrees_of_freedom = %s, want the float 22.0", got)
	}
	if got := r.Raw("group_a_n"); got != "12" {
		t.Errorf("group_a_n = %s, want 12", got)
	}
	if !r.Bool(t, "significant") {
		t.Errorf("significant = false, want true")
	}
	want := "The difference (B - A = -2.176) IS statistically significant (p=0.0067 < 0.05)."
	if got := r.Str(t, "interpretation"); got != want {
		t.Errorf("interpretation = %q, want %q", got, want)
	}
}

// TestTTestTwoSamplesSeedToolTests holds test_tool_spec.py's cases.
func TestTTestTwoSamplesSeedToolTests(t *testing.T) {
	t.Parallel()
	t.Run("clearly different", func(t *testing.T) {
		r := call(t, "ttest_two_samples", map[string]any{
			"group_a": []float64{100, 101, 99, 100, 101}, "group_b": []float64{200, 201, 199, 200, 201}})
		r.HasKeys(t, "p_value", "z_value", "conf_int_lower", "conf_int_upper", "interpretation")
		if !r.Bool(t, "significant") || !(r.Num(t, "p_value") < 0.05) {
			t.Fatalf("want significant with p < 0.05: %s", r)
		}
	})
	t.Run("identical constants", func(t *testing.T) {
		// [obs] z and p null, interval 0.0/0.0, pooled_std 0.0.
		ten := []float64{10, 10, 10, 10, 10}
		r := call(t, "ttest_two_samples", map[string]any{"group_a": ten, "group_b": ten})
		if r.Bool(t, "significant") {
			t.Errorf("significant = true, want false")
		}
		for key, want := range map[string]string{"z_value": "null", "p_value": "null", "conf_int_lower": "0.0", "conf_int_upper": "0.0", "pooled_std": "0.0"} {
			if got := r.Raw(key); got != want {
				t.Errorf("%s = %s, want %s", key, got, want)
			}
		}
		want := "The difference (B - A = 0) is NOT statistically significant (p=nan >= 0.05)."
		if got := r.Str(t, "interpretation"); got != want {
			t.Errorf("interpretation = %q, want %q", got, want)
		}
	})
	t.Run("missing values dropped", func(t *testing.T) {
		r := call(t, "ttest_two_samples", map[string]any{"group_a": nullable(append([]float64{math.NaN()}, sam...)), "group_b": nullable(append(jen, math.NaN()))})
		checkGolden(t, r, []golden{{"z_value", -2.9906064725382464, 1e-9}, {"group_a_n", 12, 0}, {"group_b_n", 12, 0}})
	})
	t.Run("too few in a group", func(t *testing.T) {
		_, err := try(t, "ttest_two_samples", `{"group_a": [1, null], "group_b": [1, 2, 3]}`)
		tooltest.WantCode(t, err, errcode.ToolError)
	})
}

func TestTTestPairedSamplesGolden(t *testing.T) {
	t.Parallel()
	r := call(t, "ttest_paired_samples", map[string]any{"group_a": sam, "group_b": jen})
	// [obs] the seed tool; R: t = 2.8139, p = 0.01685, CI 0.4739104…3.8777563.
	checkGolden(t, r, []golden{
		{"differences_mean", 2.1758333333333337, 1e-12},
		{"z_value", 2.813862312973048, 1e-9},
		{"conf_int_lower", 0.47391037306574857, 1e-9},
		{"conf_int_upper", 3.877756293600919, 1e-9},
		{"p_value", 0.016851681000698223, 1e-7},
		{"std", 0.7732550819213359, 1e-12},
		{"group_a_mean", 8.216666666666665, 1e-12},
		{"group_b_mean", 6.040833333333333, 1e-12},
		{"conf_int_lower", 0.4739104, 1e-7},
		{"conf_int_upper", 3.8777563, 1e-7},
		{"p_value", 0.01685, 1e-3},
	})
	for key, want := range map[string]string{"degrees_of_freedom": "11", "group_a_n": "12", "group_b_n": "12", "confidence_level": "0.95"} {
		if got := r.Raw(key); got != want {
			t.Errorf("%s = %s, want %s", key, got, want)
		}
	}
	want := "The mean paired difference (A - B = 2.176) IS statistically significant (p=0.0169 < 0.05)."
	if got := r.Str(t, "interpretation"); got != want {
		t.Errorf("interpretation = %q, want %q", got, want)
	}
}

// TestTTestPairedSamplesSeedToolTests holds test_tool_spec.py's cases.
func TestTTestPairedSamplesSeedToolTests(t *testing.T) {
	t.Parallel()
	t.Run("identical lists", func(t *testing.T) {
		x := []float64{1, 2, 3, 4, 5}
		r := call(t, "ttest_paired_samples", map[string]any{"group_a": x, "group_b": x})
		r.HasKeys(t, "differences_mean", "p_value", "z_value", "significant", "interpretation")
		if got := r.Num(t, "differences_mean"); math.Abs(got) > 1e-12 {
			t.Errorf("differences_mean = %v, want 0", got)
		}
		if r.Bool(t, "significant") {
			t.Errorf("significant = true, want false")
		}
	})
	t.Run("incomplete pairs dropped", func(t *testing.T) {
		r := call(t, "ttest_paired_samples", `{"group_a": [1, 2, null, 4, 5], "group_b": [1.5, null, 3, 4.1, 5.6]}`)
		// Pairs (1, 1.5), (4, 4.1), (5, 5.6): three differences, two dof;
		// the group means and counts use each group's own values.
		for key, want := range map[string]string{"degrees_of_freedom": "2", "group_a_n": "4", "group_b_n": "4"} {
			if got := r.Raw(key); got != want {
				t.Errorf("%s = %s, want %s", key, got, want)
			}
		}
		checkGolden(t, r, []golden{{"differences_mean", (-0.5 - 0.1 - 0.6) / 3, 1e-12}, {"group_a_mean", 3, 1e-12}, {"group_b_mean", 3.55, 1e-12}})
	})
	t.Run("length mismatch", func(t *testing.T) {
		input := `{"group_a": [1, 2, 3], "group_b": [1, 2]}`
		tooltest.WantCode(t, def(t, "ttest_paired_samples").Check([]byte(input)), errcode.InputInvalid)
		_, err := tooltest.TryRun(t, def(t, "ttest_paired_samples"), input) // Run checks too
		tooltest.WantCode(t, err, errcode.InputInvalid)
	})
	t.Run("same length passes the check", func(t *testing.T) {
		if err := def(t, "ttest_paired_samples").Check([]byte(`{"group_a": [1, null], "group_b": [1, 2]}`)); err != nil {
			t.Fatalf("Check: %v", err)
		}
	})
	t.Run("too few pairs", func(t *testing.T) {
		_, err := try(t, "ttest_paired_samples", `{"group_a": [1, null, 3], "group_b": [1, 2, null]}`)
		tooltest.WantCode(t, err, errcode.ToolError)
	})
}
