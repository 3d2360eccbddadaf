// Package batch holds the batch tool, extract_batch_features, ported from
// the seed's batch/tools.py and batch/features.py (seed-spec §2.3, tool 31):
// per-batch summary features of long-format process data, the usual first
// step before a multivariate analysis of batches.
//
// Numeric cells accept null, which marks a missing value and is skipped.
// Outputs write NaN and ±Inf as null and floats the way Python's json module
// does (10.0, not 10); counts are integers.
package batch

import (
	"embed"
	"fmt"

	"github.com/toolq/toolq/tools/tool"
)

// Category is the category of every tool in this family.
const Category = "batch"

//go:embed schemas/*.json
var schemas embed.FS

// schema returns the embedded JSON Schema of the named tool. A missing file
// is a programmer error (a test loads every one), so it panics.
func schema(name string) []byte {
	b, err := schemas.ReadFile("schemas/" + name + ".json")
	if err != nil {
		panic(fmt.Sprintf("batch: no schema for %s: %v", name, err))
	}
	return b
}

// Defs returns the batch tool definitions in the seed's registry order.
func Defs() []tool.Def {
	return []tool.Def{
		extractBatchFeaturesDef(),
	}
}
