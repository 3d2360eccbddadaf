package experiments

import "github.com/toolq/toolq/tools/tool"

// doeKnowledgeDef returns the doe_knowledge definition, or nil while it is being ported.
func doeKnowledgeDef() *tool.Def { return nil }
