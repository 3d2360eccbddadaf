// Package bivariate holds the bivariate tools (being ported; see issue 4).
package bivariate

import "github.com/toolq/toolq/tools/tool"

// Defs returns the bivariate tool definitions in the seed's registry order.
func Defs() []tool.Def { return nil }
