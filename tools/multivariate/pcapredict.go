package multivariate

import (
	"context"
	_ "embed"
	"encoding/json"

	"gonum.org/v1/gonum/mat"

	"github.com/toolq/toolq/tools/internal/pyfmt"
	"github.com/toolq/toolq/tools/tool"
)

//go:embed schemas/pca_predict.json
var pcaPredictSchema []byte

const pcaPredictDescription = "Score new rows against a PCA model fitted by fit_pca, to monitor new data against historical data. " +
	"Each row is scaled with the training means and standard deviations and projected onto the loadings, one component at a time as NIPALS scores the training rows " +
	"(for a model fitted to complete data this equals the original tool's single product with the loadings; for a model fitted with missing cells it gives the training rows back their fitted scores, which that product did not): " +
	"returns scores (one row of A scores per new row), Hotelling's T² (the sum of the squared scores, each divided by its training standard deviation), " +
	"SPE (the square root of the row's residual sum of squares after projection, on the same scale as fit_pca's SPE values), " +
	"t2_limit and spe_limit computed from the training model at conf_level, and is_outlier, true when a row's T² or SPE exceeds its limit. " +
	"A row with null (missing) cells is scored over its present cells, and its SPE sums the present cells only; " +
	"the original tool returned null results for such rows. conf_level is an addition: the original tool always used 0.95. " +
	"model_params must be the object fit_pca returned; it is checked for consistency (every array of the length its dimension requires, no nulls, positive standard deviations, " +
	"n_components equal to the number of loading columns, which the original fit_pca did not guarantee). " +
	"At most 10,000 new rows, 500 variables and components and 10,000 training rows."

// pcaPredictDef returns the pca_predict tool definition.
func pcaPredictDef() tool.Def {
	return tool.Def{
		Name:        "pca_predict",
		Category:    Category,
		Description: pcaPredictDescription,
		Schema:      pcaPredictSchema,
		Check: func(input json.RawMessage) error {
			_, err := parsePCAPredict(input)
			return err
		},
		Run: runPCAPredict,
	}
}

// pcaParams is fit_pca's model_params as pca_predict receives it.
type pcaParams struct {
	Loadings               tool.Matrix `json:"loadings"`
	Means                  tool.Vector `json:"means"`
	Stds                   tool.Vector `json:"stds"`
	NComponents            float64     `json:"n_components"`
	ScalingFactorForScores tool.Vector `json:"scaling_factor_for_scores"`
	NSamples               float64     `json:"n_samples"`
	SPEValues              tool.Vector `json:"spe_values"`
	ColumnNames            []string    `json:"column_names"`
}

type pcaPredictInput struct {
	ModelParams pcaParams   `json:"model_params"`
	NewData     tool.Matrix `json:"new_data"`
	ConfLevel   float64     `json:"conf_level"`
}

// pcaPredictModel is a checked model_params with its dimensions.
type pcaPredictModel struct {
	in      pcaPredictInput
	k, a, n int
}

// parsePCAPredict decodes an input and checks the model and the new rows
// (see modelparams.go); Check and Run both call it.
func parsePCAPredict(input json.RawMessage) (pcaPredictModel, error) {
	pm := pcaPredictModel{in: pcaPredictInput{ConfLevel: defaultConfLevel}}
	if err := tool.Decode(input, &pm.in); err != nil {
		return pm, err
	}
	p := pm.in.ModelParams
	err := checkParamCaps(p.NComponents, p.NSamples, []paramSize{
		{"loadings", "rows", len(p.Loadings), MaxMatrixCols},
		{"loadings", "columns", widest(p.Loadings), MaxMatrixCols},
		{"means", "values", len(p.Means), MaxMatrixCols},
		{"stds", "values", len(p.Stds), MaxMatrixCols},
		{"scaling_factor_for_scores", "values", len(p.ScalingFactorForScores), MaxMatrixCols},
		{"column_names", "names", len(p.ColumnNames), MaxMatrixCols},
		{"spe_values", "values", len(p.SPEValues), MaxMatrixRows},
	})
	if err != nil {
		return pm, err
	}
	if err := checkConfLevel(pm.in.ConfLevel); err != nil {
		return pm, err
	}
	pm.k = len(p.Loadings)
	if pm.k == 0 {
		return pm, paramInvalid("loadings", "is missing or has no rows")
	}
	if pm.a, pm.n, err = checkParamCounts(p.NComponents, p.NSamples, pm.k); err != nil {
		return pm, err
	}
	return pm, firstError(
		checkParamMatrix("loadings", p.Loadings, pm.k, pm.a, "variable", "component (model_params['n_components'])"),
		checkParamVector("means", p.Means, pm.k, "variable", anyValue),
		checkParamVector("stds", p.Stds, pm.k, "variable", positive),
		checkParamVector("scaling_factor_for_scores", p.ScalingFactorForScores, pm.a, "component", nonNegative),
		checkParamVector("spe_values", p.SPEValues, pm.n, "training row (model_params['n_samples'])", nonNegative),
		checkColumnNames("column_names", p.ColumnNames, pm.k),
		checkNewData(pm.in.NewData, pm.k, ""),
	)
}

// pcaPredictResult is pca_predict's output, the seed's keys.
type pcaPredictResult struct {
	Scores       [][]pyfmt.Float `json:"scores"`
	HotellingsT2 []pyfmt.Float   `json:"hotellings_t2"`
	SPE          []pyfmt.Float   `json:"spe"`
	IsOutlier    []bool          `json:"is_outlier"`
	T2Limit      pyfmt.Float     `json:"t2_limit"`
	SPELimit     pyfmt.Float     `json:"spe_limit"`
}

func runPCAPredict(_ context.Context, input json.RawMessage) (any, error) {
	pm, err := parsePCAPredict(input)
	if err != nil {
		return nil, err
	}
	p := pm.in.ModelParams
	loadings := denseOf(p.Loadings)
	xs := scaleRows(pm.in.NewData.Rows(), p.Means.Values(), p.Stds.Values())
	pr := project(xs, loadings, loadings, nil, p.ScalingFactorForScores.Values())
	t2Lim := t2Limit(pm.in.ConfLevel, pm.a, pm.n)
	speLim := speLimit(p.SPEValues.Values(), pm.in.ConfLevel)
	return pcaPredictResult{
		Scores:       floatRows(pr.scores),
		HotellingsT2: pyfmt.Floats(pr.t2),
		SPE:          pyfmt.Floats(pr.spe),
		IsOutlier:    outlierFlags(pr, t2Lim, speLim),
		T2Limit:      pyfmt.Float(t2Lim),
		SPELimit:     pyfmt.Float(speLim),
	}, nil
}

// outlierFlags marks the rows whose T² or SPE exceeds its limit (a NaN
// value or limit flags nothing).
func outlierFlags(pr projection, t2Lim, speLim float64) []bool {
	out := make([]bool, len(pr.t2))
	for i := range out {
		out[i] = pr.t2[i] > t2Lim || pr.spe[i] > speLim
	}
	return out
}

// denseOf copies a checked (rectangular, non-empty) model_params matrix.
func denseOf(m tool.Matrix) *mat.Dense {
	r, c := m.Dims()
	out := mat.NewDense(r, c, nil)
	for i, row := range m {
		for j, v := range row {
			out.Set(i, j, float64(v))
		}
	}
	return out
}
