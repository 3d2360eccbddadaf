package multivariate

import (
	"math"
	"reflect"
	"slices"
	"testing"

	"github.com/toolq/toolq/errcode"
)

type plsPredictOutput struct {
	YHat         [][]*float64 `json:"y_hat"`
	Scores       [][]*float64 `json:"scores"`
	HotellingsT2 []*float64   `json:"hotellings_t2"`
	SPE          []*float64   `json:"spe"`
	T2Limit      *float64     `json:"t2_limit"`
	SPELimit     *float64     `json:"spe_limit"`
	IsOutlier    []bool       `json:"is_outlier"`
}

// TestPLSPredictGolden is the seed's observed pls_predict(model_params,
// new_data=X) on the SIMCA-P case (seed-spec §6.2): ŷ (which matches
// SIMCA-P's), T² (SIMCA-P's), SPE and both limits.
func TestPLSPredictGolden(t *testing.T) {
	t.Parallel()
	params := modelParams(t, fitPLSDef, map[string]any{"x_data": goldenX, "y_data": goldenY, "n_components": 1})
	var out plsPredictOutput
	_, keys := runDef(t, plsPredictDef(), map[string]any{"model_params": params, "new_data": goldenX}, &out)
	want := []string{"hotellings_t2", "is_outlier", "scores", "spe", "spe_limit", "t2_limit", "y_hat"}
	if got := sortedKeys(keys); !reflect.DeepEqual(got, want) {
		t.Errorf("keys = %v, want %v", got, want)
	}
	yhat := make([]float64, len(out.YHat))
	for i, r := range out.YHat {
		if len(r) != 1 {
			t.Fatalf("y_hat row %d has %d values, want 1", i, len(r))
		}
		yhat[i] = *r[0]
	}
	assertSlice(t, "y_hat", yhat, goldenPLSYHat, goldenRel, 5e-11)
	assertSlice(t, "hotellings_t2 vs SIMCA-P", floatsOf(t, "T²", out.HotellingsT2), simcaT2, 1e-5, 5e-7)
	assertSlice(t, "spe", floatsOf(t, "spe", out.SPE), goldenPLSSPE, goldenRel, 5e-11)
	scores := make([]float64, len(out.Scores))
	for i, r := range out.Scores {
		scores[i] = *r[0]
	}
	assertSlice(t, "scores vs SIMCA-P", scores, simcaScores, 1e-5, 5e-7)
	if out.T2Limit == nil || !near(*out.T2Limit, goldenPLST2Limit, goldenRel, 0) || out.SPELimit == nil || !near(*out.SPELimit, goldenPLSSPELimit, goldenRel, 0) {
		t.Errorf("limits = %v, %v, want %v, %v", out.T2Limit, out.SPELimit, goldenPLST2Limit, goldenPLSSPELimit)
	}
	// Observation 4's SPE, 3.82, is above the limit 3.47.
	wantFlags := make([]bool, 11)
	wantFlags[4] = true
	if !reflect.DeepEqual(out.IsOutlier, wantFlags) {
		t.Errorf("is_outlier = %v, want only observation 4", out.IsOutlier)
	}
}

// TestPLSPredictReproducesFit: predicting the training rows gives back the
// fit's scores, T², SPE and fitted values, for a PLS2 model of complete data
// and for one fitted with missing cells in X (rows with missing cells
// included).
func TestPLSPredictReproducesFit(t *testing.T) {
	t.Parallel()
	x, y := ldpe(t)
	gap := make([][]float64, len(x))
	gapJSON := make([][]any, len(x))
	for i := range x {
		gap[i] = slices.Clone(x[i])
		for _, v := range x[i] {
			gapJSON[i] = append(gapJSON[i], v)
		}
	}
	for _, c := range [][2]int{{11, 0}, {20, 5}, {20, 6}, {40, 13}} {
		gap[c[0]][c[1]] = math.NaN()
		gapJSON[c[0]][c[1]] = nil
	}
	for _, tc := range []struct {
		name string
		rows [][]float64
		data any
	}{
		{"LDPE, complete", x, x},
		{"LDPE, missing cells", gap, gapJSON},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			md, _, sy := fitPLSRows(t, tc.rows, y, 6)
			params := modelParams(t, fitPLSDef, map[string]any{"x_data": tc.data, "y_data": y, "n_components": 6})
			var out plsPredictOutput
			runDef(t, plsPredictDef(), map[string]any{"model_params": params, "new_data": tc.data}, &out)
			for i := range tc.rows {
				assertSlice(t, "scores", floatsOf(t, "scores", out.Scores[i]), md.xScores.RawRowView(i), 1e-6, 1e-9)
				fitted := make([]float64, md.m)
				for j := range fitted {
					fitted[j] = md.fitted.At(i, j)*sy.stds[j] + sy.means[j]
				}
				assertSlice(t, "y_hat vs fitted values", floatsOf(t, "y_hat", out.YHat[i]), fitted, 1e-9, 0)
			}
			assertSlice(t, "hotellings_t2", floatsOf(t, "T²", out.HotellingsT2), md.t2, 1e-6, 1e-9)
			assertSlice(t, "spe", floatsOf(t, "spe", out.SPE), md.spe, 1e-6, 1e-9)
		})
	}
}

// TestPLSPredictWithoutWeights: a model_params as the seed's fit_pls wrote
// it, without x_weights, still predicts complete rows, by the seed's
// product with the direct weights, to the same values.
func TestPLSPredictWithoutWeights(t *testing.T) {
	t.Parallel()
	x, y := ldpe(t)
	params := modelParams(t, fitPLSDef, map[string]any{"x_data": x, "y_data": y, "n_components": 4})
	seedParams := paramsWith(params, "x_weights", nil)
	var with, without plsPredictOutput
	runDef(t, plsPredictDef(), map[string]any{"model_params": params, "new_data": x[:10]}, &with)
	runDef(t, plsPredictDef(), map[string]any{"model_params": seedParams, "new_data": x[:10]}, &without)
	for i := range with.YHat {
		assertSlice(t, "y_hat", floatsOf(t, "y_hat", without.YHat[i]), floatsOf(t, "y_hat", with.YHat[i]), 1e-12, 1e-12)
		assertSlice(t, "scores", floatsOf(t, "scores", without.Scores[i]), floatsOf(t, "scores", with.Scores[i]), 1e-9, 1e-12)
	}
	assertSlice(t, "spe", floatsOf(t, "spe", without.SPE), floatsOf(t, "spe", with.SPE), 1e-9, 1e-12)
}

// TestPLSPredictSeedTest is the seed's test (seed-spec §4.3): fit on 30×3,
// predict 5 rows, get 5 predictions; here also within the noise of the
// generating model.
func TestPLSPredictSeedTest(t *testing.T) {
	t.Parallel()
	x := normals(42, 30, 3)
	noise := normals(43, 30, 1)
	y := make([]float64, len(x))
	for i, r := range x {
		y[i] = r[0] + r[1] + r[2] + 0.1*noise[i][0]
	}
	params := modelParams(t, fitPLSDef, map[string]any{"x_data": x, "y_data": y, "n_components": 2})
	newRows := normals(44, 5, 3)
	var out plsPredictOutput
	runDef(t, plsPredictDef(), map[string]any{"model_params": params, "new_data": newRows}, &out)
	if len(out.YHat) != 5 || len(out.IsOutlier) != 5 {
		t.Fatalf("%d predictions, %d flags; want 5", len(out.YHat), len(out.IsOutlier))
	}
	for i, r := range newRows {
		if want := r[0] + r[1] + r[2]; math.Abs(*out.YHat[i][0]-want) > 0.5 {
			t.Errorf("y_hat[%d] = %v, want about %v", i, *out.YHat[i][0], want)
		}
	}
}

func TestPLSPredictCheck(t *testing.T) {
	t.Parallel()
	base := modelParams(t, fitPLSDef, map[string]any{"x_data": goldenX, "y_data": goldenY, "n_components": 2})
	row := [][]float64{goldenX[0]}
	in := func(field string, v any) map[string]any {
		return map[string]any{"model_params": paramsWith(base, field, v), "new_data": row}
	}
	withoutWeights := paramsWith(base, "x_weights", nil)
	runCheckCases(t, plsPredictDef(), []checkCase{
		{name: "valid", input: in("x_column_names", []string{"a", "b", "c", "d", "e", "f"})},
		{name: "missing cell", input: `{"model_params": ` + mustJSON(t, base) + `, "new_data": [[1, null, 3, 4, 5, 6]]}`},
		{name: "seed params", input: map[string]any{"model_params": withoutWeights, "new_data": row}},
		{name: "seed params, missing cell", input: `{"model_params": ` + mustJSON(t, withoutWeights) + `, "new_data": [[1, 2, 3, 4, 5, 6], [1, null, 3, 4, 5, 6]]}`,
			wantCode: errcode.InputInvalid, wantMsg: "new_data row 1 has a missing value; scoring rows with missing values needs model_params['x_weights'], which fit_pls returns"},
		{name: "n_components over the cap", input: in("n_components", 600),
			wantCode: errcode.InputTooLarge, wantMsg: "model_params['n_components']=600 exceeds the cap of 500."},
		{name: "y_loadings over the cap", input: in("y_loadings", filled(501, 2)),
			wantCode: errcode.InputTooLarge, wantMsg: "model_params['y_loadings'] has 501 rows, which exceeds the cap of 500."},
		{name: "wide beta", input: in("beta_coefficients", filled(6, 501)),
			wantCode: errcode.InputTooLarge, wantMsg: "model_params['beta_coefficients'] has 501 columns, which exceeds the cap of 500."},
		{name: "spe_values over the cap", input: in("spe_values", make([]float64, 10001)),
			wantCode: errcode.InputTooLarge, wantMsg: "model_params['spe_values'] has 10001 values, which exceeds the cap of 10000."},
		{name: "no x_loadings", input: in("x_loadings", nil),
			wantCode: errcode.InputInvalid, wantMsg: "model_params['x_loadings'] is missing or has no rows"},
		{name: "no y_loadings", input: in("y_loadings", nil),
			wantCode: errcode.InputInvalid, wantMsg: "model_params['y_loadings'] is missing or has no rows"},
		{name: "no direct_weights", input: in("direct_weights", nil),
			wantCode: errcode.InputInvalid, wantMsg: "model_params['direct_weights'] has 0 rows but should have 6, one per X variable"},
		{name: "no y_stds", input: in("y_stds", nil),
			wantCode: errcode.InputInvalid, wantMsg: "model_params['y_stds'] has 0 values but should have 1, one per response"},
		{name: "the seed's echoed request", input: in("n_components", 3),
			wantCode: errcode.InputInvalid, wantMsg: "model_params['x_loadings'] row 0 has 2 values but should have 3, one per component (model_params['n_components'])"},
		{name: "short x_weights", input: in("x_weights", filled(5, 2)),
			wantCode: errcode.InputInvalid, wantMsg: "model_params['x_weights'] has 5 rows but should have 6, one per X variable"},
		{name: "empty x_weights", input: in("x_weights", [][]float64{}),
			wantCode: errcode.InputInvalid, wantMsg: "model_params['x_weights'] has 0 rows but should have 6, one per X variable"},
		{name: "beta shape", input: in("beta_coefficients", filled(6, 2)),
			wantCode: errcode.InputInvalid, wantMsg: "model_params['beta_coefficients'] row 0 has 2 values but should have 1, one per response"},
		{name: "y_loadings of two responses", input: in("y_loadings", filled(2, 2)),
			wantCode: errcode.InputInvalid, wantMsg: "model_params['beta_coefficients'] row 0 has 1 values but should have 2, one per response"},
		{name: "negative y std", input: in("y_stds", []float64{-1}),
			wantCode: errcode.InputInvalid, wantMsg: "model_params['y_stds'] must hold positive standard deviations, but [0] is -1"},
		{name: "null x mean", input: in("x_means", []any{1, 2, 3, nil, 5, 6}),
			wantCode: errcode.InputInvalid, wantMsg: "model_params['x_means'] has a null at [3]"},
		{name: "y names", input: in("y_column_names", []string{"a", "b"}),
			wantCode: errcode.InputInvalid, wantMsg: "model_params['y_column_names'] has 2 names but the model has 1 responses"},
		{name: "pca params", input: map[string]any{"model_params": modelParams(t, fitPCADef, map[string]any{"data": goldenX, "n_components": 2}), "new_data": row},
			wantCode: errcode.InputInvalid, wantMsg: `cannot decode input: json: unknown field "loadings"`},
		{name: "too many columns", input: map[string]any{"model_params": base, "new_data": [][]float64{append(slices.Clone(goldenX[0]), 1)}},
			wantCode: errcode.InputInvalid, wantMsg: "new_data has 7 columns but the model has 6 variables"},
		{name: "new_data over the cap", input: map[string]any{"model_params": base, "new_data": [][]float64{make([]float64, 501)}},
			wantCode: errcode.InputTooLarge, wantMsg: "new_data has 501 columns; the cap is 500"},
	})
}

func TestPLSPredictSchema(t *testing.T) {
	t.Parallel()
	params := `{"x_loadings": [[1], [0]], "y_loadings": [[0.5]], "direct_weights": [[1], [0]], "x_means": [0, 0], "x_stds": [1, 1], "y_means": [3], "y_stds": [2],
		"n_components": 1, "scaling_factor_for_scores": [1], "n_samples": 3, "spe_values": [0, 1, 2]}`
	runSchemaCases(t, plsPredictDef(), []schemaCase{
		{"minimal", `{"model_params": ` + params + `, "new_data": [[1, 2]]}`, true},
		{"conf_level and nulls", `{"model_params": ` + params + `, "new_data": [[1, null]], "conf_level": 0.9}`, true},
		{"no model_params", `{"new_data": [[1, 2]]}`, false},
		{"model_params without y_loadings", `{"model_params": {"x_loadings": [[1]]}, "new_data": [[1]]}`, false},
		{"unknown model_params key", `{"model_params": {"x_loadings": [[1], [0]], "y_loadings": [[0.5]], "direct_weights": [[1], [0]], "x_means": [0, 0], "x_stds": [1, 1], "y_means": [3], "y_stds": [2], "n_components": 1, "scaling_factor_for_scores": [1], "n_samples": 3, "spe_values": [0, 1, 2], "loadings": [[1]]}, "new_data": [[1, 2]]}`, false},
		{"string in weights", `{"model_params": {"x_loadings": [[1], [0]], "y_loadings": [[0.5]], "direct_weights": [["1"], [0]], "x_means": [0, 0], "x_stds": [1, 1], "y_means": [3], "y_stds": [2], "n_components": 1, "scaling_factor_for_scores": [1], "n_samples": 3, "spe_values": [0, 1, 2]}, "new_data": [[1, 2]]}`, false},
		{"unknown key", `{"model_params": ` + params + `, "new_data": [[1, 2]], "y_data": [1]}`, false},
	})
}
