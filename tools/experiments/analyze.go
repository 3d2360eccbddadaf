package experiments

import "github.com/toolq/toolq/tools/tool"

// analyzeExperimentDef returns the analyze_experiment definition, or nil while it is being ported.
func analyzeExperimentDef() *tool.Def { return nil }
