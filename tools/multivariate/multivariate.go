// Package multivariate is a placeholder being filled in.
package multivariate

import "github.com/toolq/toolq/tools/tool"

// Defs returns the multivariate tool definitions in the seed's registry order.
func Defs() []tool.Def { return nil }
