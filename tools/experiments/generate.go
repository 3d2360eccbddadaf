package experiments

import "github.com/toolq/toolq/tools/tool"

// generateDesignDef returns the generate_design definition, or nil while it is being ported.
func generateDesignDef() *tool.Def { return nil }
