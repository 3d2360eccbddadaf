// Package experiments holds the experiments tools (being ported; see issue 4).
package experiments

import "github.com/toolq/toolq/tools/tool"

// Defs returns the experiments tool definitions in the seed's registry order.
func Defs() []tool.Def { return nil }
