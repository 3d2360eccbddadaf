package regression

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/internal/tooltest"
)

// TestRepeatedMedianGoldens holds seed-spec §6.3's repeated-median cases
// ([test] test_regression.py) and the tool's output conventions: the slope
// is a float, n counts the entries as given, missing ones included.
func TestRepeatedMedianGoldens(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		input    string
		slope, n string
	}{
		{"hand worked", `{"x": [0, 1, 2, 3], "y": [5, 1, 6, 72]}`, "5.0", "4"},
		{"division by zero", `{"x": [2, 2, 3, 4], "y": [0, 1, 2, 3]}`, "1.0", "4"},
		{"missing pairs skipped, counted in n", `{"x": [0, null, 1, 2, 3, 9], "y": [5, 7, 1, 6, 72, null]}`, "5.0", "6"},
		{"constant x", `{"x": [4, 4, 4, 4, 4], "y": [1, 2, 3, 4, 5]}`, "null", "5"},
		{"one complete pair", `{"x": [1, null, 3], "y": [1, 2, null]}`, "null", "3"},
		{"the seed's example", `{"x": [1, 2, 3, 4, 5], "y": [2.1, 4.0, 5.9, 8.1, 10.0]}`, "1.975", "5"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := call(t, "repeated_median", tc.input)
			if got := string(r["slope"]); got != tc.slope {
				t.Errorf("slope = %s, want %s", got, tc.slope)
			}
			if got := string(r["n"]); got != tc.n {
				t.Errorf("n = %s, want %s", got, tc.n)
			}
			if len(r) != 2 {
				t.Errorf("result %v, want only slope and n", r)
			}
		})
	}
}

// TestRepeatedMedianAgreesWithRobustRegression: both tools report the same
// slope for the same complete pairs.
func TestRepeatedMedianAgreesWithRobustRegression(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(31, 32))
	for range 20 {
		n := 3 + rng.IntN(60)
		x, y := make([]float64, n), make([]float64, n)
		for i := range x {
			x[i] = rng.NormFloat64() * 3
			y[i] = 2 - 0.7*x[i] + rng.NormFloat64()
		}
		in := map[string]any{"x": x, "y": y}
		a, b := call(t, "repeated_median", in).Num(t, "slope"), call(t, "robust_regression", in).Num(t, "slope")
		if a != b || math.IsNaN(a) {
			t.Fatalf("repeated_median slope %v, robust_regression slope %v", a, b)
		}
	}
}

func TestRepeatedMedianErrors(t *testing.T) {
	t.Parallel()
	big, _ := json.Marshal(map[string]any{"x": make([]float64, 5001), "y": make([]float64, 3)})
	cases := []struct {
		name  string
		input string
		code  errcode.Code
	}{
		{"length mismatch", `{"x": [1, 2, 3], "y": [1, 2]}`, errcode.InputInvalid},
		{"over the cap, lengths differing too", string(big), errcode.InputTooLarge},
		{"unknown key", `{"x": [1, 2, 3], "y": [1, 2, 3], "method": "theil"}`, errcode.InputInvalid},
		{"too large a number", `{"x": [1, 2, 1e400], "y": [1, 2, 3]}`, errcode.InputInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := tooltest.TryRun(t, def(t, "repeated_median"), tc.input) // Run's own checks
			tooltest.WantCode(t, err, tc.code)
		})
	}
}
