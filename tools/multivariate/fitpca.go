package multivariate

import (
	"context"
	_ "embed"
	"encoding/json"
	"math"

	"github.com/toolq/toolq/tools/tool"
)

//go:embed schemas/fit_pca.json
var fitPCASchema []byte

// defaultConfLevel is the confidence level of the limits and the outlier
// screen when the caller gives none (the seed's fixed 0.95).
const defaultConfLevel = 0.95

const fitPCADescription = "Principal component analysis of a numeric data matrix (rows are observations, columns are variables). " +
	"Each column is first centred on its mean and divided by its sample standard deviation (a constant column is left unscaled). " +
	"Complete data is decomposed by singular value decomposition; when some cells are null (missing) the model is fitted by NIPALS, which skips the missing cells. " +
	"Each loading vector is signed so that its largest-magnitude element is positive. " +
	"Returns the variance of each component's scores (explained_variance), the fraction of the scaled data's variation explained per component and cumulatively, " +
	"Hotelling's T² limit (t2_limit) and the SPE limit (spe_limit, on the same square-root scale as the SPE values) at conf_level, " +
	"an outlier screen, and model_params (loadings, means, stds, score scaling, training SPE values) for scoring new rows with pca_predict. " +
	"n_components is the number of components actually fitted, min(requested, rows, columns); when that is fewer than requested, n_components_requested echoes the request " +
	"(the original tool reported the request itself, which misstated the model). " +
	"Outliers: an observation is flagged on SPE or on T² when its value exceeds the limit or when a classical generalized ESD test (mean and standard deviation, largest-crossing rule, " +
	"at most max(1, rows/5) outliers, significance 1 − conf_level) singles it out; the original tool used a robust median/MAD variant of the test that flagged ordinary observations. " +
	"Each outlier lists its types, SPE, T², both limits and a severity, the larger of SPE/limit and T²/limit rounded to 4 decimals; outliers are ordered by severity, highest first. " +
	"At most 10,000 rows and 500 columns."

// fitPCADef returns the fit_pca tool definition.
func fitPCADef() tool.Def {
	return tool.Def{
		Name:        "fit_pca",
		Category:    Category,
		Description: fitPCADescription,
		Schema:      fitPCASchema,
		Check: func(input json.RawMessage) error {
			_, err := parseFitPCA(input)
			return err
		},
		Run: runFitPCA,
	}
}

// fitPCAInput is the decoded input of fit_pca, with defaults filled in.
type fitPCAInput struct {
	Data tool.Matrix `json:"data"`
	// NComponents is a float64 because JSON Schema's "integer" accepts 2.0,
	// which encoding/json will not decode into an int.
	NComponents float64  `json:"n_components"`
	ColumnNames []string `json:"column_names"`
	ConfLevel   float64  `json:"conf_level"`
}

// parseFitPCA decodes a schema-valid input and checks what the schema cannot:
// the matrix caps, a rectangular matrix, and one column name per column. Both
// Check and Run call it, and it repeats the schema's bounds on n_components
// and conf_level, so that Run never indexes a ragged matrix or asks for an
// impossible quantile even when a caller skipped validation.
func parseFitPCA(input json.RawMessage) (fitPCAInput, error) {
	in := fitPCAInput{ConfLevel: defaultConfLevel}
	if err := tool.Decode(input, &in); err != nil {
		return in, err
	}
	if a := in.NComponents; a < 1 || a != math.Trunc(a) {
		return in, tool.Invalidf("n_components must be a positive integer, not %v", a).With("key", "n_components")
	}
	if cl := in.ConfLevel; !(cl >= 0.8 && cl <= 0.999) {
		return in, tool.Invalidf("conf_level must lie between 0.8 and 0.999, not %v", cl).With("key", "conf_level")
	}
	if err := checkMatrix("data", in.Data); err != nil {
		return in, err
	}
	if _, k := in.Data.Dims(); in.ColumnNames != nil && len(in.ColumnNames) != k {
		return in, tool.Invalidf("column_names has %d names but data has %d columns", len(in.ColumnNames), k).
			With("key", "column_names").With("expected", k).With("observed", len(in.ColumnNames))
	}
	return in, nil
}

// fitPCAResult is fit_pca's output. Field order is the JSON key order: the
// seed's keys first, then the two limits this port adds.
type fitPCAResult struct {
	NComponents          int            `json:"n_components"`
	NComponentsRequested int            `json:"n_components_requested,omitempty"`
	NSamples             int            `json:"n_samples"`
	NFeatures            int            `json:"n_features"`
	ExplainedVariance    []float64      `json:"explained_variance"`
	R2Cumulative         []float64      `json:"r2_cumulative"`
	R2PerComponent       []float64      `json:"r2_per_component"`
	OutlierIndices       []int          `json:"outlier_indices"`
	OutlierDetails       []outlier      `json:"outlier_details"`
	ModelParams          pcaModelParams `json:"model_params"`
	T2Limit              float64        `json:"t2_limit"`
	SPELimit             float64        `json:"spe_limit"`
}

// pcaModelParams is what pca_predict needs to score new rows: the scaling,
// the loadings (K×A), the score standard deviations for T², and the training
// N and SPE values for the limits. n_components always equals the number of
// loading columns, so a T² limit computed from it is right.
type pcaModelParams struct {
	Loadings               [][]float64 `json:"loadings"`
	Means                  []float64   `json:"means"`
	Stds                   []float64   `json:"stds"`
	NComponents            int         `json:"n_components"`
	ScalingFactorForScores []float64   `json:"scaling_factor_for_scores"`
	NSamples               int         `json:"n_samples"`
	SPEValues              []float64   `json:"spe_values"`
	ColumnNames            []string    `json:"column_names,omitempty"`
}

func runFitPCA(ctx context.Context, input json.RawMessage) (any, error) {
	in, err := parseFitPCA(input)
	if err != nil {
		return nil, err
	}
	xs, sc, err := mcuv(in.Data.Rows(), in.ColumnNames)
	if err != nil {
		return nil, err
	}
	n, k := xs.Dims()
	requested := int(in.NComponents)
	a := min(requested, n, k)

	m, err := fitPCA(ctx, xs, a)
	if err != nil {
		return nil, err
	}
	screen, err := screenOutliers(m, in.ConfLevel)
	if err != nil {
		return nil, err
	}

	res := fitPCAResult{
		NComponents:       a,
		NSamples:          n,
		NFeatures:         k,
		ExplainedVariance: m.explainedVariance,
		R2Cumulative:      m.r2Cumulative,
		R2PerComponent:    m.r2PerComponent,
		OutlierIndices:    make([]int, len(screen.outliers)),
		OutlierDetails:    screen.outliers,
		ModelParams: pcaModelParams{
			Loadings:               rowsOf(m.loadings),
			Means:                  sc.means,
			Stds:                   sc.stds,
			NComponents:            a,
			ScalingFactorForScores: m.scalingFactor,
			NSamples:               n,
			SPEValues:              m.spe,
			ColumnNames:            in.ColumnNames,
		},
		T2Limit:  screen.t2Limit,
		SPELimit: screen.speLimit,
	}
	if a < requested {
		res.NComponentsRequested = requested
	}
	for i, o := range screen.outliers {
		res.OutlierIndices[i] = o.Observation
	}
	return res, nil
}
