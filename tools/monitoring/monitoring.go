// Package monitoring holds the monitoring tools (being ported; see issue 4).
package monitoring

import "github.com/toolq/toolq/tools/tool"

// Defs returns the monitoring tool definitions in the seed's registry order.
func Defs() []tool.Def { return nil }
