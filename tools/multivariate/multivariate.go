// Package multivariate holds the multivariate analysis tools, ported from the
// seed's multivariate/tools.py and multivariate/methods.py (seed-spec §2.3).
//
// Every tool here works on a data matrix whose columns are first mean-centred
// and scaled to unit variance (MCUV, [mcuv]). The numerics (SVD and NIPALS
// PCA, Hotelling's T², SPE and their limits) live in their own files so that
// later tools of the family (detect_multivariate_outliers, pca_predict) can
// reuse them unchanged.
package multivariate

import "github.com/toolq/toolq/tools/tool"

// Category is the category of every tool in this family.
const Category = "multivariate"

// Defs returns the multivariate tool definitions in the seed's registry order.
func Defs() []tool.Def {
	return []tool.Def{fitPCADef(), fitPLSDef(), scaleDataDef(), detectDef(), pcaPredictDef(), plsPredictDef()}
}
