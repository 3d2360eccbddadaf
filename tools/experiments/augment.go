package experiments

import "github.com/toolq/toolq/tools/tool"

// augmentDesignDef returns the augment_design definition, or nil while it is being ported.
func augmentDesignDef() *tool.Def { return nil }
