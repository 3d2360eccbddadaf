// Package univariate is a placeholder being filled in.
package univariate

import "github.com/toolq/toolq/tools/tool"

// Defs returns the univariate tool definitions in the seed's registry order.
func Defs() []tool.Def { return nil }
