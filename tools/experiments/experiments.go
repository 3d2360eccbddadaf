// Package experiments holds the experiments tools, ported from the seed's
// experiments/tools.py (seed-spec §2.3, tools 21–30). So far:
// create_factorial_design (factorial.go); the rest of the family is being
// ported (see issue 4).
package experiments

import "github.com/toolq/toolq/tools/tool"

// Category is the category of every tool in this family.
const Category = "experiments"

// Defs returns the experiments tool definitions in the seed's registry order.
func Defs() []tool.Def {
	return []tool.Def{
		createFactorialDesignDef(),
	}
}
