package experiments

import "github.com/toolq/toolq/tools/tool"

// recommendStrategyDef returns the recommend_strategy definition, or nil while it is being ported.
func recommendStrategyDef() *tool.Def { return nil }
