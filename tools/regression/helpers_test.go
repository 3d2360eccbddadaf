package regression

import (
	"math"
	"testing"

	"github.com/toolq/toolq/tools/internal/tooltest"
	"github.com/toolq/toolq/tools/tool"
)

// def returns the named definition from Defs.
func def(t *testing.T, name string) tool.Def {
	t.Helper()
	return tooltest.Def(t, Defs(), name)
}

// call runs the named tool as the registry does after validation (see
// tooltest.Call) and fails the test on an error.
func call(t *testing.T, name string, input any) tooltest.Result {
	t.Helper()
	return tooltest.Call(t, def(t, name), input)
}

// try is call that returns the tool's error instead of failing.
func try(t *testing.T, name string, input any) (tooltest.Result, error) {
	t.Helper()
	return tooltest.Try(t, def(t, name), input)
}

// near reports whether got is within rel·|want| of want, or within abs of
// it; NaN matches NaN.
func near(got, want, rel, abs float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	return math.Abs(got-want) <= max(rel*math.Abs(want), abs)
}
