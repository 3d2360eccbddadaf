package bivariate

import (
	"math"
	"testing"

	"github.com/toolq/toolq/tools/internal/tooltest"
)

// run runs find_elbow on input as the registry does after validation (see
// tooltest.Try).
func run(t *testing.T, input any) (tooltest.Result, error) {
	t.Helper()
	return tooltest.Try(t, findElbowDef(), input)
}

// call is run that fails the test on an error.
func call(t *testing.T, input any) tooltest.Result {
	t.Helper()
	return tooltest.Call(t, findElbowDef(), input)
}

// floats converts a JSON list with nulls to float64s with NaN.
func floats(v []*float64) []float64 {
	out := make([]float64, len(v))
	for i, p := range v {
		out[i] = math.NaN()
		if p != nil {
			out[i] = *p
		}
	}
	return out
}
