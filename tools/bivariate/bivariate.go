// Package bivariate holds the bivariate tools, ported from the seed's
// bivariate/tools.py and bivariate/methods.py (seed-spec §2.3, tool 20):
// finding the elbow of an x–y curve from two robust straight-line fits.
//
// Inputs are x and y arrays of the same length in which null marks a
// missing value; a pair with a missing side takes no part. Outputs write
// floats the way Python's json module does.
//
// The robust line fit (Huber's M-estimator as statsmodels' RLM computes it)
// lives in tools/internal/stats.
package bivariate

import (
	"embed"
	"fmt"

	"github.com/toolq/toolq/tools/tool"
)

// Category is the category of every tool in this family.
const Category = "bivariate"

//go:embed schemas/*.json
var schemas embed.FS

// schema returns the embedded JSON Schema of the named tool. A missing file
// is a programmer error (a test loads every one), so it panics.
func schema(name string) []byte {
	b, err := schemas.ReadFile("schemas/" + name + ".json")
	if err != nil {
		panic(fmt.Sprintf("bivariate: no schema for %s: %v", name, err))
	}
	return b
}

// Defs returns the bivariate tool definitions in the seed's registry order.
func Defs() []tool.Def {
	return []tool.Def{findElbowDef()}
}
