// Package univariate holds the nine univariate tools, ported from the seed's
// univariate/tools.py and univariate/metrics.py (seed-spec §2.3, tools 1–9):
// summary statistics, outlier detection, robust scales, a normality test, a
// confidence interval, two t-tests and a one-way variance decomposition.
//
// Input conventions shared by every tool: numeric arrays accept null, which
// marks a missing value and is skipped (the seed's NaN rule); an input with
// no usable values left is a tool_error, not a result full of nulls. Outputs
// write NaN and ±Inf as null, and floats the way Python's json module does
// (10.0, not 10), so that results read like the seed's; counts are integers.
//
// The numerics live in tools/internal/stats, shared with the other families.
package univariate

import (
	"embed"
	"encoding/json"
	"fmt"

	"github.com/toolq/toolq/tools/tool"
)

// Category is the category of every tool in this family.
const Category = "univariate"

//go:embed schemas/*.json
var schemas embed.FS

// schema returns the embedded JSON Schema of the named tool. A missing file
// is a programmer error (a test loads every one), so it panics.
func schema(name string) []byte {
	b, err := schemas.ReadFile("schemas/" + name + ".json")
	if err != nil {
		panic(fmt.Sprintf("univariate: no schema for %s: %v", name, err))
	}
	return b
}

// Defs returns the univariate tool definitions in the seed's registry order.
func Defs() []tool.Def {
	return []tool.Def{
		robustSummaryStatsDef(),
		detectOutliersDef(),
		robustScaleSnDef(),
		medianAbsoluteDeviationDef(),
		normalityTestDef(),
		confidenceIntervalDef(),
		ttestTwoSamplesDef(),
		ttestPairedSamplesDef(),
		withinBetweenVarianceDef(),
	}
}

// sameLength returns an input_invalid error unless the two top-level arrays
// a and b of input have the same number of elements. Def.Check uses it for
// what JSON Schema cannot say; Run repeats it because it may be called
// without the registry in front of it.
func sameLength(input json.RawMessage, a, b, message string) error {
	var lists map[string]json.RawMessage
	if err := json.Unmarshal(input, &lists); err != nil {
		return tool.Invalidf("cannot decode input: %v", err)
	}
	na, err := arrayLen(lists[a])
	if err != nil {
		return tool.Invalidf("%s must be an array: %v", a, err)
	}
	nb, err := arrayLen(lists[b])
	if err != nil {
		return tool.Invalidf("%s must be an array: %v", b, err)
	}
	if na != nb {
		return tool.Invalidf("%s", message).With(a+"_length", na).With(b+"_length", nb)
	}
	return nil
}

func arrayLen(raw json.RawMessage) (int, error) {
	if raw == nil {
		return 0, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return 0, err
	}
	return len(items), nil
}
