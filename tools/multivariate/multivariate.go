// Package multivariate holds the multivariate analysis tools, ported from the
// seed's multivariate/tools.py and multivariate/methods.py (seed-spec §2.3,
// tools 10–15): fit_pca, fit_pls, scale_data, detect_multivariate_outliers,
// pca_predict and pls_predict.
//
// Every tool here works on a data matrix whose columns are first mean-centred
// and scaled to unit variance (MCUV, [mcuv]). The numerics live in their own
// files and are shared: SVD and NIPALS PCA (pca.go), PLS2 by NIPALS
// (pls.go), the NIPALS regressions both use (nipals.go), Hotelling's T² and
// SPE limits (limits.go), the outlier screen (outliers.go), the scoring of
// new rows (project.go) and the checks on the model_params objects that
// pca_predict and pls_predict receive back from callers (modelparams.go).
package multivariate

import "github.com/toolq/toolq/tools/tool"

// Category is the category of every tool in this family.
const Category = "multivariate"

// Defs returns the multivariate tool definitions in the seed's registry order.
func Defs() []tool.Def {
	return []tool.Def{fitPCADef(), fitPLSDef(), scaleDataDef(), detectDef(), pcaPredictDef(), plsPredictDef()}
}
