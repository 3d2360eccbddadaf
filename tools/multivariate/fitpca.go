package multivariate

import (
	"context"
	_ "embed"
	"encoding/json"
	"math"

	"github.com/toolq/toolq/tools/internal/pyfmt"
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
		Example:     `{"data": [[3,4,2,2],[4,3,4,3],[5,5,6,4]], "n_components": 2}`,
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
	if err := checkComponents(in.NComponents); err != nil {
		return in, err
	}
	if err := checkConfLevel(in.ConfLevel); err != nil {
		return in, err
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

// checkComponents repeats the schema's rule for an n_components input: a
// positive integer. It is decoded as a float64 because JSON Schema's
// "integer" accepts 2.0.
func checkComponents(a float64) error {
	if a < 1 || a != math.Trunc(a) {
		return tool.Invalidf("n_components must be a positive integer, not %v", a).With("key", "n_components")
	}
	return nil
}

// checkConfLevel repeats the schema's bounds on conf_level.
func checkConfLevel(cl float64) error {
	if !(cl >= 0.8 && cl <= 0.999) {
		return tool.Invalidf("conf_level must lie between 0.8 and 0.999, not %v", cl).With("key", "conf_level")
	}
	return nil
}

// fitPCAResult is fit_pca's output. Field order is the JSON key order: the
// seed's keys first, then the two limits this port adds. Floats are written
// as Python writes them (4.0, not 4).
type fitPCAResult struct {
	NComponents          int            `json:"n_components"`
	NComponentsRequested int            `json:"n_components_requested,omitempty"`
	NSamples             int            `json:"n_samples"`
	NFeatures            int            `json:"n_features"`
	ExplainedVariance    []pyfmt.Float  `json:"explained_variance"`
	R2Cumulative         []pyfmt.Float  `json:"r2_cumulative"`
	R2PerComponent       []pyfmt.Float  `json:"r2_per_component"`
	OutlierIndices       []int          `json:"outlier_indices"`
	OutlierDetails       []outlier      `json:"outlier_details"`
	ModelParams          pcaModelParams `json:"model_params"`
	T2Limit              pyfmt.Float    `json:"t2_limit"`
	SPELimit             pyfmt.Float    `json:"spe_limit"`
}

// pcaModelParams is what pca_predict needs to score new rows: the scaling,
// the loadings (K×A), the score standard deviations for T², and the training
// N and SPE values for the limits. n_components always equals the number of
// loading columns, so a T² limit computed from it is right.
type pcaModelParams struct {
	Loadings               [][]pyfmt.Float `json:"loadings"`
	Means                  []pyfmt.Float   `json:"means"`
	Stds                   []pyfmt.Float   `json:"stds"`
	NComponents            int             `json:"n_components"`
	ScalingFactorForScores []pyfmt.Float   `json:"scaling_factor_for_scores"`
	NSamples               int             `json:"n_samples"`
	SPEValues              []pyfmt.Float   `json:"spe_values"`
	ColumnNames            []string        `json:"column_names,omitempty"`
}

// screenedPCA is a PCA model fitted for an outlier screen, with its scaling
// and the number of components asked for.
type screenedPCA struct {
	model     *pcaModel
	scaling   scaling
	screen    outlierScreen
	requested int
}

// fitAndScreen scales rows, fits a PCA model of min(requested, N, K)
// components and screens its observations at confidence cl: the pipeline
// fit_pca and detect_multivariate_outliers share.
func fitAndScreen(ctx context.Context, rows [][]float64, names []string, requested int, cl float64) (screenedPCA, error) {
	xs, sc, err := mcuv(rows, names)
	if err != nil {
		return screenedPCA{}, err
	}
	n, k := xs.Dims()
	m, err := fitPCA(ctx, xs, min(requested, n, k))
	if err != nil {
		return screenedPCA{}, err
	}
	screen, err := screenOutliers(m, cl)
	if err != nil {
		return screenedPCA{}, err
	}
	return screenedPCA{model: m, scaling: sc, screen: screen, requested: requested}, nil
}

// requestEcho is the value of n_components_requested: the request when it
// was clamped, zero (omitted) otherwise.
func requestEcho(fitted, requested int) int {
	if fitted < requested {
		return requested
	}
	return 0
}

func runFitPCA(ctx context.Context, input json.RawMessage) (any, error) {
	in, err := parseFitPCA(input)
	if err != nil {
		return nil, err
	}
	s, err := fitAndScreen(ctx, in.Data.Rows(), in.ColumnNames, int(in.NComponents), in.ConfLevel)
	if err != nil {
		return nil, err
	}
	m := s.model
	return fitPCAResult{
		NComponents:          m.a,
		NComponentsRequested: requestEcho(m.a, s.requested),
		NSamples:             m.n,
		NFeatures:            m.k,
		ExplainedVariance:    pyfmt.Floats(m.explainedVariance),
		R2Cumulative:         pyfmt.Floats(m.r2Cumulative),
		R2PerComponent:       pyfmt.Floats(m.r2PerComponent),
		OutlierIndices:       s.screen.indices(),
		OutlierDetails:       s.screen.outliers,
		ModelParams: pcaModelParams{
			Loadings:               floatRows(m.loadings),
			Means:                  pyfmt.Floats(s.scaling.means),
			Stds:                   pyfmt.Floats(s.scaling.stds),
			NComponents:            m.a,
			ScalingFactorForScores: pyfmt.Floats(m.scalingFactor),
			NSamples:               m.n,
			SPEValues:              pyfmt.Floats(m.spe),
			ColumnNames:            in.ColumnNames,
		},
		T2Limit:  pyfmt.Float(s.screen.t2Limit),
		SPELimit: pyfmt.Float(s.screen.speLimit),
	}, nil
}
