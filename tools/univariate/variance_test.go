package univariate

import (
	"math"
	"testing"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/internal/tooltest"
)

// replicates builds the seed's melted data frame: both replicates' values,
// first replicate first, grouped by their position 0…13.
func replicates(r1, r2 []float64) map[string]any {
	var values, groups []any
	for _, r := range [][]float64{r1, r2} {
		for i, v := range r {
			if math.IsNaN(v) {
				values = append(values, nil)
			} else {
				values = append(values, v)
			}
			groups = append(groups, i)
		}
	}
	return map[string]any{"values": values, "groups": groups}
}

func TestWithinBetweenVarianceGolden(t *testing.T) {
	t.Parallel()
	nan := math.NaN()
	cases := []struct {
		name  string
		input any
		want  []golden
		dofs  [3]string // total, within, between
	}{
		{
			// [test] test_tool_spec and [obs] the seed tool.
			name:  "four values",
			input: map[string]any{"values": []float64{101, 102, 94, 95}, "groups": []int{1, 1, 2, 2}},
			want: []golden{
				{"within_stddev", 0.70711, 1e-5}, {"between_stddev", 7.0, 1e-12},
				{"total_ms", 16.666666666666668, 1e-12}, {"within_ms", 0.5, 1e-12}, {"between_ms", 49.0, 1e-12},
			},
			dofs: [3]string{"3", "2", "1"},
		},
		{
			// [test] test_within_between_variance (spreadsheet values, 1e-5)
			// and [obs] the seed.
			name: "28 values",
			input: replicates(
				[]float64{108.06, 89.52, 95.16, 101.61, 99.19, 100, 93.55, 97.58, 93.55, 98.39, 96.77, 89.92, 88.71, 94.35},
				[]float64{108.07, 87.9, 95.97, 97.58, 100, 95.97, 88.71, 97.59, 95.97, 93.55, 96.78, 86.69, 87.1, 93.55}),
			want: []golden{
				{"within_ms", 1.916015 * 1.916015, 1e-5}, {"between_ms", 7.659146 * 7.659146, 1e-5}, {"total_ms", 5.490761 * 5.490761, 1e-5},
				{"within_stddev", 1.916015, 1e-6}, {"between_stddev", 7.659146, 1e-6},
				{"total_ms", 30.148461772486787, 1e-9}, {"within_ms", 3.6711178571428604, 1e-9}, {"between_ms", 58.662524450549476, 1e-9},
			},
			dofs: [3]string{"27", "14", "13"},
		},
		{
			// [test] test_within_between_sd_missing_values: the spreadsheet
			// case with missing values (mean squares to 1e-4 absolute).
			name: "with missing values",
			input: replicates(
				[]float64{108.06, nan, 95.16, 101.61, 99.19, 100, 93.55, 97.58, 93.55, 98.39, 96.77, 89.92, 88.71, nan},
				[]float64{108.07, 87.9, 95.97, 97.58, 100, 95.97, 88.71, 97.59, 95.97, 93.55, 96.78, 86.69, 87.1, nan}),
			want: []golden{
				{"within_ms", 2.036406 * 2.036406, 1e-4 / (2.036406 * 2.036406)},
				{"between_ms", 7.754816 * 7.754816, 1e-4 / (7.754816 * 7.754816)},
				{"total_ms", 5.669397 * 5.669397, 1e-4 / (5.669397 * 5.669397)},
			},
			dofs: [3]string{"24", "12", "12"},
		},
		{
			// The seed's "empty case": one usable value, everything 0.
			name:  "one value left",
			input: `{"values": [null, 123456, null], "groups": [1, 2, 3]}`,
			want: []golden{
				{"total_ms", 0, 0}, {"within_ms", 0, 0}, {"between_ms", 0, 0}, {"within_stddev", 0, 0}, {"between_stddev", 0, 0},
			},
			dofs: [3]string{"0", "0", "0"},
		},
		{
			// Groups that do not differ: between_ms clips at 0.
			name:  "no between-group variation",
			input: map[string]any{"values": []float64{1, 3, 1, 3, 1, 3}, "groups": []string{"a", "a", "b", "b", "c", "c"}},
			want:  []golden{{"between_ms", 0, 0}, {"within_ms", 2, 1e-12}},
			dofs:  [3]string{"5", "3", "2"},
		},
		{
			// Numbers are grouped by value (1 and 1.0 are one group), while
			// true, "1" and 1 are three different labels.
			name:  "label kinds",
			input: `{"values": [1, 3, 10, 20, 5, 7], "groups": [1, 1.0, true, true, "1", "1"]}`,
			want:  []golden{{"within_ms", (2 + 50 + 2) / 3.0, 1e-12}},
			dofs:  [3]string{"5", "3", "2"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, "within_between_variance", tc.input)
			checkGolden(t, r, tc.want)
			for i, key := range []string{"total_dof", "within_dof", "between_dof"} {
				if got := r.Raw(key); got != tc.dofs[i] {
					t.Errorf("%s = %s, want %s", key, got, tc.dofs[i])
				}
			}
		})
	}
}

// TestWithinBetweenVarianceSeedToolTests holds test_tool_spec.py's cases.
func TestWithinBetweenVarianceSeedToolTests(t *testing.T) {
	t.Parallel()
	t.Run("string groups", func(t *testing.T) {
		r := call(t, "within_between_variance", map[string]any{
			"values": []float64{1, 2, 3, 10, 11, 12}, "groups": []string{"x", "x", "x", "y", "y", "y"}})
		r.HasKeys(t, "within_ms", "within_stddev", "between_ms", "between_stddev")
		for _, key := range []string{"within_stddev", "between_stddev"} {
			if v := r.Num(t, key); math.IsNaN(v) || v <= 0 {
				t.Errorf("%s = %v, want a positive number", key, v)
			}
		}
	})
	t.Run("length mismatch", func(t *testing.T) {
		input := `{"values": [1, 2, 3], "groups": ["a", "b"]}`
		tooltest.WantCode(t, def(t, "within_between_variance").Check([]byte(input)), errcode.InputInvalid)
		_, err := tooltest.TryRun(t, def(t, "within_between_variance"), input) // Run checks too
		tooltest.WantCode(t, err, errcode.InputInvalid)
	})
	t.Run("all missing", func(t *testing.T) {
		_, err := try(t, "within_between_variance", `{"values": [null, null, null], "groups": [1, 2, 3]}`)
		tooltest.WantCode(t, err, errcode.ToolError)
	})
}
