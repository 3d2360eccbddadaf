package experiments

import "github.com/toolq/toolq/tools/tool"

// visualizeDOEDef returns the visualize_doe definition, or nil while it is being ported.
func visualizeDOEDef() *tool.Def { return nil }
