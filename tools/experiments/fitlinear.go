package experiments

import "github.com/toolq/toolq/tools/tool"

// fitLinearModelDef returns the fit_linear_model definition, or nil while it is being ported.
func fitLinearModelDef() *tool.Def { return nil }
