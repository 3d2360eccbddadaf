// Package experiments holds the designed-experiments tools, ported from the
// seed's experiments/tools.py (seed-spec §2.3, tools 21–30). Each tool lives
// in a file of its own and is listed here in the seed's registry order; the
// formula engine and the least-squares fits they share live in
// tools/internal/formula and tools/internal/ols.
package experiments

import "github.com/toolq/toolq/tools/tool"

// Category is the category of every tool in this family.
const Category = "experiments"

// Defs returns the experiments tool definitions in the seed's registry order.
// A tool still being ported returns a nil definition and is left out.
func Defs() []tool.Def {
	defs := []tool.Def{createFactorialDesignDef()}
	for _, d := range []*tool.Def{
		fitLinearModelDef(), generateDesignDef(), evaluateDesignDef(), analyzeExperimentDef(),
		optimizeResponsesDef(), augmentDesignDef(), visualizeDOEDef(), doeKnowledgeDef(), recommendStrategyDef(),
	} {
		if d != nil {
			defs = append(defs, *d)
		}
	}
	return defs
}
