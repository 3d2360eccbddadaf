// Package batch holds the batch tools (being ported; see issue 4).
package batch

import "github.com/toolq/toolq/tools/tool"

// Defs returns the batch tool definitions in the seed's registry order.
func Defs() []tool.Def { return nil }
