package experiments

import "github.com/toolq/toolq/tools/tool"

// evaluateDesignDef returns the evaluate_design definition, or nil while it is being ported.
func evaluateDesignDef() *tool.Def { return nil }
