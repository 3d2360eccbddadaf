package multivariate

import (
	"context"
	_ "embed"
	"encoding/json"

	"gonum.org/v1/gonum/mat"

	"github.com/toolq/toolq/tools/internal/pyfmt"
	"github.com/toolq/toolq/tools/tool"
)

//go:embed schemas/pls_predict.json
var plsPredictSchema []byte

const plsPredictDescription = "Predict the responses of new rows with a PLS model fitted by fit_pls, and check whether the rows lie within the model's domain. " +
	"Each row is scaled with the training means and standard deviations and scored one component at a time as NIPALS scores the training rows " +
	"(for a model fitted to complete data this equals the original tool's single product with the direct weights, T = X·W*); " +
	"returns y_hat (one row of predicted responses per new row, in the responses' original units), scores, Hotelling's T², SPE (the square root of the row's residual sum of squares in X), " +
	"t2_limit and spe_limit computed from the training model at conf_level, and is_outlier, true when a row's T² or SPE exceeds its limit. " +
	"A row with null (missing) cells is scored over its present cells, and its SPE sums the present cells only; this needs model_params['x_weights'], which this fit_pls returns " +
	"(a model_params from the original fit_pls has none: its complete rows are scored by the single product, and rows with missing values are refused). " +
	"The original tool returned null results for such rows, always used a confidence level of 0.95 and had no is_outlier; conf_level and is_outlier are additions. " +
	"model_params must be the object fit_pls returned; it is checked for consistency (every array of the length its dimension requires, no nulls, positive standard deviations, " +
	"n_components equal to the number of loading columns). At most 10,000 new rows, 500 variables, responses and components and 10,000 training rows."

// plsPredictDef returns the pls_predict tool definition.
func plsPredictDef() tool.Def {
	return tool.Def{
		Name:        "pls_predict",
		Category:    Category,
		Description: plsPredictDescription,
		Schema:      plsPredictSchema,
		Check: func(input json.RawMessage) error {
			_, err := parsePLSPredict(input)
			return err
		},
		Run: runPLSPredict,
	}
}

// plsParams is fit_pls's model_params as pls_predict receives it.
type plsParams struct {
	XLoadings              tool.Matrix `json:"x_loadings"`
	YLoadings              tool.Matrix `json:"y_loadings"`
	DirectWeights          tool.Matrix `json:"direct_weights"`
	BetaCoefficients       tool.Matrix `json:"beta_coefficients"`
	XWeights               tool.Matrix `json:"x_weights"`
	XMeans                 tool.Vector `json:"x_means"`
	XStds                  tool.Vector `json:"x_stds"`
	YMeans                 tool.Vector `json:"y_means"`
	YStds                  tool.Vector `json:"y_stds"`
	NComponents            float64     `json:"n_components"`
	ScalingFactorForScores tool.Vector `json:"scaling_factor_for_scores"`
	NSamples               float64     `json:"n_samples"`
	SPEValues              tool.Vector `json:"spe_values"`
	XColumnNames           []string    `json:"x_column_names"`
	YColumnNames           []string    `json:"y_column_names"`
}

type plsPredictInput struct {
	ModelParams plsParams   `json:"model_params"`
	NewData     tool.Matrix `json:"new_data"`
	ConfLevel   float64     `json:"conf_level"`
}

// plsPredictModel is a checked model_params with its dimensions.
type plsPredictModel struct {
	in         plsPredictInput
	k, m, a, n int
}

// parsePLSPredict decodes an input and checks the model and the new rows
// (see modelparams.go); Check and Run both call it.
func parsePLSPredict(input json.RawMessage) (plsPredictModel, error) {
	pm := plsPredictModel{in: plsPredictInput{ConfLevel: defaultConfLevel}}
	if err := tool.Decode(input, &pm.in); err != nil {
		return pm, err
	}
	p := pm.in.ModelParams
	sizes := []paramSize{}
	for _, mx := range []struct {
		field string
		m     tool.Matrix
	}{{"x_loadings", p.XLoadings}, {"y_loadings", p.YLoadings}, {"direct_weights", p.DirectWeights}, {"beta_coefficients", p.BetaCoefficients}, {"x_weights", p.XWeights}} {
		sizes = append(sizes, paramSize{mx.field, "rows", len(mx.m), MaxMatrixCols}, paramSize{mx.field, "columns", widest(mx.m), MaxMatrixCols})
	}
	sizes = append(sizes,
		paramSize{"x_means", "values", len(p.XMeans), MaxMatrixCols},
		paramSize{"x_stds", "values", len(p.XStds), MaxMatrixCols},
		paramSize{"y_means", "values", len(p.YMeans), MaxMatrixCols},
		paramSize{"y_stds", "values", len(p.YStds), MaxMatrixCols},
		paramSize{"scaling_factor_for_scores", "values", len(p.ScalingFactorForScores), MaxMatrixCols},
		paramSize{"x_column_names", "names", len(p.XColumnNames), MaxMatrixCols},
		paramSize{"y_column_names", "names", len(p.YColumnNames), MaxMatrixCols},
		paramSize{"spe_values", "values", len(p.SPEValues), MaxMatrixRows},
	)
	err := checkParamCaps(p.NComponents, p.NSamples, sizes)
	if err != nil {
		return pm, err
	}
	if err := checkConfLevel(pm.in.ConfLevel); err != nil {
		return pm, err
	}
	pm.k, pm.m = len(p.XLoadings), len(p.YLoadings)
	if pm.k == 0 {
		return pm, paramInvalid("x_loadings", "is missing or has no rows")
	}
	if pm.m == 0 {
		return pm, paramInvalid("y_loadings", "is missing or has no rows")
	}
	if pm.a, pm.n, err = checkParamCounts(p.NComponents, p.NSamples, pm.k); err != nil {
		return pm, err
	}
	const perComponent = "component (model_params['n_components'])"
	checks := []error{
		checkParamMatrix("x_loadings", p.XLoadings, pm.k, pm.a, "X variable", perComponent),
		checkParamMatrix("y_loadings", p.YLoadings, pm.m, pm.a, "response", perComponent),
		checkParamMatrix("direct_weights", p.DirectWeights, pm.k, pm.a, "X variable", perComponent),
	}
	if p.XWeights != nil {
		checks = append(checks, checkParamMatrix("x_weights", p.XWeights, pm.k, pm.a, "X variable", perComponent))
	}
	if p.BetaCoefficients != nil {
		checks = append(checks, checkParamMatrix("beta_coefficients", p.BetaCoefficients, pm.k, pm.m, "X variable", "response"))
	}
	withoutWeights := ""
	if p.XWeights == nil {
		withoutWeights = "x_weights"
	}
	checks = append(checks,
		checkParamVector("x_means", p.XMeans, pm.k, "X variable", anyValue),
		checkParamVector("x_stds", p.XStds, pm.k, "X variable", positive),
		checkParamVector("y_means", p.YMeans, pm.m, "response", anyValue),
		checkParamVector("y_stds", p.YStds, pm.m, "response", positive),
		checkParamVector("scaling_factor_for_scores", p.ScalingFactorForScores, pm.a, "component", nonNegative),
		checkParamVector("spe_values", p.SPEValues, pm.n, "training row (model_params['n_samples'])", nonNegative),
		checkColumnNames("x_column_names", p.XColumnNames, pm.k),
		checkResponseNames(p.YColumnNames, pm.m),
		checkNewData(pm.in.NewData, pm.k, withoutWeights),
	)
	return pm, firstError(checks...)
}

// checkResponseNames checks optional response names against M.
func checkResponseNames(names []string, m int) error {
	if names != nil && len(names) != m {
		return paramInvalid("y_column_names", "has %d names but the model has %d responses", len(names), m)
	}
	return nil
}

// plsPredictResult is pls_predict's output: the seed's keys, then
// is_outlier.
type plsPredictResult struct {
	YHat         [][]pyfmt.Float `json:"y_hat"`
	Scores       [][]pyfmt.Float `json:"scores"`
	HotellingsT2 []pyfmt.Float   `json:"hotellings_t2"`
	SPE          []pyfmt.Float   `json:"spe"`
	T2Limit      pyfmt.Float     `json:"t2_limit"`
	SPELimit     pyfmt.Float     `json:"spe_limit"`
	IsOutlier    []bool          `json:"is_outlier"`
}

func runPLSPredict(_ context.Context, input json.RawMessage) (any, error) {
	pm, err := parsePLSPredict(input)
	if err != nil {
		return nil, err
	}
	p := pm.in.ModelParams
	var w *mat.Dense
	if p.XWeights != nil {
		w = denseOf(p.XWeights)
	}
	xs := scaleRows(pm.in.NewData.Rows(), p.XMeans.Values(), p.XStds.Values())
	pr := project(xs, w, denseOf(p.XLoadings), denseOf(p.DirectWeights), p.ScalingFactorForScores.Values())

	// Ŷ = T·Cᵀ in scaled units, then back to the responses' units.
	rows, _ := pr.scores.Dims()
	yhat := mat.NewDense(rows, pm.m, nil)
	yhat.Mul(pr.scores, denseOf(p.YLoadings).T())
	means, stds := p.YMeans.Values(), p.YStds.Values()
	for i := 0; i < rows; i++ {
		row := yhat.RawRowView(i)
		for j := range row {
			row[j] = row[j]*stds[j] + means[j]
		}
	}
	t2Lim := t2Limit(pm.in.ConfLevel, pm.a, pm.n)
	speLim := speLimit(p.SPEValues.Values(), pm.in.ConfLevel)
	return plsPredictResult{
		YHat:         floatRows(yhat),
		Scores:       floatRows(pr.scores),
		HotellingsT2: pyfmt.Floats(pr.t2),
		SPE:          pyfmt.Floats(pr.spe),
		T2Limit:      pyfmt.Float(t2Lim),
		SPELimit:     pyfmt.Float(speLim),
		IsOutlier:    outlierFlags(pr, t2Lim, speLim),
	}, nil
}
