package multivariate

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/internal/pyfmt"
	"github.com/toolq/toolq/tools/tool"
)

//go:embed schemas/fit_pls.json
var fitPLSSchema []byte

const fitPLSDescription = "Projection to latent structures (partial least squares, PLS) regression of one or more responses Y on a numeric predictor matrix X (rows are observations). " +
	"Both X and Y are first centred on their column means and divided by their sample standard deviations (a constant column is left unscaled). " +
	"The model is fitted one component at a time by NIPALS (PLS2), which skips null (missing) cells in X and Y. " +
	"Each component is signed so that the largest-magnitude element of its X loading is positive. " +
	"Returns: n_components, the number of components actually fitted, at most min(requested, rows, columns of X), and fewer when X or Y has no variance left or X has nothing left that covaries with Y " +
	"(n_components_requested then echoes the request and n_components_note says why; the original tool reported the request itself); " +
	"r2x_cumulative, kept under its original name although it is the cumulative R² of Y (the fraction of the scaled Y's sum of squares that the fitted values reproduce, over present cells), " +
	"with the same values under their right name in r2y_cumulative and the true cumulative R² of X in r2x_true_cumulative; r2_per_component, the R² of Y added by each component; " +
	"rmse, the root mean squared error of each response (rows) after each number of components (columns), in the response's original units " +
	"(the original tool reported it in scaled units, which rmse_scaled keeps); coefficients, the regression coefficients of the scaled responses on the scaled predictors (one row per X variable, one column per response); " +
	"coefficients_original_scale and intercept, the same model in the data's own units (y = intercept + x · coefficients_original_scale); " +
	"and model_params (loadings, weights, direct weights W* = W(PᵀW)⁻¹, scaling, score standard deviations and training SPE values) for predicting new rows with pls_predict. " +
	"At most 10,000 rows, 500 X columns and 500 responses."

// fitPLSDef returns the fit_pls tool definition.
func fitPLSDef() tool.Def {
	return tool.Def{
		Name:        "fit_pls",
		Example:     `{"x_data": [[1,2],[2,1],[3,5],[4,3],[5,6]], "y_data": [3,3,8,7,11], "n_components": 1}`,
		Category:    Category,
		Description: fitPLSDescription,
		Schema:      fitPLSSchema,
		Check: func(input json.RawMessage) error {
			_, err := parseFitPLS(input)
			return err
		},
		Run: runFitPLS,
	}
}

// fitPLSInput is the decoded input of fit_pls.
type fitPLSInput struct {
	XData        tool.Matrix `json:"x_data"`
	YData        responses   `json:"y_data"`
	NComponents  float64     `json:"n_components"`
	XColumnNames []string    `json:"x_column_names"`
	YColumnNames []string    `json:"y_column_names"`
}

// responses is y_data: either a flat list (one response) or a list of rows,
// told apart by the first element as the seed did. Both become an N×M
// matrix.
type responses struct {
	tool.Matrix
	flat bool
}

// UnmarshalJSON implements json.Unmarshaler.
func (r *responses) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(b, &items); err != nil {
		return err
	}
	r.flat = len(items) > 0 && (len(items[0]) == 0 || items[0][0] != '[')
	if !r.flat {
		return json.Unmarshal(b, &r.Matrix)
	}
	var v tool.Vector
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	r.Matrix = make(tool.Matrix, len(v))
	for i, x := range v {
		r.Matrix[i] = tool.Vector{x}
	}
	return nil
}

// parseFitPLS decodes and checks a fit_pls input: the schema's bounds again,
// the matrix caps and shapes of both blocks, one Y row per X row, and one
// name per column.
func parseFitPLS(input json.RawMessage) (fitPLSInput, error) {
	var in fitPLSInput
	if err := tool.Decode(input, &in); err != nil {
		return in, err
	}
	if err := checkComponents(in.NComponents); err != nil {
		return in, err
	}
	if err := checkMatrix("x_data", in.XData); err != nil {
		return in, err
	}
	if err := checkMatrix("y_data", in.YData.Matrix); err != nil {
		return in, err
	}
	n, k := in.XData.Dims()
	ny, m := in.YData.Dims()
	if n < 3 {
		return in, tool.Invalidf("x_data has %d rows; at least 3 are needed", n).With("key", "x_data")
	}
	if ny != n {
		return in, tool.Invalidf("y_data has %d rows but x_data has %d", ny, n).
			With("key", "y_data").With("expected", n).With("observed", ny)
	}
	for _, names := range []struct {
		key   string
		names []string
		want  int
		block string
	}{{"x_column_names", in.XColumnNames, k, "x_data"}, {"y_column_names", in.YColumnNames, m, "y_data"}} {
		if names.names != nil && len(names.names) != names.want {
			return in, tool.Invalidf("%s has %d names but %s has %d columns", names.key, len(names.names), names.block, names.want).
				With("key", names.key).With("expected", names.want).With("observed", len(names.names))
		}
	}
	return in, nil
}

// fitPLSResult is fit_pls's output: the seed's keys first, then this port's
// additions.
type fitPLSResult struct {
	NComponents               int             `json:"n_components"`
	R2XCumulative             []pyfmt.Float   `json:"r2x_cumulative"`
	R2PerComponent            []pyfmt.Float   `json:"r2_per_component"`
	RMSE                      [][]pyfmt.Float `json:"rmse"`
	Coefficients              [][]pyfmt.Float `json:"coefficients"`
	ModelParams               plsModelParams  `json:"model_params"`
	NComponentsRequested      int             `json:"n_components_requested,omitempty"`
	NComponentsNote           string          `json:"n_components_note,omitempty"`
	R2YCumulative             []pyfmt.Float   `json:"r2y_cumulative"`
	R2XTrueCumulative         []pyfmt.Float   `json:"r2x_true_cumulative"`
	RMSEScaled                [][]pyfmt.Float `json:"rmse_scaled"`
	CoefficientsOriginalScale [][]pyfmt.Float `json:"coefficients_original_scale"`
	Intercept                 []pyfmt.Float   `json:"intercept"`
}

// plsModelParams is what pls_predict needs: the seed's keys, plus x_weights
// (W), with which pls_predict scores rows that have missing cells, and the
// column names when the caller gave them. n_components always equals the
// number of columns of the loadings and weights.
type plsModelParams struct {
	XLoadings              [][]pyfmt.Float `json:"x_loadings"`
	YLoadings              [][]pyfmt.Float `json:"y_loadings"`
	DirectWeights          [][]pyfmt.Float `json:"direct_weights"`
	BetaCoefficients       [][]pyfmt.Float `json:"beta_coefficients"`
	XMeans                 []pyfmt.Float   `json:"x_means"`
	XStds                  []pyfmt.Float   `json:"x_stds"`
	YMeans                 []pyfmt.Float   `json:"y_means"`
	YStds                  []pyfmt.Float   `json:"y_stds"`
	NComponents            int             `json:"n_components"`
	ScalingFactorForScores []pyfmt.Float   `json:"scaling_factor_for_scores"`
	NSamples               int             `json:"n_samples"`
	SPEValues              []pyfmt.Float   `json:"spe_values"`
	XWeights               [][]pyfmt.Float `json:"x_weights"`
	XColumnNames           []string        `json:"x_column_names,omitempty"`
	YColumnNames           []string        `json:"y_column_names,omitempty"`
}

func runFitPLS(ctx context.Context, input json.RawMessage) (any, error) {
	in, err := parseFitPLS(input)
	if err != nil {
		return nil, err
	}
	xs, sx, err := mcuv(in.XData.Rows(), in.XColumnNames)
	if err != nil {
		return nil, blockError("x_data", err)
	}
	ys, sy, err := mcuv(in.YData.Rows(), in.YColumnNames)
	if err != nil {
		return nil, blockError("y_data", err)
	}
	n, k := xs.Dims()
	requested := int(in.NComponents)
	a := min(requested, n, k)
	md, err := fitPLS(ctx, xs, ys, a)
	if err != nil {
		return nil, err
	}

	res := fitPLSResult{
		NComponents:          md.a,
		R2XCumulative:        pyfmt.Floats(md.r2y),
		R2PerComponent:       pyfmt.Floats(md.r2yPerComponent),
		RMSE:                 make([][]pyfmt.Float, md.m),
		Coefficients:         floatRows(md.beta),
		NComponentsRequested: requestEcho(md.a, requested),
		R2YCumulative:        pyfmt.Floats(md.r2y),
		R2XTrueCumulative:    pyfmt.Floats(md.r2x),
		RMSEScaled:           make([][]pyfmt.Float, md.m),
		ModelParams: plsModelParams{
			XLoadings:              floatRows(md.xLoadings),
			YLoadings:              floatRows(md.yLoadings),
			DirectWeights:          floatRows(md.directWeights),
			BetaCoefficients:       floatRows(md.beta),
			XMeans:                 pyfmt.Floats(sx.means),
			XStds:                  pyfmt.Floats(sx.stds),
			YMeans:                 pyfmt.Floats(sy.means),
			YStds:                  pyfmt.Floats(sy.stds),
			NComponents:            md.a,
			ScalingFactorForScores: pyfmt.Floats(md.scalingFactor),
			NSamples:               md.n,
			SPEValues:              pyfmt.Floats(md.spe),
			XWeights:               floatRows(md.xWeights),
			XColumnNames:           in.XColumnNames,
			YColumnNames:           in.YColumnNames,
		},
	}
	switch {
	case md.a < a:
		res.NComponentsNote = fmt.Sprintf("fitting stopped after %s: %s", components(md.a), md.stopped)
	case a < requested:
		res.NComponentsNote = fmt.Sprintf("reduced to min(rows, columns of x_data) = %d", a)
	}
	for j := range md.rmse {
		res.RMSEScaled[j] = pyfmt.Floats(md.rmse[j])
		res.RMSE[j] = pyfmt.Floats(scaled(md.rmse[j], sy.stds[j]))
	}
	b, intercept := originalScale(md.beta, sx, sy)
	res.CoefficientsOriginalScale = floatRows(b)
	res.Intercept = pyfmt.Floats(intercept)
	return res, nil
}

// components says "1 component" or "n components".
func components(n int) string {
	if n == 1 {
		return "1 component"
	}
	return fmt.Sprintf("%d components", n)
}

// originalScale turns the coefficients β of the scaled model, ys = xs·β,
// into those of y = intercept + x·B in the data's own units:
// B[k][m] = β[k][m]·σy[m]/σx[k] and intercept[m] = μy[m] − Σₖ μx[k]·B[k][m].
func originalScale(beta *mat.Dense, sx, sy scaling) (*mat.Dense, []float64) {
	k, m := beta.Dims()
	b := mat.NewDense(k, m, nil)
	intercept := append([]float64(nil), sy.means...)
	for i := 0; i < k; i++ {
		for j := 0; j < m; j++ {
			v := beta.At(i, j) * sy.stds[j] / sx.stds[i]
			b.Set(i, j, v)
			intercept[j] -= sx.means[i] * v
		}
	}
	return b, intercept
}

// blockError names the data block a scaling error is about, since both
// blocks number their columns from 0.
func blockError(key string, err error) error {
	if e, ok := err.(*errcode.Error); ok {
		return tool.Errorf("%s %s", key, e.Message).With("key", key)
	}
	return err
}
