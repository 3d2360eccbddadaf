// Package monitoring holds the two monitoring tools, ported from the seed's
// monitoring/tools.py, monitoring/control_charts.py and monitoring/metrics.py
// (seed-spec §2.3, tools 16 and 17): control_chart, a robust Shewhart or
// robust Holt–Winters chart for a sequence of observations, and
// process_capability, the Cpk index.
//
// Input conventions are the univariate family's: numeric arrays accept null,
// which marks a missing value; an input with fewer than two usable values is
// a tool_error. Outputs write NaN and ±Inf as null and floats the way
// Python's json module does (10.0, not 10); counts and indices are integers.
//
// The shared numerics (medians, MAD, Sn, the repeated-median slope) live in
// tools/internal/stats.
package monitoring

import (
	"embed"
	"fmt"

	"github.com/toolq/toolq/tools/tool"
)

// Category is the category of every tool in this family.
const Category = "monitoring"

//go:embed schemas/*.json
var schemas embed.FS

// schema returns the embedded JSON Schema of the named tool. A missing file
// is a programmer error (a test loads every one), so it panics.
func schema(name string) []byte {
	b, err := schemas.ReadFile("schemas/" + name + ".json")
	if err != nil {
		panic(fmt.Sprintf("monitoring: no schema for %s: %v", name, err))
	}
	return b
}

// Defs returns the monitoring tool definitions in the seed's registry order.
func Defs() []tool.Def {
	return []tool.Def{
		controlChartDef(),
		processCapabilityDef(),
	}
}

// minValues is the number of non-missing values below which neither tool
// has a spread to work with.
const minValues = 2

// tooFewValues is the tool_error for an input with fewer than minValues
// non-missing values.
func tooFewValues(n int) error {
	return tool.Errorf("values has %d non-missing values; at least %d are needed", n, minValues).
		With("key", "values").With("observed", n)
}
