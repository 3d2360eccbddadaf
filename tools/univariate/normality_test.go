package univariate

import (
	"fmt"
	"strings"
	"testing"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/internal/tooltest"
)

func TestNormalityTestGolden(t *testing.T) {
	t.Parallel()
	// The seed's test_normality vectors. scipy 1.10's values are float32
	// (its swilk is single precision), so W matches to 2e-7 and p to 5e-6
	// relative; the double-precision values are R's and are pinned in
	// stats.TestShapiroWilkR.
	cases := []struct {
		name  string
		x     []float64
		w, p  float64
		rNote float64 // R's p-value as the seed's test states it, ±1e-3
	}{
		{"normal sample", []float64{1.37095845, -0.56469817, 0.36312841, 0.63286260, 0.40426832, -0.10612452, 1.51152200, -0.09465904, 2.01842371, -0.06271410}, 0.9287019371986389, 0.4352465271949768, 0.4352},
		{"uniform sample", []float64{0.90403139, 0.13871017, 0.98889173, 0.94666823, 0.08243756, 0.51421178, 0.39020347, 0.90573813, 0.44696963, 0.83600426}, 0.8741459846496582, 0.1116977334022522, 0.1117},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, "normality_test", map[string]any{"values": tc.x})
			checkGolden(t, r, []golden{{"statistic", tc.w, 2e-7}, {"p_value", tc.p, 5e-6}, {"p_value", tc.rNote, 1e-3 / tc.rNote}, {"alpha", 0.05, 0}})
			if !r.Bool(t, "is_normal") {
				t.Errorf("is_normal = false, want true (p %v ≥ 0.05)", r.Num(t, "p_value"))
			}
			want := "At the 5% significance level, the data appear consistent with a normal distribution."
			if got := r.Str(t, "interpretation"); got != want {
				t.Errorf("interpretation = %q, want %q", got, want)
			}
		})
	}
}

// TestNormalityTestSeedToolTests holds test_tool_spec.py's cases, with
// deterministic samples in place of numpy's default_rng.
func TestNormalityTestSeedToolTests(t *testing.T) {
	t.Parallel()
	t.Run("normal sample", func(t *testing.T) {
		// Stands in for default_rng(1).normal(10, 1, 100). Any seed's
		// sample is rejected 5% of the time (PCG seed 1 happens to give
		// p = 0.014); seed 2's gives p = 0.77. The rejection rate itself is
		// checked in stats.TestShapiroWilkCalibration.
		r := call(t, "normality_test", map[string]any{"values": normalSample(2, 100, 10, 1)})
		r.HasKeys(t, "p_value", "statistic", "interpretation")
		if !r.Bool(t, "is_normal") {
			t.Fatalf("is_normal = false for a normal sample: %s", r)
		}
	})
	t.Run("exponential sample", func(t *testing.T) {
		// Stands in for default_rng(2).exponential(1, 100). The seed only
		// asserts the key; a skewed sample of 100 is clearly not normal.
		r := call(t, "normality_test", map[string]any{"values": exponentialSample(2, 100, 1)})
		if r.Bool(t, "is_normal") {
			t.Fatalf("is_normal = true for an exponential sample: %s", r)
		}
		p := r.Num(t, "p_value")
		want := fmt.Sprintf("At the 5%% significance level, there is evidence that the data are NOT normally distributed (p=%.4f). Consider using robust methods.", p)
		if got := r.Str(t, "interpretation"); got != want {
			t.Fatalf("interpretation = %q, want %q", got, want)
		}
	})
	t.Run("alpha in the interpretation", func(t *testing.T) {
		r := call(t, "normality_test", map[string]any{"values": []float64{1.0, 2.0, 1.5, 1.8, 2.1}, "alpha": 0.1})
		if got := r.Str(t, "interpretation"); !strings.HasPrefix(got, "At the 10% significance level") {
			t.Fatalf("interpretation = %q, want the 10%% level", got)
		}
	})
	t.Run("constant data", func(t *testing.T) {
		// scipy 1.10: W = 1, p = 1.
		r := call(t, "normality_test", map[string]any{"values": []float64{4, 4, 4, 4}})
		checkGolden(t, r, []golden{{"statistic", 1, 0}, {"p_value", 1, 0}})
	})
	t.Run("missing values skipped", func(t *testing.T) {
		r := call(t, "normality_test", `{"values": [null, 1, 2, 4]}`)
		checkGolden(t, r, []golden{{"statistic", 27.0 / 28, 1e-12}})
	})
	t.Run("too few values", func(t *testing.T) {
		_, err := try(t, "normality_test", `{"values": [1, null, 2]}`)
		tooltest.WantCode(t, err, errcode.ToolError)
	})
}
