// Package regression holds the regression tools (being ported; see issue 4).
package regression

import "github.com/toolq/toolq/tools/tool"

// Defs returns the regression tool definitions in the seed's registry order.
func Defs() []tool.Def { return nil }
