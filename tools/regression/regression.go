// Package regression holds the two regression tools, ported from the seed's
// regression/tools.py and regression/methods.py (seed-spec §2.3, tools
// 18–19): a robust straight-line fit built on Siegel's repeated-median slope,
// with the seed's standard errors and intervals, and the slope alone.
//
// Input conventions shared by both tools: x and y are arrays of the same
// length in which null marks a missing value; a pair with a missing side
// takes no part. The repeated median looks at every pair of points, so both
// tools refuse more than stats.MaxRegressionPoints (5,000) entries per array
// with input_too_large before anything runs (the seed's later
// max_regression_points cap). Outputs write NaN and ±Inf as null and floats
// the way Python's json module does.
//
// The numerics (the repeated-median slope and intercept, numpy's linspace)
// live in tools/internal/stats, shared with the monitoring and batch tools.
package regression

import (
	"embed"
	"encoding/json"
	"fmt"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/internal/stats"
	"github.com/toolq/toolq/tools/tool"
)

// Category is the category of every tool in this family.
const Category = "regression"

//go:embed schemas/*.json
var schemas embed.FS

// schema returns the embedded JSON Schema of the named tool. A missing file
// is a programmer error (a test loads every one), so it panics.
func schema(name string) []byte {
	b, err := schemas.ReadFile("schemas/" + name + ".json")
	if err != nil {
		panic(fmt.Sprintf("regression: no schema for %s: %v", name, err))
	}
	return b
}

// Defs returns the regression tool definitions in the seed's registry order.
func Defs() []tool.Def {
	return []tool.Def{robustRegressionDef(), repeatedMedianDef()}
}

// checkPairs enforces what the schema cannot say about x and y: at most
// stats.MaxRegressionPoints entries each (input_too_large; checked first, so
// an oversized input is reported as such even when the lengths also differ)
// and equal lengths (input_invalid). Def.Check runs it before the call is
// enqueued; Run repeats it because it may be called without the registry in
// front of it.
func checkPairs(input json.RawMessage) error {
	var lists struct {
		X []json.RawMessage `json:"x"`
		Y []json.RawMessage `json:"y"`
	}
	if err := json.Unmarshal(input, &lists); err != nil {
		return tool.Invalidf("cannot decode input: %v", err)
	}
	nx, ny := len(lists.X), len(lists.Y)
	if longest := max(nx, ny); longest > stats.MaxRegressionPoints {
		return errcode.New(errcode.InputTooLarge,
			"x and y may hold at most %d values each (the repeated median compares every pair of points); got %d",
			stats.MaxRegressionPoints, longest).
			With("limit", stats.MaxRegressionPoints).With("observed", longest)
	}
	if nx != ny {
		return tool.Invalidf("Vectors x and y must have the same length (x has %d values, y has %d).", nx, ny).
			With("x_length", nx).With("y_length", ny)
	}
	return nil
}
