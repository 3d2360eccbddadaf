package experiments

import "github.com/toolq/toolq/tools/tool"

// optimizeResponsesDef returns the optimize_responses definition, or nil while it is being ported.
func optimizeResponsesDef() *tool.Def { return nil }
